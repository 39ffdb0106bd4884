"""The garbage collector, set for a server that holds hundreds of live calls.

A full collection stops the event loop for as long as it walks every tracked object. On the
2-core box a full collection of the started server alone (~140,000 objects: the imported
libraries' functions, types and schemas) took ~90 ms, and with 300 calls open 150-230 ms,
five or six times a minute: a stall every call hears (benchmarks/load.py). Two changes:

- what exists once the server is up (and once the models are loaded) lives as long as the
  process, so it is moved out of the collector's sight (:func:`freeze_long_lived`);
- the youngest generation is collected every 10,000 net allocations instead of 700, so the
  per-chunk and per-turn objects, which reference counting frees anyway, are mostly gone by
  then instead of being promoted, and full collections come far less often.
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)

YOUNG_GENERATION_THRESHOLD = 10_000  # CPython's default is 700


def tune_collector() -> None:
    """Collect the young generation less often (see the module's docstring)."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, old)


def freeze_long_lived() -> None:
    """Move every object alive now into the permanent generation, which collections skip.

    Call it when what exists is there for the life of the process (after start-up, after
    loading the models); objects frozen here are still freed by reference counting, only
    cycles among them would outlive their use.
    """
    gc.collect()
    gc.freeze()
    log.debug("%d objects frozen out of the garbage collector's way", gc.get_freeze_count())
