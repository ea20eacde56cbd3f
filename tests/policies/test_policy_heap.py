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


def test_a_nested_block_keeps_the_outer_freeze_without_counting_it(monkeypatch: pytest.MonkeyPatch) -> None:
    counted: list[int] = []
    count = gc.get_freeze_count
    with settled_heap():
        frozen = count()
        monkeypatch.setattr(gc, "get_freeze_count", lambda: counted.append(1) or count())
        with settled_heap():
            assert count() == frozen
        assert count() == frozen, "the inner block left the outer freeze in place"
        monkeypatch.undo()
    assert not counted, "inside its own freeze, the frozen objects were counted again"
    assert gc.get_freeze_count() == 0
