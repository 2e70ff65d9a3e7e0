"""What is wrong (text or a photo caption) and the photos: single, albums, images as files.

Anything that is not an image is refused with what is accepted; a photo sent at any step of a
report is kept (up to five)."""

from __future__ import annotations

from contextlib import suppress

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot import reports
from bot.config import Settings
from bot.texts import Translator
from handlers.callbacks import Nav, ReportNav
from handlers.report import keyboards, steps
from handlers.report.common import incoming_image, make_flow, own_draft, store_image
from handlers.report.steps import ReportState
from storage.db import Database
from storage.models import Person


async def describe(
    message: Message,
    person: Person,
    t: Translator,
    language: str,
    database: Database,
    settings: Settings,
    state: FSMContext,
    bot: Bot,
) -> None:
    draft = await reports.draft_of(database, person.id)
    if draft is None:
        raise reports.ReportError("report.gone")
    draft = await reports.describe(database, draft.id, message.text or "")
    flow = make_flow(bot, message.chat.id, t, language, database, settings, state)
    await steps.advance(flow, draft)


async def photo(
    message: Message,
    person: Person,
    t: Translator,
    language: str,
    database: Database,
    settings: Settings,
    state: FSMContext,
    bot: Bot,
) -> None:
    """A photo at any step: kept; at the description step its caption is the description."""
    draft = await reports.draft_of(database, person.id)
    if draft is None:
        raise reports.ReportError("report.gone")
    image = incoming_image(message)
    added = await store_image(database, draft.id, image)
    if not added.added and added.count >= reports.MAX_PHOTOS:
        await message.answer(t("report.photo_limit", limit=reports.MAX_PHOTOS))
        return
    current = await state.get_state()
    flow = make_flow(bot, message.chat.id, t, language, database, settings, state)
    if current == ReportState.description.state:
        if message.caption:
            draft = await reports.describe(database, draft.id, message.caption)
            await steps.advance(flow, draft)
        elif image.media_group_id is None or await _first_of_album(state, image.media_group_id):
            await message.answer(t("report.photo_needs_text", count=added.count))
        return
    if current == ReportState.photos.state:
        await _update_photo_prompt(flow, draft.id, added.count, image.media_group_id)
        return
    if image.media_group_id is None or await _first_of_album(state, image.media_group_id):
        await message.answer(t("report.photo_added", count=added.count, limit=reports.MAX_PHOTOS))


async def _first_of_album(state: FSMContext, media_group_id: str) -> bool:
    """True for the first photo of an album seen in this report (answer once, not per photo)."""
    data = await state.get_data()
    if data.get("album") == media_group_id:
        return False
    await state.update_data(album=media_group_id)
    return True


async def _update_photo_prompt(
    flow: steps.Flow, case_id: int, count: int, media_group_id: str | None
) -> None:
    """One prompt per photo or album, with the count and the Done button; album photos edit it."""
    data = await flow.state.get_data()
    text = flow.t("report.photos_received", count=count, limit=reports.MAX_PHOTOS)
    markup = keyboards.photos(flow.t, case_id, count)
    if media_group_id is not None and data.get("album") == media_group_id:
        with suppress(TelegramBadRequest):
            await flow.bot.edit_message_text(
                text,
                chat_id=flow.chat_id,
                message_id=data["photos_message_id"],
                reply_markup=markup,
            )
        return
    message = await flow.bot.send_message(flow.chat_id, text, reply_markup=markup)
    await flow.state.update_data(photos_message_id=message.message_id, album=media_group_id)


async def photos_done(
    query: CallbackQuery,
    callback_data: ReportNav,
    person: Person,
    t: Translator,
    language: str,
    database: Database,
    settings: Settings,
    state: FSMContext,
    bot: Bot,
) -> None:
    draft = await own_draft(database, person, callback_data.case_id)
    await query.answer()
    await state.update_data(photos_done=True)
    flow = make_flow(bot, query.from_user.id, t, language, database, settings, state)
    await steps.advance(flow, draft)


async def not_an_image(message: Message, t: Translator) -> None:
    """Video, voice, audio, a PDF or a sticker while a report is open."""
    try:
        incoming_image(message)
    except reports.ReportError as error:
        await message.answer(t(error.key, **error.values))


async def text_please(message: Message, t: Translator) -> None:
    await message.answer(t("report.text_please"))


async def no_forwards(message: Message, t: Translator) -> None:
    await message.answer(t("report.no_forwards"))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private", StateFilter(ReportState))
    router.message.register(no_forwards, F.forward_origin)
    router.message.register(photo, F.photo)
    router.message.register(photo, F.document.mime_type.startswith("image/"))
    router.message.register(describe, ReportState.description, F.text)
    router.message.register(text_please, ReportState.description, F.sticker)
    router.message.register(
        not_an_image, F.video | F.voice | F.audio | F.document | F.animation | F.video_note
    )
    router.callback_query.register(photos_done, ReportNav.filter(F.action == Nav.PHOTOS_DONE))
    return router
