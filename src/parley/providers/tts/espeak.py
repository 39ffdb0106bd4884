"""Text to IPA phonemes with the ``espeak-ng`` program, run as a separate process.

espeak-ng is GPL-3.0; Parley is Apache-2.0, so it never loads espeak-ng (or piper-tts) into
its own process: it runs Debian's ``espeak-ng`` command and reads the IPA it prints.

``espeak-ng --ipa`` drops punctuation, but both Piper and Kokoro were trained on phonemes with
the punctuation kept (it drives pauses and intonation).  So the text is cut into word runs
and punctuation runs; the word runs go to one espeak-ng call, separated by `` ; `` (a hard
clause break: espeak-ng prints one line per clause), and the punctuation runs are put back
between the resulting lines.  If espeak-ng splits a run on its own (the line count differs),
each run is phonemized by a call of its own.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

from parley.providers.tts.base import TTSError, TTSUnavailableError

INSTALL_HINT = "install it with: apt-get install espeak-ng (Debian/Ubuntu packages)"

# Runs of punctuation (with the spaces around them) that the models have tokens for.
# A period, comma or colon before a word character ("3.5", "1,000", "U.S", "7:30") belongs
# to the word.
_PUNCTUATION = re.compile(r"(?:\s*(?:[;!?¡¿—…\"«»“”()]|[.,:](?!\w))+\s*)+")
# Titles whose period would otherwise be read as the end of a sentence.
_TITLES = {"Mr": "Mister", "Mrs": "Missus", "Ms": "Miz", "Dr": "Doctor", "Prof": "Professor"}
_TITLE = re.compile(r"\b(" + "|".join(_TITLES) + r")\.(?=\s+[A-Z])")
_SEPARATOR = " ; "
_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class _Piece:
    text: str
    is_punctuation: bool


def _pieces(text: str) -> list[_Piece]:
    pieces: list[_Piece] = []
    position = 0
    for match in _PUNCTUATION.finditer(text):
        if match.start() > position:
            pieces.append(_Piece(text[position : match.start()], False))
        pieces.append(_Piece(_normalize_punctuation(match.group()), True))
        position = match.end()
    if position < len(text):
        pieces.append(_Piece(text[position:], False))
    return pieces


def _normalize_punctuation(run: str) -> str:
    """Keep the marks, collapse the spaces: ``" ,  "`` -> ``", "``."""
    leading = " " if run[:1].isspace() and run.strip()[:1] in '"«“(' else ""
    trailing = " " if run[-1:].isspace() else ""
    return leading + "".join(run.split()) + trailing


class EspeakPhonemizer:
    """Phonemizes with ``espeak-ng -q --ipa -v <voice>``; one process per call (~10 ms)."""

    def __init__(self, executable: str | None = None) -> None:
        found = executable or shutil.which("espeak-ng")
        if found is None:
            raise TTSUnavailableError(f"the espeak-ng program is not installed; {INSTALL_HINT}")
        self._executable = found

    def phonemize(self, text: str, voice: str) -> str:
        """IPA for ``text`` with its punctuation kept between the phonemized word runs."""
        pieces = _pieces(_TITLE.sub(lambda match: _TITLES[match.group(1)], text))
        words = [piece.text.strip() for piece in pieces if not piece.is_punctuation]
        if not words:
            return "".join(piece.text for piece in pieces).strip()
        lines = self._run(_SEPARATOR.join(words), voice)
        if len(lines) != len(words):
            lines = [" ".join(self._run(word, voice)) for word in words]
        spoken = iter(lines)
        return "".join(
            piece.text if piece.is_punctuation else next(spoken) for piece in pieces
        ).strip()

    def _run(self, text: str, voice: str) -> list[str]:
        try:
            # S603: a fixed program with fixed options; the text goes through stdin,
            # so it can never be read as an option.
            done = subprocess.run(  # noqa: S603
                [self._executable, "-q", "--ipa", "-b", "1", "-v", voice],
                input=text.encode(),
                capture_output=True,
                timeout=_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise TTSError(f"espeak-ng failed: {error}") from error
        if done.returncode != 0:
            message = done.stderr.decode(errors="replace").strip()
            raise TTSError(f"espeak-ng failed ({done.returncode}): {message}")
        output = done.stdout.decode(errors="replace")
        return [line.strip() for line in output.splitlines() if line.strip()]
