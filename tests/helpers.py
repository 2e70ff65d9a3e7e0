"""Small helpers shared by tests."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

# The 500s a test provokes fail the update's handling, which is logged with its traceback: that
# traceback, and no other, is excused (tests/invariants.py).
TELEGRAM_500_LOGGED = pytest.mark.expect_traceback(
    match=r"^handlers\.errors: .*\[TelegramServerError\]$",
    reason="the 500s it provokes fail the update, logged with their traceback",
)


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


class TcpGate:
    """A loopback forwarder to `host:port` that can be shut: shut, it takes what clients send and
    answers nothing, like a hung server (a client's timeout drops the connection; the next one,
    once the gate is open again, goes through)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.open = True
        self.server: asyncio.Server | None = None
        self.connections: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> TcpGate:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        for connection in self.connections:
            connection.cancel()
        await asyncio.gather(*self.connections, return_exceptions=True)
        await self.server.wait_closed()

    @property
    def address(self) -> str:
        assert self.server is not None
        host, port = self.server.sockets[0].getsockname()[:2]
        return f"{host}:{port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Forward one client's connection (its own task, cancelled when the gate closes)."""
        connection = asyncio.create_task(self._forward(reader, writer))
        self.connections.add(connection)
        connection.add_done_callback(self.connections.discard)

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(self.host, self.port)
        try:
            await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer))
        except OSError:
            pass
        finally:
            writer.close()
            up_writer.close()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while chunk := await reader.read(65536):
            if self.open:
                writer.write(chunk)
                await writer.drain()
        writer.close()
