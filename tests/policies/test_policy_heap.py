"""``settled_heap``: the heap alive before is frozen out of collections for the block, then released."""

from __future__ import annotations

import gc
import weakref

import pytest

from policies.heap import settled_heap


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_the_heap_is_frozen_inside_and_released_after() -> None:
    assert gc.get_freeze_count() == 0
    with settled_heap():
        assert gc.get_freeze_count() > 0
        cycle = _Cycle()  # made inside: still collected as usual
        gone = weakref.ref(cycle)
        del cycle
        gc.collect()
        assert gone() is None
    assert gc.get_freeze_count() == 0


def test_the_heap_is_released_when_the_block_raises() -> None:
    with pytest.raises(RuntimeError), settled_heap():
        raise RuntimeError("boom")
    assert gc.get_freeze_count() == 0


def test_a_freeze_made_by_the_caller_is_left_in_place() -> None:
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        with settled_heap():
            assert gc.get_freeze_count() == before
        assert gc.get_freeze_count() == before
    finally:
        gc.unfreeze()


def test_without_collection_nothing_is_collected_until_asked_and_the_threshold_returns() -> None:
    threshold = gc.get_threshold()
    with settled_heap(collect=False):
        assert gc.get_threshold()[0] == 0
        cycles = [weakref.ref(_Cycle()) for _ in range(2 * max(threshold[0], 1000))]
        assert all(c() is not None for c in cycles), "an automatic collection ran inside the block"
        gc.collect()
        assert all(c() is None for c in cycles), "an explicit collection still collects"
    assert gc.get_threshold() == threshold and gc.get_freeze_count() == 0


def test_without_collection_the_threshold_returns_when_the_block_raises() -> None:
    threshold = gc.get_threshold()
    with pytest.raises(RuntimeError), settled_heap(collect=False):
        raise RuntimeError("boom")
    assert gc.get_threshold() == threshold
