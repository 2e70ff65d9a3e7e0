"""`python -m bot run` that stops dead at a chosen step of one update, as kill -9 would.

    python -m tests.crash_points    (what `python -m bot run` reads, and these:)
    CRASH_DATA   the update to stop in: the first callback whose data matches this pattern
    CRASH_AT     the step to stop at (1 is the first; 0: never, only count)
    CRASH_STEPS  a file that holds how many steps that update has done so far
    CRASH_TRACE  (optional) a file to which each step is added, named

A step is a SQL statement done, or a call to Telegram about to be made. At step CRASH_AT the
process ends with `os._exit`: no handler, no `finally`, no commit or rollback runs, as with
kill -9. Only the chosen update counts: polling, the clock and the sender go on uncounted.
"""

from __future__ import annotations

import os
import re
import sys
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from aiogram import Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import GetUpdates
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.cli import main

KILLED = 137  # the exit status of a process killed by SIGKILL

_counting: ContextVar[bool] = ContextVar("counting", default=False)
_steps = 0
_armed = True


def _step(what: str) -> None:
    global _steps
    if not _counting.get():
        return
    _steps += 1
    Path(os.environ["CRASH_STEPS"]).write_text(str(_steps))
    if trace := os.environ.get("CRASH_TRACE"):
        with Path(trace).open("a") as steps:
            steps.write(f"{_steps} {' '.join(what.split())[:90]}\n")
    if _steps == int(os.environ.get("CRASH_AT", "0")):
        os._exit(KILLED)


def _install() -> None:
    pattern = re.compile(os.environ["CRASH_DATA"])
    feed = Dispatcher.feed_update
    request = AiohttpSession.make_request

    async def feed_update(self: Dispatcher, bot: Any, update: Any, **kwargs: Any) -> Any:
        global _armed
        query = update.callback_query
        if _armed and query is not None and pattern.match(query.data or ""):
            _armed = False
            _counting.set(True)
        return await feed(self, bot, update, **kwargs)

    async def make_request(self: AiohttpSession, bot: Any, method: Any, **kwargs: Any) -> Any:
        if not isinstance(method, GetUpdates):
            _step(f"telegram {method.__api_method__}")
        return await request(self, bot, method, **kwargs)

    Dispatcher.feed_update = feed_update  # type: ignore[method-assign]
    AiohttpSession.make_request = make_request  # type: ignore[method-assign]
    event.listen(Engine, "after_cursor_execute", lambda *args: _step(f"sql {args[2]}"))


if __name__ == "__main__":
    _install()
    sys.exit(main(["run"]))
