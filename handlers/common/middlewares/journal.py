"""Claims each update before handling it and keeps the ones that fail.

Two middlewares of one journal, on either side of aiogram's FSM middleware (the conversation's
lock and state). The outer one (`UpdateJournalMiddleware`, the first of ours, inside aiogram's
ErrorsMiddleware) claims the update and sees any exception first, from a handler or from Redis;
it records the failure and re-raises it for the error router, which apologises. The inner one
(`finish`) marks the update handled, with its conversation changes, while the lock is still
held, so the person's next update reads them. The webhook passes an `UpdateOutcome` to learn
whether to ask for a redelivery.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramForbiddenError
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.errors import PoliteError
from storage import updates as journal
from storage.db import Database
from storage.fsm import DatabaseStorage, Pending
from storage.updates import Claim

log = logging.getLogger(__name__)


@dataclass
class UpdateOutcome:
    """What happened to one update, for whoever fed it in."""

    duplicate: bool = False
    busy: bool = False  # claimed by another process, which may have died: ask again later
    failed: bool = False
    handled: bool = False
    attempts: int = 0


class UpdateMetrics(Protocol):
    """What the journal tells the process's metrics (app.metrics.Metrics is one)."""

    def tracking(self) -> AbstractContextManager[Any]:
        """Counts an update as in progress while it is handled."""

    def handled(self, outcome: str, started: float) -> None:
        """One update finished: handled, failed or duplicate, started at `started`."""


class UpdateJournalMiddleware(BaseMiddleware):
    def __init__(self, database: Database, metrics: UpdateMetrics | None = None) -> None:
        self.database = database
        self.metrics = metrics
        self.in_flight: set[asyncio.Future[Any]] = set()

    async def drain(self, grace_s: float) -> int:
        """Wait for updates being handled to finish; returns how many did not in time."""
        pending = {task for task in self.in_flight if not task.done()}
        if not pending:
            return 0
        _, still = await asyncio.wait(pending, timeout=grace_s)
        return len(still)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        started = time.perf_counter()
        bot_id = data["bot"].id
        outcome: UpdateOutcome = data.setdefault("update_outcome", UpdateOutcome())
        payload = event.model_dump(mode="json", exclude_none=True)
        claim = await journal.claim(self.database, bot_id, event.update_id, payload)
        if claim is not Claim.TAKEN:
            log.info("update %s skipped: %s", event.update_id, claim.value)
            outcome.duplicate, outcome.busy = True, claim is Claim.BUSY
            self._count(outcome, started)
            return None
        done = asyncio.get_running_loop().create_future()
        self.in_flight.add(done)
        in_progress = self.metrics.tracking() if self.metrics else nullcontext()
        try:
            with in_progress:
                return await handler(event, data)
        except PoliteError:
            raise  # the person's own mistake, marked handled inside and answered by the router
        except Exception as error:
            if outcome.handled:  # e.g. the conversation's lock could not be released
                log.warning("update %s: handled, then %r", event.update_id, error)
                return None
            # The conversation's changes are dropped: a replay starts where this one did.
            outcome.failed = True
            outcome.attempts = await self._keep_failed(bot_id, event, error)
            data["failure_attempt"] = outcome.attempts
            raise
        finally:
            done.set_result(None)
            self.in_flight.discard(done)
            self._count(outcome, started)

    def _count(self, outcome: UpdateOutcome, started: float) -> None:
        if self.metrics is not None:
            state = "duplicate" if outcome.duplicate else "failed" if outcome.failed else "handled"
            self.metrics.handled(state, started)

    async def finish(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """The inner middleware: marks the update handled, inside the conversation's lock."""
        assert isinstance(event, Update)
        bot_id = data["bot"].id
        outcome: UpdateOutcome = data["update_outcome"]
        database: Database = data.get("database", self.database)  # the update's unit of work
        storage = data["dispatcher"].storage
        conversation = storage if isinstance(storage, DatabaseStorage) else None
        with conversation.deferred() if conversation else nullcontext() as pending:
            try:
                result = await handler(event, data)
            except PoliteError:  # the person's own mistake, answered by the error router
                await self._mark_handled(database, bot_id, event.update_id, conversation, pending)
                outcome.handled = True
                raise
            except TelegramForbiddenError:
                # The person blocked the bot (now marked unreachable): nothing to retry.
                log.info("update %s: the chat is unreachable", event.update_id)
                await self._mark_handled(database, bot_id, event.update_id, conversation, pending)
                outcome.handled = True
                return None
            await self._mark_handled(database, bot_id, event.update_id, conversation, pending)
            outcome.handled = True
            return result

    async def _mark_handled(
        self,
        database: Database,
        bot_id: int,
        update_id: int,
        conversation: DatabaseStorage | None,
        pending: Pending | None,
    ) -> None:
        """The update is handled, and its conversation changes written, in one transaction."""
        if conversation is None or pending is None:
            await journal.mark_handled(database, bot_id, update_id)
            return

        async def write_conversation(connection: AsyncConnection) -> None:
            await conversation.write_pending(connection, pending)

        await journal.mark_handled(database, bot_id, update_id, also=write_conversation)
        conversation.keep_pending(pending)

    async def _keep_failed(self, bot_id: int, event: Update, error: Exception) -> int:
        text = "".join(traceback.format_exception(error, limit=-8))[-8000:]
        try:
            return await journal.mark_failed(self.database, bot_id, event.update_id, text)
        except Exception:
            log.exception("update %s failed and could not be kept", event.update_id)
            return 1
