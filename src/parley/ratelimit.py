"""Token buckets: how Parley bounds things a client controls the rate of.

One bucket bounds one stream (a conversation's audio, in seconds of audio); a
:class:`KeyedBuckets` gives every key (a client address) its own bucket without growing
without bound. Time comes from the injected :class:`~parley.clock.Clock`.
"""

from __future__ import annotations

from parley.clock import Clock


class TokenBucket:
    """Holds up to ``capacity`` tokens, refilled at ``rate`` tokens per second."""

    def __init__(self, rate: float, capacity: float, clock: Clock) -> None:
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self._tokens = capacity
        self._at = clock.monotonic()

    def _refill(self) -> float:
        now = self._clock.monotonic()
        self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.rate)
        self._at = now
        return self._tokens

    def take(self, amount: float = 1.0) -> bool:
        """Spend ``amount`` tokens if there are enough; False (and nothing spent) if not."""
        if self._refill() < amount:
            return False
        self._tokens -= amount
        return True

    def full(self) -> bool:
        return self._refill() >= self.capacity

    def seconds_until(self, amount: float = 1.0) -> float:
        """How long until ``amount`` tokens are there (0 if they are now)."""
        missing = amount - self._refill()
        return max(0.0, missing / self.rate) if self.rate > 0 else float("inf")


class KeyedBuckets:
    """One :class:`TokenBucket` per key; a full bucket is forgotten, so idle keys cost nothing
    and a flood of distinct keys is bounded by ``max_keys``."""

    def __init__(self, rate: float, capacity: float, clock: Clock, max_keys: int = 10_000) -> None:
        self._rate = rate
        self._capacity = capacity
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[str, TokenBucket] = {}

    def take(self, key: str) -> float:
        """Spend one token of ``key``'s bucket: 0.0 if it could, else seconds to wait."""
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._max_keys:
                self._forget_full()
            bucket = self._buckets[key] = TokenBucket(self._rate, self._capacity, self._clock)
        if bucket.take():
            return 0.0
        return max(bucket.seconds_until(), 0.001)

    def _forget_full(self) -> None:
        for key in [key for key, bucket in self._buckets.items() if bucket.full()]:
            del self._buckets[key]
        if len(self._buckets) >= self._max_keys:  # all busy: drop the oldest keys
            for key in list(self._buckets)[: len(self._buckets) // 2]:
                del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)
