"""The broadcast sender: claims deliveries from the outbox a batch at a time and sends them
through the shared throttle (as broadcasts, so replies go first), at most `window` at once,
marking each sent, failed or blocked. Marks are written in the background, many in one
transaction (at 25 a second one a message; at 1000 a second half the window at a time), and
at most `unwritten` sends are unmarked at once, so a crash repeats at most the messages in
flight: those being sent and those sent whose mark was not written yet.

Notices that paid broadcasting applies to (bot/notices/paid.py) are sent with Telegram's
`allow_paid_broadcast`, which the throttle counts at the paid rate instead of the free 30/s.

Each recipient reads the notice in their own language (its header and button); the author
sees a progress message edited as the run goes, and a report when it is done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import UTC, timedelta, tzinfo
from datetime import time as clock
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError, TelegramRetryAfter
from aiogram.methods import SendDocument, SendMessage, SendPhoto, TelegramMethod
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy import select, update
from sqlalchemy.exc import InterfaceError, OperationalError

from bot.notices import outbox
from bot.notices import plans as notices
from bot.notices.paid import PaidBroadcast
from bot.notices.sender_lock import SenderLock
from bot.telegram.prepared import PreparedMessage
from bot.telegram.session import broadcasting, retries_of
from bot.texts import Catalogue, Translator
from bot.timing.quiet_hours import in_quiet_hours
from storage.db import Database
from storage.models import DeliveryState, Notice, Person
from storage.types import utcnow

log = logging.getLogger(__name__)

BATCH = 50
WINDOW = 64  # messages sent at once: enough to hide each one's round trip at 1000/s
# Sends whose outcome is not written yet, at most: what a crash can repeat. At the free rate
# (30/s) two hide the writes' latency; a paid run (or a bench without limits) allows a window.
UNWRITTEN_FREE = 2
IDLE_S = 1.0
PROGRESS_EVERY_S = 3.0

AckButton = Callable[[Translator, int], InlineKeyboardMarkup]
# A notice with a subject (`subject_kind`, `subject_id`) is drawn for its readers when it is
# sent: its text and buttons in their language, from what the subject is now (e.g. the slots
# of an immunisation day). None: the subject is gone, and the notice's own text is sent.
SubjectView = Callable[[int, Translator], Awaitable[tuple[str, InlineKeyboardMarkup | None] | None]]


class Sender:
    def __init__(
        self,
        bot: Bot,
        database: Database,
        catalogue: Catalogue,
        ack_button: AckButton,
        *,
        batch: int | None = None,
        window: int = WINDOW,
        unwritten: int | None = None,
        paid: PaidBroadcast | None = None,
        claim_timeout: timedelta = outbox.STALE_CLAIM,
        tz: tzinfo = UTC,
        quiet: tuple[clock, clock] | None = None,
        on_delivery: Callable[[DeliveryState], None] | None = None,
        subjects: Mapping[str, SubjectView] | None = None,
    ) -> None:
        self.subjects = dict(subjects or {})
        self.on_delivery = on_delivery  # counts each delivery's outcome (the metrics)
        self.lock = SenderLock(database)
        self.bot = bot
        self.retries = retries_of(bot)  # the bot's own: its throttle and retries
        self.database = database
        self.catalogue = catalogue
        self.ack_button = ack_button
        self.paid = paid or PaidBroadcast()
        # A paid run claims half a second's worth at a time, so batches do not cap its rate.
        self.batch = batch or (max(BATCH, int(self.paid.rate / 2)) if self.paid.enabled else BATCH)
        self.window = window
        self.unwritten = unwritten
        self.claim_timeout = claim_timeout
        self.tz = tz
        self.quiet = quiet
        self._progress_at: dict[int, float] = {}

    async def run_once(self) -> int:
        """Run due plans, then send one claimed batch; returns how many deliveries it handled."""
        await notices.fire_due(self.database, self.tz, self.quiet)
        hold = in_quiet_hours(utcnow(), self.quiet, self.tz)
        claimed = await outbox.claim(
            self.database, self.batch, stale_after=self.claim_timeout, urgent_only=hold
        )
        if not claimed:
            return 0
        runs = await self._notices({d.notice_id for d in claimed})
        readers = await self._readers(d.person_id for d in claimed)
        token = broadcasting.set(True)
        try:
            await self._send_all(claimed, runs, readers)
        finally:
            broadcasting.reset(token)
        await self._report(runs.values())
        return len(claimed)

    async def _send_all(
        self,
        claimed: list[outbox.Claimed],
        runs: dict[int, Notice],
        readers: dict[int, Translator],
    ) -> None:
        """Send the batch, `window` at a time, marking each outcome."""
        paid = any(self.paid.applies(runs[d.notice_id].urgent) for d in claimed)
        limit = self.unwritten or (self.window if paid else UNWRITTEN_FREE)
        marks = _Marks(self.database, self.on_delivery, limit)
        messages: dict[tuple[int, str], PreparedMessage] = {}
        queue = iter(claimed)

        async def worker() -> None:
            for delivery in queue:  # shared: each worker takes the next delivery
                notice, t = runs[delivery.notice_id], readers[delivery.person_id]
                key = (notice.id, t.language)
                message = messages.get(key) or messages.setdefault(
                    key, await self._message(notice, t)
                )
                await marks.reserve()
                state, error = await self._send(delivery.chat_id, message)
                marks.add(delivery.id, state, error)

        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(min(self.window, len(claimed))):
                    group.create_task(worker())
        finally:  # on a failure too: what was sent stays sent, the rest is claimed again
            await marks.close()

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Until `stop` is set: while this instance is the sender, send what is claimable; else
        wait a moment."""
        try:
            while not stop.is_set():
                handled = 0
                try:
                    if await self.lock.held():
                        handled = await self.run_once()
                except (OperationalError, InterfaceError) as error:  # locked, or unreachable
                    log.warning("the sender waits for the database: %s", error.orig)
                except Exception:
                    log.exception("the sender failed a batch; it will be claimed again")
                if not handled:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), IDLE_S)
        finally:
            await self.lock.release()

    async def _message(self, notice: Notice, t: Translator) -> PreparedMessage:
        """The notice in one language, drawn once per batch for all its readers."""
        text = render(notice, t)
        markup = self.ack_button(t, notice.reminder_of or notice.id) if notice.ack else None
        view = self.subjects.get(notice.subject_kind or "")
        if view is not None and notice.subject_id is not None:
            drawn = await view(notice.subject_id, t)
            if drawn is not None:
                text, markup = render(notice, t, drawn[0]), drawn[1]
        paid = True if self.paid.applies(notice.urgent) else None
        method = _method(notice.media_kind, notice.media_file_id, text, markup, paid)
        return PreparedMessage(self.bot, method, self.retries)

    async def _send(
        self, chat_id: int, message: PreparedMessage
    ) -> tuple[DeliveryState, str | None]:
        try:
            await message.send(chat_id)
        except TelegramForbiddenError as forbidden:
            return DeliveryState.BLOCKED, str(forbidden)
        except TelegramRetryAfter:
            return DeliveryState.PENDING, None
        except TelegramAPIError as failure:
            return DeliveryState.FAILED, str(failure)
        return DeliveryState.SENT, None

    async def _notices(self, notice_ids: set[int]) -> dict[int, Notice]:
        async with self.database.sessions() as session:
            rows = await session.scalars(select(Notice).where(Notice.id.in_(notice_ids)))
            return {notice.id: notice for notice in rows.all()}

    async def _readers(self, person_ids: Iterable[int]) -> dict[int, Translator]:
        async with self.database.sessions() as session:
            rows = await session.execute(
                select(Person.id, Person.language, Person.tg_language).where(
                    Person.id.in_(set(person_ids))
                )
            )
            return {
                person_id: self.catalogue.translator_for(chosen, telegram)
                for person_id, chosen, telegram in rows.all()
            }

    async def _report(self, runs: Iterable[Notice]) -> None:
        """Edit the authors' progress messages (every few seconds) and report finished runs."""
        runs = list(runs)
        finished = set(await outbox.close_finished(self.database, [n.id for n in runs]))
        for notice in runs:
            if notice.progress_chat_id is None:
                continue
            due = time.monotonic() - self._progress_at.get(notice.id, 0) >= PROGRESS_EVERY_S
            if notice.id in finished or due:
                self._progress_at[notice.id] = time.monotonic()
                await self._tell_author(notice, done=notice.id in finished)

    async def _tell_author(self, notice: Notice, *, done: bool) -> None:
        progress = await outbox.progress(self.database, notice.id)
        t = await self._author_translator(notice)
        text = t(
            "notice.progress",
            number=notice.id,
            sent=progress.sent,
            remaining=progress.remaining,
            total=progress.total,
        )
        chat = notice.progress_chat_id
        assert chat is not None
        try:
            await self._show_progress(notice, chat, text)
            if done:
                await self.bot.send_message(
                    chat,
                    t(
                        "notice.report",
                        number=notice.id,
                        sent=progress.sent,
                        blocked=progress.blocked,
                        failed=progress.failed,
                    ),
                )
        except TelegramAPIError as error:  # the author's chat is not the broadcast's concern
            log.warning("could not tell the author of notice %s: %s", notice.id, error)

    async def _show_progress(self, notice: Notice, chat: int, text: str) -> None:
        if notice.progress_message_id is not None:
            with contextlib.suppress(TelegramAPIError):  # "not modified" and the like
                await self.bot.edit_message_text(
                    text, chat_id=chat, message_id=notice.progress_message_id
                )
            return
        sent = await self.bot.send_message(chat, text)
        notice.progress_message_id = sent.message_id
        async with self.database.transaction() as session:
            await session.execute(
                update(Notice)
                .where(Notice.id == notice.id)
                .values(progress_message_id=sent.message_id)
            )

    async def _author_translator(self, notice: Notice) -> Translator:
        async with self.database.sessions() as session:
            author = await session.get(Person, notice.author_id) if notice.author_id else None
        if author is None:
            return self.catalogue.translator(self.catalogue.default_language)
        return self.catalogue.translator_for(author.language, author.tg_language)


def _method(
    media_kind: str | None,
    file_id: str | None,
    text: str,
    markup: InlineKeyboardMarkup | None,
    paid: bool | None,
) -> TelegramMethod[Any]:
    """The call that sends a notice, for any chat (`chat_id` is filled in at each send)."""
    shared = {"chat_id": 0, "reply_markup": markup, "allow_paid_broadcast": paid}
    if media_kind == "photo":
        return SendPhoto(photo=file_id or "", caption=text, **shared)
    if media_kind == "document":
        return SendDocument(document=file_id or "", caption=text, **shared)
    return SendMessage(text=text, **shared)


class _Marks:
    """Outcomes of sends, written in the background (the senders go on meanwhile), one write at
    a time. At most `limit` sends are unwritten at once (started, or sent and not yet marked): a
    crash repeats no more. A write waits for half of them (a write's cost is mostly its own, not
    its rows': at 1000/s, writes of a few marks each took a third of the sender's CPU), or less
    when no other send is under way; at the free rate (limit 2) each outcome is written at once."""

    def __init__(
        self,
        database: Database,
        on_delivery: Callable[[DeliveryState], None] | None,
        limit: int,
    ) -> None:
        self.database = database
        self.on_delivery = on_delivery  # counts each delivery's outcome (the metrics)
        self.limit = limit
        self.enough = max(1, limit // 2)  # outcomes a write waits for while sends are under way
        self._pending: list[outbox.Outcome] = []
        self._writing: asyncio.Task[None] | None = None
        self._open = 0  # sends started whose outcome is not written yet
        self._flying = 0  # sends started whose outcome is not known yet
        self._room = asyncio.Condition()

    async def reserve(self) -> None:
        """Before a send: wait until fewer than `limit` are unwritten, then count this one."""
        if self._open >= self.limit:
            async with self._room:
                await self._room.wait_for(lambda: self._open < self.limit)
        self._open += 1
        self._flying += 1

    def add(self, delivery_id: int, state: DeliveryState, error: str | None) -> None:
        self._pending.append((delivery_id, state, error))
        self._flying -= 1
        if self.on_delivery is not None:
            self.on_delivery(state)
        if self._writing is None and self._due():
            self._writing = asyncio.create_task(self._write())

    def _due(self) -> bool:
        return len(self._pending) >= self.enough or (bool(self._pending) and not self._flying)

    async def _write(self) -> None:
        try:
            while self._due():
                pending, self._pending = self._pending, []
                await outbox.finish_many(self.database, pending)
                async with self._room:
                    self._open -= len(pending)
                    self._room.notify_all()
        finally:
            self._writing = None

    async def close(self) -> None:
        """Wait for the write under way, then write what is left."""
        if self._writing is not None:
            await self._writing
        pending, self._pending = self._pending, []
        await outbox.finish_many(self.database, pending)


def render(notice: Notice, t: Translator, body: str | None = None) -> str:
    """The notice as a recipient reads it: a header in their language, then the author's text
    (or `body`, drawn for the reader from the notice's subject)."""
    if notice.reminder_of is not None:
        header = t("notice.header_reminder")
    elif notice.urgent:
        header = t("notice.header_urgent")
    else:
        header = t("notice.header")
    return f"{header}\n\n{notice.text if body is None else body}"


class SenderTask:
    """The sender loop as a background task of the running bot (started and stopped with it)."""

    def __init__(self, sender: Sender) -> None:
        self.sender = sender
        self.started = asyncio.Event()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._stop.clear()
        self._task = asyncio.create_task(self.sender.run_forever(self._stop))
        self.started.set()

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None
