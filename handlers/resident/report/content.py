"""What is wrong (text or a photo caption) and the photos: single, albums, images as files.

Anything that is not an image is refused with what is accepted; a photo sent at any step of a
report is kept (up to five)."""

from __future__ import annotations

from contextlib import suppress

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import StateFilter
from aiogram.types import CallbackQuery, Message

from bot.reports import drafts
from bot.texts import Translator
from handlers.common.callbacks import Nav, ReportNav
from handlers.common.images import incoming_image, store_image
from handlers.resident.report import keyboards, steps
from handlers.resident.report.steps import Flow, ReportState


async def describe(message: Message, flow: Flow) -> None:
    draft = await drafts.describe(flow.database, flow.require_draft().id, message.text or "")
    await steps.advance(flow, draft)


async def photo(message: Message, flow: Flow) -> None:
    """A photo at any step: kept; at the description step its caption is the description."""
    draft = flow.require_draft()
    image = incoming_image(message)
    added = await store_image(flow.media, flow.database, draft.id, image)
    if not added.added and added.count >= drafts.MAX_PHOTOS:
        await flow.say("report.photo_limit", limit=drafts.MAX_PHOTOS)
        return
    current = await flow.state.get_state()
    if current == ReportState.photos.state:
        await _update_photo_prompt(flow, draft.id, added.count, image.media_group_id)
        return
    if current == ReportState.description.state and message.caption:
        await steps.advance(flow, await drafts.describe(flow.database, draft.id, message.caption))
        return
    if image.media_group_id is not None and not await _first_of_album(flow, image.media_group_id):
        return  # one answer per album, not one per photo
    if current == ReportState.description.state:
        await flow.say("report.photo_needs_text", count=added.count)
    else:
        await flow.say("report.photo_added", count=added.count, limit=drafts.MAX_PHOTOS)


async def _first_of_album(flow: Flow, media_group_id: str) -> bool:
    """True for the first photo of an album seen in this report."""
    if (await flow.state.get_data()).get("album") == media_group_id:
        return False
    await flow.state.update_data(album=media_group_id)
    return True


async def _update_photo_prompt(
    flow: Flow, case_id: int, count: int, media_group_id: str | None
) -> None:
    """One prompt per photo or album, with the count and the Done button; album photos edit it."""
    data = await flow.state.get_data()
    text = flow.t("report.photos_received", count=count, limit=drafts.MAX_PHOTOS)
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


async def photos_done(query: CallbackQuery, callback_data: ReportNav, flow: Flow) -> None:
    draft = await flow.own_draft(callback_data.case_id)
    await query.answer()
    await flow.state.update_data(photos_done=True)
    following = await steps.missing_step(flow, draft)
    if following == "place" and flow.message_id is not None:
        # The place needs its own keyboard, so a new message: this one keeps no buttons.
        with suppress(TelegramBadRequest):
            await flow.bot.edit_message_reply_markup(
                chat_id=flow.chat_id, message_id=flow.message_id, reply_markup=None
            )
        flow.message_id = None
    await steps.ask(flow, draft, following)


async def not_an_image(message: Message, t: Translator) -> None:
    """Video, voice, audio, a PDF or a sticker while a report is open."""
    try:
        incoming_image(message)
    except drafts.ReportError as error:
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
