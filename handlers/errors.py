"""The catch-all for exceptions: log with the update id, apologise once, keep the update.

The update itself is kept by the journal middleware; this only speaks to the person.
"""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent

from bot.errors import PoliteError
from bot.texts import Catalogue, Translator

log = logging.getLogger(__name__)


async def on_error(
    event: ErrorEvent,
    bot: Bot,
    catalogue: Catalogue,
    t: Translator | None = None,
    failure_attempt: int = 1,
) -> bool:
    update = event.update
    log.error(
        "update %s failed (attempt %s): %r",
        update.update_id,
        failure_attempt,
        event.exception,
        exc_info=event.exception,
    )
    if failure_attempt > 1:
        return True  # the person was already told on the first attempt
    translate = t or catalogue.translator(catalogue.default_language)
    try:
        await _apologise(bot, event, translate("error.generic"))
    except TelegramAPIError:
        log.warning("could not apologise for update %s", update.update_id, exc_info=True)
    return True


async def _apologise(bot: Bot, event: ErrorEvent, text: str) -> None:
    update = event.update
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
        return
    message = update.message or update.edited_message
    if message is None:
        return
    if message.chat.type == "private":
        await bot.send_message(message.chat.id, text)
    elif isinstance(event.exception, PoliteError) and (message.text or "").startswith("/"):
        await message.reply(text)  # a command in a group: answer it there, not the chatter


async def on_polite_error(
    event: ErrorEvent, bot: Bot, catalogue: Catalogue, t: Translator | None = None
) -> bool:
    """A known refusal (stale button, text too long, ...): answer it in the person's language."""
    error = event.exception
    assert isinstance(error, PoliteError)
    translate = t or catalogue.translator(catalogue.default_language)
    values = {k: v for k, v in error.values.items() if v is not None}
    await _apologise(bot, event, translate(error.key, **values))
    return True


def create_router() -> Router:
    router = Router(name=__name__)
    router.errors.register(on_polite_error, ExceptionTypeFilter(PoliteError))
    router.errors.register(on_error)
    return router
