"""The broadcast sender: claims deliveries from the outbox and sends them one by one through the
shared throttle (as broadcasts, so replies go first), marking each sent, failed or blocked.

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

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy import select, update

from bot.notices import outbox
from bot.notices import plans as notices
from bot.notices.sender_lock import SenderLock
from bot.telegram.session import broadcasting
from bot.texts import Catalogue, Translator
from bot.timing.quiet_hours import in_quiet_hours
from storage.db import Database
from storage.models import Delivery, DeliveryState, Notice, Person
from storage.types import utcnow

log = logging.getLogger(__name__)

BATCH = 50
IDLE_S = 1.0
PROGRESS_EVERY_S = 3.0

AckButton = Callable[[Translator, int], InlineKeyboardMarkup]
# A notice with a subject (`subject_kind`, `subject_id`) is drawn for each reader when it is
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
        batch: int = BATCH,
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
        self.database = database
        self.catalogue = catalogue
        self.ack_button = ack_button
        self.batch = batch
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
            for delivery in claimed:
                await self._send(delivery, runs[delivery.notice_id], readers[delivery.person_id])
        finally:
            broadcasting.reset(token)
        await self._report(runs.values())
        return len(claimed)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Until `stop` is set: while this instance is the sender, send what is claimable; else
        wait a moment."""
        try:
            while not stop.is_set():
                handled = 0
                try:
                    if await self.lock.held():
                        handled = await self.run_once()
                except Exception:
                    log.exception("the sender failed a batch; it will be claimed again")
                if not handled:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), IDLE_S)
        finally:
            await self.lock.release()

    async def _send(self, delivery: Delivery, notice: Notice, t: Translator) -> None:
        state, error = DeliveryState.SENT, None
        try:
            await self._deliver(delivery.chat_id, notice, t)
        except TelegramForbiddenError as forbidden:
            state, error = DeliveryState.BLOCKED, str(forbidden)
        except TelegramRetryAfter:
            state = DeliveryState.PENDING
        except TelegramAPIError as failure:
            state, error = DeliveryState.FAILED, str(failure)
        await outbox.finish(self.database, delivery.id, state, error)
        if self.on_delivery is not None:
            self.on_delivery(state)

    async def _deliver(self, chat_id: int, notice: Notice, t: Translator) -> None:
        text = render(notice, t)
        markup = self.ack_button(t, notice.reminder_of or notice.id) if notice.ack else None
        view = self.subjects.get(notice.subject_kind or "")
        if view is not None and notice.subject_id is not None:
            drawn = await view(notice.subject_id, t)
            if drawn is not None:
                text, markup = render(notice, t, drawn[0]), drawn[1]
        if notice.media_kind == "photo":
            await self.bot.send_photo(
                chat_id, notice.media_file_id or "", caption=text, reply_markup=markup
            )
        elif notice.media_kind == "document":
            await self.bot.send_document(
                chat_id, notice.media_file_id or "", caption=text, reply_markup=markup
            )
        else:
            await self.bot.send_message(chat_id, text, reply_markup=markup)

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
