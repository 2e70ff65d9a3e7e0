"""Patrol tracks in chat: a live location shared while doing a duty. Its first message is
answered once (the track is being kept, or no duty is started); its edits, one every few
seconds while the person walks, are kept silently (answering each would flood the chat). Each
point is dated by Telegram (the message's date, an edit's edit_date), not by its handling.

A live location shared in the middle of another conversation (a report's place step, a fix
verified on site) is that conversation's answer too: its first point is kept for the track
without a word, and the message is left to the conversation."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.duties import track
from bot.texts import Translator
from handlers.common.filters import HasRole
from storage.db import Database
from storage.models import Person, Role


async def live_shared(
    message: Message, person: Person, t: Translator, database: Database, state: FSMContext
) -> None:
    """The first message of a live location: its point starts (or goes on with) the track."""
    assert message.location is not None
    where = message.location
    occurrence = await track.record(
        database, person, where.latitude, where.longitude, at=message.date
    )
    if await state.get_state() is not None:
        raise SkipHandler  # kept as a point; the conversation under way takes it as its place
    await message.answer(t("patrol.recording" if occurrence else "patrol.no_duty"))


async def live_moved(message: Message, person: Person, database: Database) -> None:
    """An edit of a live location: one more point when a duty is being done, else nothing.
    The point is dated when Telegram saw the move (the edit's date), not when it is handled:
    updates queued while the bot was down arrive together but keep their own times."""
    assert message.location is not None
    where = message.location
    edited = message.edit_date  # Unix seconds in aiogram, unlike `date`
    at = datetime.fromtimestamp(edited, UTC) if edited else message.date
    await track.record(database, person, where.latitude, where.longitude, at=at)


def create_router() -> Router:
    router = Router(name=__name__)
    staff = HasRole(Role.OFFICER, Role.LEAD, Role.ADMIN, Role.VOLUNTEER)
    private = F.chat.type == "private"
    router.message.register(live_shared, private, F.location.live_period, staff)
    router.edited_message.register(live_moved, private, F.location, staff)
    return router
