"""The garbage collector's settings for a long-running server (parley.runtime)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from parley import runtime


@pytest.fixture
def collector() -> Iterator[None]:
    """Put the test process's collector back as it was."""
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("collector")
def test_objects_alive_at_start_up_are_out_of_the_collectors_way() -> None:
    long_lived = [{"n": n} for n in range(1000)]
    runtime.freeze_long_lived()
    assert gc.get_freeze_count() >= len(long_lived)
    assert not any(obj is long_lived for obj in gc.get_objects()), "not walked any more"
