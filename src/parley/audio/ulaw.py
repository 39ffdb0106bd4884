"""G.711 μ-law, as lookup tables built once with numpy (``audioop`` is gone in 3.13).

Bit-exact with ``audioop.ulaw2lin`` / ``audioop.lin2ulaw`` for 16-bit samples.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

_BIAS = 0x84
_CLIP = 8159  # the largest 14-bit magnitude μ-law represents


def _decode_table() -> NDArray[np.int16]:
    code = ~np.arange(256, dtype=np.int32) & 0xFF
    exponent = (code >> 4) & 0x07
    mantissa = code & 0x0F
    magnitude = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    return np.where(code & 0x80, -magnitude, magnitude).astype(np.int16)


def _encode_table() -> NDArray[np.uint8]:
    """Indexed by an int16 sample reinterpreted as uint16."""
    pcm = np.arange(65536, dtype=np.int32).astype(np.uint16).view(np.int16).astype(np.int32)
    value = pcm >> 2  # 14-bit, arithmetic shift like audioop
    mask = np.where(value < 0, 0x7F, 0xFF)
    magnitude = np.minimum(np.abs(value), _CLIP) + (_BIAS >> 2)
    # segment: the position of the highest set bit above bit 5; 8 means "beyond the last one"
    segment = np.clip(np.floor(np.log2(magnitude)).astype(np.int32) - 5, 0, 8)
    code = np.where(
        segment >= 8, 0x7F, (segment << 4) | ((magnitude >> np.minimum(segment + 1, 8)) & 0x0F)
    )
    return (code ^ mask).astype(np.uint8)


ULAW_TO_PCM16: NDArray[np.int16] = _decode_table()
PCM16_TO_ULAW: NDArray[np.uint8] = _encode_table()


def ulaw_to_pcm16(data: bytes) -> NDArray[np.int16]:
    """μ-law bytes → int16 samples."""
    return ULAW_TO_PCM16[np.frombuffer(data, dtype=np.uint8)]


def pcm16_to_ulaw(samples: NDArray[np.int16]) -> bytes:
    """int16 samples → μ-law bytes."""
    return PCM16_TO_ULAW[samples.view(np.uint16)].tobytes()
