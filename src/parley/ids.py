"""Identifiers shaped like the platform's: a prefix and a sortable, lower-case ULID."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from parley.clock import Clock

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"

RandomBits = Callable[[int], int]


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, digit = divmod(value, 32)
        chars.append(_CROCKFORD[digit])
    return "".join(reversed(chars))


class IdFactory:
    """Makes ``prefix_<ulid>`` ids that sort by creation time (millisecond resolution)."""

    def __init__(self, clock: Clock, random_bits: RandomBits = secrets.randbits) -> None:
        self._clock = clock
        self._random_bits = random_bits

    def new(self, prefix: str) -> str:
        millis = int(self._clock.now() * 1000)
        return f"{prefix}_{_encode(millis, 10)}{_encode(self._random_bits(80), 16)}"
