"""Small helpers shared by tests."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def sqlite_locked(path: Path, seconds: float) -> Iterator[threading.Event]:
    """Another process-like writer holds an exclusive lock on `path` for `seconds`.

    Yields an event set when the lock is released."""
    released = threading.Event()
    locked = threading.Event()

    def hold() -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        locked.set()
        time.sleep(seconds)
        connection.execute("COMMIT")
        connection.close()
        released.set()

    holder = threading.Thread(target=hold)
    holder.start()
    locked.wait(5)
    try:
        yield released
    finally:
        holder.join()


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 3.0) -> bool:
    """Poll `check` until it is true or `within` seconds pass; returns its last answer."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


class Clock:
    """A clock the throttle sleeps on: sleeping moves time forward at once."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)
