"""settle(): what was built at start is frozen out of collections, garbage is collected first."""

from __future__ import annotations

import gc
import weakref

from bot.app import settle


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_garbage_is_collected_before_the_survivors_are_frozen() -> None:
    first, second = _Node(), _Node()
    first.other, second.other = second, first  # a cycle: only the collector frees it
    gone = weakref.ref(first)
    del first, second
    try:
        settle()
        assert gone() is None  # collected, not frozen for the life of the process
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
