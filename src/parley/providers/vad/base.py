"""The VAD interface: 16 kHz float32 audio in, one speech probability per 32 ms frame out.

A :class:`VAD` is shared and cheap to hold; each conversation opens its own
:class:`VADStream`, which keeps the model's recurrent state and the samples that do not yet
fill a frame. Turn-taking (thresholds, hangover) is the engine's business, not the VAD's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from parley.providers.errors import ProviderError, ProviderUnavailableError

VAD_SAMPLE_RATE = 16000
VAD_FRAME_SAMPLES = 512  # 32 ms at 16 kHz


@dataclass(frozen=True)
class VADCapabilities:
    sample_rate: int = VAD_SAMPLE_RATE
    frame_samples: int = VAD_FRAME_SAMPLES

    @property
    def frame_seconds(self) -> float:
        return self.frame_samples / self.sample_rate


class VADStream(Protocol):
    """One conversation's VAD state. Not thread-safe; fast enough to call on the event loop."""

    def process(self, audio: NDArray[np.float32]) -> list[float]:
        """Feed any number of samples; get a probability (0..1) per frame completed by them."""
        ...

    def reset(self) -> None:
        """Forget the model state and any buffered samples (a new, unrelated stream follows)."""
        ...

    def close(self) -> None:
        """Free native resources; the stream is unusable afterwards."""
        ...


class VAD(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def capabilities(self) -> VADCapabilities: ...

    def stream(self) -> VADStream:
        """A new, independent stream for one conversation."""
        ...


class VADError(ProviderError):
    """The VAD could not run."""


class VADUnavailableError(VADError, ProviderUnavailableError):
    """The VAD's package or model is not installed."""


class VADClosedError(VADError, ProviderUnavailableError):
    """A closed stream was used (a caller bug: using it again fails the same way)."""


class FrameBuffer:
    """Cuts audio of any length into fixed frames, keeping the remainder for the next call.

    Every frame is a writable, contiguous float32 array (native VADs read it without another
    copy): the caller's chunk itself when it is exactly one frame and nothing is pending (what
    browsers send), else a copy in one buffer that is reused. Consume each frame before taking
    the next, and iterate to the end, or the rest of the audio is lost.
    """

    def __init__(self, frame_samples: int = VAD_FRAME_SAMPLES) -> None:
        self.frame_samples = frame_samples
        self._frame: NDArray[np.float32] = np.zeros(frame_samples, dtype=np.float32)
        self._filled = 0

    @property
    def pending(self) -> int:
        """Samples waiting for the rest of their frame."""
        return self._filled

    def frames(self, audio: NDArray[np.float32]) -> Iterator[NDArray[np.float32]]:
        samples = np.asarray(audio, dtype=np.float32).ravel()
        if self._filled == 0 and samples.size == self.frame_samples and samples.flags.writeable:
            yield samples  # a browser's 32 ms chunk at 16 kHz is one frame: no copy
            return
        start = 0
        while start < samples.size:
            take = min(self.frame_samples - self._filled, samples.size - start)
            self._frame[self._filled : self._filled + take] = samples[start : start + take]
            self._filled += take
            start += take
            if self._filled == self.frame_samples:
                self._filled = 0
                yield self._frame

    def clear(self) -> None:
        self._filled = 0
