"""Who may open a conversation: the agent's Origin allowlist and its call limits.

These are the agent's own ``platform_settings``: ``auth.allowlist`` (hostnames, matched
exactly against the ``Origin`` header), ``auth.require_origin_header`` and
``call_limits.agent_concurrency_limit`` / ``daily_limit`` (``-1``: no limit).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from parley.clock import Clock


@dataclass(frozen=True)
class Caller:
    """The connecting client as the edge saw it: its address and its ``Origin`` header."""

    address: str | None = None
    origin: str | None = None


def _allowed_hosts(auth: dict[str, Any]) -> set[str]:
    """The allowlist's hostnames, lower-cased; an entry pasted as a URL counts as its host."""
    hosts = set()
    for item in auth.get("allowlist") or []:
        entry = str(item.get("hostname", "") if isinstance(item, dict) else item).strip().lower()
        if "://" in entry:
            entry = urlsplit(entry).netloc
        if entry:
            hosts.add(entry.rstrip("/"))
    return hosts


def origin_refusal(auth: dict[str, Any], origin: str | None) -> str | None:
    """Why ``origin`` may not connect to an agent with these ``auth`` settings (None: it may).

    Browsers always send ``Origin``; server-side clients (the Python SDK) send none, so a
    missing header is only refused when the agent sets ``require_origin_header``.
    """
    if not origin:
        if auth.get("require_origin_header"):
            return "this agent requires an Origin header"
        return None
    hosts = _allowed_hosts(auth)
    if not hosts:
        return None
    parsed = urlsplit(origin.strip())
    hostname = parsed.hostname or ""
    with_port = f"{hostname}:{parsed.port}" if parsed.port else hostname
    if hostname and (hostname in hosts or with_port in hosts):
        return None
    return f"origin {origin[:60]!r} is not in this agent's allowlist"


@dataclass(frozen=True)
class CallLimits:
    """An agent's ``call_limits``; ``None`` means no limit."""

    concurrency: int | None
    daily: int | None

    @classmethod
    def of(cls, platform_settings: dict[str, Any]) -> CallLimits:
        limits = platform_settings.get("call_limits") or {}
        return cls(_limit(limits.get("agent_concurrency_limit")), _limit(limits.get("daily_limit")))


def _limit(value: Any) -> int | None:
    """The platform writes "no limit" as -1 (any negative number counts the same)."""
    if value is None or isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


DAY_SECONDS = 86_400


class DailyStarts:
    """How many conversations each agent started today (UTC), for ``daily_limit``.

    Counted from storage once per agent and day (so a restart loses nothing), then kept here:
    every agent has a daily limit (the platform's default is 100,000), and a COUNT of the day's
    calls at every admission grows with the day's traffic. Parley is one process, so this count
    sees every admission; a deleted conversation does not give its place back."""

    def __init__(self, count_since: Callable[[str, float], Awaitable[int]], clock: Clock) -> None:
        self._count_since = count_since
        self._clock = clock
        self._counts: dict[str, tuple[int, int]] = {}  # agent id -> (day, conversations)
        self._loading = asyncio.Lock()

    def _today(self) -> int:
        return int(self._clock.now() // DAY_SECONDS)

    async def load(self, agent_id: str) -> None:
        """Make sure today's count of ``agent_id`` is known."""
        if self._known(agent_id):
            return
        async with self._loading:
            if not self._known(agent_id):
                today = self._today()
                started = await self._count_since(agent_id, today * DAY_SECONDS)
                self._counts[agent_id] = (today, started)

    def _known(self, agent_id: str) -> bool:
        return self._counts.get(agent_id, (None, 0))[0] == self._today()

    def started(self, agent_id: str) -> int:
        """Today's count (after :meth:`load`; 0 once the day has turned)."""
        day, started = self._counts.get(agent_id, (None, 0))
        return started if day == self._today() else 0

    def add(self, agent_id: str, conversations: int = 1) -> None:
        """Count (or, with -1, uncount) a conversation started today. Only a count read from
        storage today is kept up: otherwise the next :meth:`load` reads one that includes it."""
        if self._known(agent_id):
            self._counts[agent_id] = (self._today(), self.started(agent_id) + conversations)
