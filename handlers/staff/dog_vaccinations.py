"""The community's staff confirm or refuse an owner's newer vaccination from its card: the
registry checks who may (the dog's community's staff and admins) and renews the vaccination
only on a confirmation; the card shows the outcome and loses its buttons."""

from __future__ import annotations

from contextlib import suppress
from datetime import tzinfo

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery

from bot.dogs import vaccinations, views
from bot.texts import Catalogue, Translator
from handlers.common import dog_claim_cards
from handlers.common.callbacks import DogClaim
from storage.db import Database
from storage.models import Person
from storage.types import utcnow


async def decide(
    query: CallbackQuery,
    callback_data: DogClaim,
    person: Person,
    t: Translator,
    database: Database,
    catalogue: Catalogue,
    bot: Bot,
    tz: tzinfo,
) -> None:
    decided = await vaccinations.decide(
        database, catalogue, callback_data.claim_id, person, callback_data.confirm
    )
    outcome = t(f"dogs.vaccination_{decided.claim.status}_staff", name=decided.dog.name)
    await query.answer(outcome)
    card = await views.card(database, decided.dog.id, person, t, utcnow().astimezone(tz).date())
    if query.message is None or card is None:
        return
    with suppress(TelegramBadRequest):
        await bot.edit_message_caption(
            chat_id=query.message.chat.id,
            message_id=query.message.message_id,
            caption=dog_claim_cards.caption(t, decided.claim, card.text, outcome),
            reply_markup=None,
        )


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(decide, DogClaim.filter())  # the registry checks who
    return router
