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
from typing import Any, Protocol, TypeVar, cast

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import NextRequestMiddlewareType
from aiogram.dispatcher.middlewares.user_context import (
    EVENT_CONTEXT_KEY,
    EventContext,
    UserContextMiddleware,
)
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import TelegramObject, Update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.errors import PoliteError
from bot.texts import Catalogue
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


T = TypeVar("T")

# A journal write (claim, "handled" mark) the database cannot take yet is tried again for this
# long; the person is told once to wait when it takes more than APOLOGY_AFTER_S (apologies only
# for waits people notice).
CLAIM_PATIENCE_S = 300.0
APOLOGY_AFTER_S = 60.0


class UpdateMetrics(Protocol):
    """What the journal tells the process's metrics (app.metrics.Metrics is one)."""

    def tracking(self) -> AbstractContextManager[Any]:
        """Counts an update as in progress while it is handled."""

    def handled(self, outcome: str, started: float) -> None:
        """One update finished: handled, failed or duplicate, started at `started`."""


class UpdateJournalMiddleware(BaseMiddleware):
    def __init__(
        self,
        database: Database,
        metrics: UpdateMetrics | None = None,
        catalogue: Catalogue | None = None,
    ) -> None:
        self.database = database
        self.catalogue = catalogue  # for "please wait" while the database is locked
        self.metrics = metrics
        self.in_flight: set[asyncio.Future[Any]] = set()
        self.received: set[int] = set()  # polled updates claimed on arrival (`receive`)

    async def receive(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        """A middleware of the bot's session, for polling: the updates a poll returns are
        claimed before the polling loop can ask for more (which tells Telegram to forget them),
        so a process that stops at any point after this leaves them in the journal. While the
        database cannot take them the loop waits (Telegram keeps them), and past
        APOLOGY_AFTER_S their people are told once that they will be handled."""
        response = await make_request(bot, method)  # the chain passes results, not Responses
        if not isinstance(method, GetUpdates) or not response:
            return response
        updates = cast(list[Update], response)
        batch = [(u.update_id, u.model_dump(mode="json", exclude_none=True)) for u in updates]
        self.received |= await _patiently(
            updates[0].update_id,
            lambda: journal.receive(self.database, bot.id, batch),
            on_long_wait=lambda: self._tell_each_to_wait(bot, updates),
        )
        return response

    async def _tell_each_to_wait(self, bot: Bot, updates: list[Update]) -> None:
        """Once a chat, however many of its messages wait."""
        chats: dict[int, EventContext] = {}
        for update in updates:
            context = UserContextMiddleware.resolve_event_context(update)
            if context.chat is not None:
                chats.setdefault(context.chat.id, context)
        for context in chats.values():
            await self._tell_to_wait(bot, context)

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
        if event.update_id in self.received:  # claimed on arrival
            self.received.discard(event.update_id)
            claim = Claim.TAKEN
        else:
            payload = event.model_dump(mode="json", exclude_none=True)
            claim = await self._claim(bot_id, event, payload, data)
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

    async def _claim(
        self, bot_id: int, event: Update, payload: dict[str, Any], data: dict[str, Any]
    ) -> Claim:
        """The claim, retried while the database cannot be written (see `_patiently`); past
        APOLOGY_AFTER_S the person is told once that their message will be handled."""
        return await _patiently(
            event.update_id,
            lambda: journal.claim(self.database, bot_id, event.update_id, payload),
            on_long_wait=lambda: self._tell_to_wait(data["bot"], data[EVENT_CONTEXT_KEY]),
        )

    async def _tell_to_wait(self, bot: Bot, context: EventContext) -> None:
        chat, user = context.chat, context.user
        if chat is None or chat.type != "private" or self.catalogue is None:
            return
        language = self.catalogue.language_for(None, user.language_code if user else None)
        try:
            await bot.send_message(chat.id, self.catalogue.translator(language)("error.busy"))
        except TelegramAPIError:
            log.warning("could not tell chat %s to wait", chat.id)

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
        """The update is handled, and its conversation changes written, in one transaction;
        retried while the database cannot be written, since the work it records is done."""
        if conversation is None or pending is None:
            await _patiently(update_id, lambda: journal.mark_handled(database, bot_id, update_id))
            return

        async def write_conversation(connection: AsyncConnection) -> None:
            await conversation.write_pending(connection, pending)

        await _patiently(
            update_id,
            lambda: journal.mark_handled(database, bot_id, update_id, also=write_conversation),
        )
        conversation.keep_pending(pending)

    async def _keep_failed(self, bot_id: int, event: Update, error: Exception) -> int:
        text = "".join(traceback.format_exception(error, limit=-8))[-8000:]
        try:
            return await journal.mark_failed(self.database, bot_id, event.update_id, text)
        except Exception:
            log.exception("update %s failed and could not be kept", event.update_id)
            return 1


async def _patiently(
    update_id: int,
    write: Callable[[], Awaitable[T]],
    on_long_wait: Callable[[], Awaitable[None]] | None = None,
) -> T:
    """A journal write, tried again while the database cannot take it (SQLite locked past its
    busy timeout, PostgreSQL gone): the update waits rather than being lost, and past
    APOLOGY_AFTER_S `on_long_wait` runs, once. Past CLAIM_PATIENCE_S it fails (a webhook
    delivery is then answered 500 and comes again)."""
    started, delay, told = time.monotonic(), 0.1, False
    while True:
        try:
            return await write()
        except (OperationalError, InterfaceError) as error:
            waited = time.monotonic() - started
            if waited > CLAIM_PATIENCE_S:
                raise
            log.warning("update %s waits for the database: %s", update_id, error.orig)
            if waited > APOLOGY_AFTER_S and on_long_wait is not None and not told:
                told = True
                await on_long_wait()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
