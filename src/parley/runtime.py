"""The garbage collector, set for a server that holds hundreds of live calls.

A full collection stops the event loop for as long as it walks every tracked object. On the
2-core box a full collection of the started server alone (~140,000 objects: the imported
libraries' functions, types and schemas) took ~90 ms, and with 300 calls open 150-230 ms,
several times a minute: a stall every call hears (benchmarks/load.py). What exists once the
server is up (and once the models are loaded) lives as long as the process, so it is moved out
of the collector's sight (:func:`freeze_long_lived`).

The collection thresholds stay CPython's defaults. A conversation's objects form reference
cycles (callbacks are bound methods of the conversation), so an ended call is freed by the
collector, not by reference counting: collecting the young generation every 10,000 allocations
instead of 700 made full collections so rare that a 10-minute soak with calls redialling grew
by ~65 MB a minute.
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)


def freeze_long_lived() -> None:
    """Move every object alive now into the permanent generation, which collections skip.

    Call it when what exists is there for the life of the process (after start-up, after
    loading the models); objects frozen here are still freed by reference counting, only
    cycles among them would outlive their use.
    """
    gc.collect()
    gc.freeze()
    log.debug("%d objects frozen out of the garbage collector's way", gc.get_freeze_count())
