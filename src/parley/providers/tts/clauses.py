"""Cut streamed LLM text into speakable clauses, so TTS can start before the reply is complete.

A clause ends at a sentence end (``. ! ? …``, then whitespace), at a line break, or at
``, ; : —`` once the clause is long enough to sound natural on its own.  The punctuation stays
with the clause: the TTS models use it for prosody.  Pure logic, no I/O::

    splitter = ClauseSplitter()
    for delta in llm_text:
        for clause in splitter.push(delta):
            speak(clause)
    for clause in splitter.flush():
        speak(clause)
"""

from __future__ import annotations

import re

# Words that end with a period without ending the sentence (compared lower-case, no dot).
ABBREVIATIONS = frozenset(
    (
        *("mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "etc", "inc", "ltd"),
        *("co", "corp", "dept", "approx", "no", "vol", "fig", "e.g", "i.e", "a.m", "p.m", "u.s"),
        *("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"),
    )
)

_CLOSERS = "\"')\\]}\u201d\u2019\u00bb"  # closing quotes and brackets
_BOUNDARY = re.compile(
    rf"(?P<sentence>[.!?…]+[{_CLOSERS}]*(?=\s))"
    rf"|(?P<clause>[,;:—][{_CLOSERS}]*(?=\s))"
    r"|(?P<line>\n)"
)
# A sentence end at the very end of the streamed text: cut now instead of one token later,
# when the space (or the end of the reply) comes; that token costs ~80 ms of decoding on a
# CPU. A period counts only after a letter ("3." may become "3.5"); a domain name comes as
# ".com", one token, so "check." is not waiting for "com".
_SENTENCE_AT_END = re.compile(rf"(?:[!?…]+|(?<=[^\W\d_])\.)[{_CLOSERS}]*$")
_WORD = re.compile(r"\w")
_LAST_WORD = re.compile(r"([\w.]+)\.$")


def is_speakable(text: str) -> bool:
    """True when ``text`` has something to say (not only punctuation and spaces)."""
    return _WORD.search(text) is not None


def _ends_with_abbreviation(text: str) -> bool:
    """``text`` ends in a period that belongs to a word, e.g. ``Dr.`` or an initial ``J.``."""
    match = _LAST_WORD.search(text)
    if match is None:
        return False
    word = match.group(1).lower()
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha() and word != "i")


class ClauseSplitter:
    """Accumulates text deltas and returns each clause as soon as it is complete."""

    def __init__(
        self,
        *,
        min_chars: int = 24,
        first_min_chars: int = 12,
        max_chars: int = 240,
        first_words: int | None = None,
    ) -> None:
        """``first_words``: cut the very first clause after that many words even without
        punctuation, so the first audio of a reply does not wait for the first comma."""
        self._min_chars = min_chars
        self._first_min_chars = first_min_chars
        self._max_chars = max_chars
        self._first_words = first_words
        self._buffer = ""
        self._emitted = 0

    def push(self, text: str) -> list[str]:
        """Add a delta; return the clauses it completed (possibly none)."""
        self._buffer += text
        clauses: list[str] = []
        while (cut := self._find_cut()) is not None:
            self._take(cut, clauses)
        return clauses

    def flush(self) -> list[str]:
        """The end of the text: return whatever is left as a last clause."""
        clauses: list[str] = []
        self._take(len(self._buffer), clauses)
        return clauses

    def reset(self) -> None:
        """Forget buffered text, e.g. after the user interrupted the agent."""
        self._buffer = ""
        self._emitted = 0

    def _take(self, cut: int, clauses: list[str]) -> None:
        clause, self._buffer = self._buffer[:cut].strip(), self._buffer[cut:].lstrip()
        if is_speakable(clause):
            clauses.append(" ".join(clause.split()))
            self._emitted += 1

    def _find_cut(self) -> int | None:
        """The end of the first complete clause in the buffer, or None."""
        for match in _BOUNDARY.finditer(self._buffer):
            head = self._buffer[: match.end()]
            if self._accepts(match, head):
                return match.end()
        if self._sentence_at_end():
            return len(self._buffer)
        if len(self._buffer) > self._max_chars:
            return self._forced_cut()
        if self._first_words and not self._emitted:
            return self._after_first_words(self._first_words)
        return None

    def _sentence_at_end(self) -> bool:
        text = self._buffer
        return (
            _SENTENCE_AT_END.search(text) is not None
            and is_speakable(text)
            and not _ends_with_abbreviation(text.rstrip(_CLOSERS))
        )

    def _after_first_words(self, count: int) -> int | None:
        """The space after the ``count``-th word, once the word after it has begun."""
        words = list(re.finditer(r"\S+", self._buffer))
        if len(words) <= count:
            return None
        return words[count - 1].end()

    def _accepts(self, match: re.Match[str], head: str) -> bool:
        if not is_speakable(head):
            return False
        if match.lastgroup == "sentence":
            return not _ends_with_abbreviation(head.rstrip(_CLOSERS))
        if match.lastgroup == "clause":
            minimum = self._min_chars if self._emitted else self._first_min_chars
            return len(head.strip()) >= minimum
        return True  # a line break

    def _forced_cut(self) -> int:
        """A run-on clause: cut at the last space before ``max_chars`` (or at it)."""
        space = self._buffer.rfind(" ", 0, self._max_chars)
        return space if space > 0 else self._max_chars


def split_clauses(text: str, *, min_chars: int = 24, first_min_chars: int = 12) -> list[str]:
    """Split a complete text into clauses, with the same rules as :class:`ClauseSplitter`."""
    splitter = ClauseSplitter(min_chars=min_chars, first_min_chars=first_min_chars)
    return [*splitter.push(text), *splitter.flush()]
