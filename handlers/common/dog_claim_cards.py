"""The card an owner's newer vaccination sends the community's staff, in the review card's
style: the certificate's photo, the dog's card (with its owner, as `views.card` lets them see)
and the new date and number, with Confirm and Refuse. The claim owes them (`vaccinations.
CLAIM_OWED`): `after` sends them and settles the row, `deliver_late` is the clock's delivery of
a row a stopped process left."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, tzinfo

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.dogs import vaccinations, views
from bot.telegram.session import CAPTION_LIMIT
from bot.texts import Catalogue, Translator
from handlers.common.callbacks import DogClaim
from storage import owed as rows
from storage.db import Database
from storage.models import DogVaccination, Owed, Person
from storage.types import utcnow

log = logging.getLogger(__name__)


def buttons(t: Translator, claim_id: int) -> InlineKeyboardMarkup:
    def button(key: str, confirm: bool) -> InlineKeyboardButton:
        data = DogClaim(claim_id=claim_id, confirm=confirm).pack()
        return InlineKeyboardButton(text=t(key), callback_data=data)

    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                button("dogs.button_confirm_vaccination", True),
                button("dogs.button_refuse_vaccination", False),
            ]
        ]
    )


def caption(t: Translator, claim: DogVaccination, card_text: str, outcome: str = "") -> str:
    lines = [
        t(
            "dogs.claim_title",
            date=claim.vaccinated_on.isoformat(),
            number=claim.certificate,
        ),
        card_text,
    ]
    if outcome:
        lines.append(outcome)
    return "\n".join(lines)[:CAPTION_LIMIT]


async def send(
    bot: Bot,
    database: Database,
    catalogue: Catalogue,
    claim: DogVaccination,
    reviewers: Sequence[Person],
    today: date,
) -> int:
    """The claim's card to each reviewer in their language; returns how many got it."""
    sent = 0
    for reviewer in reviewers:
        t = catalogue.translator_for(reviewer.language, reviewer.tg_language)
        card = await views.card(database, claim.dog_id, reviewer, t, today)
        if card is None:
            continue
        try:
            await bot.send_photo(
                reviewer.tg_id,
                claim.photo_file_id,
                caption=caption(t, claim, card.text),
                reply_markup=buttons(t, claim.id),
            )
            sent += 1
        except TelegramAPIError as error:
            log.warning("vaccination %s: card not sent to %s: %s", claim.id, reviewer.id, error)
    return sent


async def after(
    bot: Bot, database: Database, catalogue: Catalogue, sent: vaccinations.Sent, today: date
) -> None:
    """The cards a new claim owes, then its row is done."""
    await send(bot, database, catalogue, sent.claim, sent.reviewers, today)
    if sent.owed is not None:
        await rows.settle(database, Owed, sent.owed.id)


async def deliver_late(
    bot: Bot, database: Database, catalogue: Catalogue, tz: tzinfo, row: Owed, _now: datetime
) -> None:
    """The cards a stopped process owed, to the claim's reviewers now, unless it was decided."""
    sent = await vaccinations.waiting(database, row.subject_id)
    if sent is not None:
        today = utcnow().astimezone(tz).date()
        await send(bot, database, catalogue, sent.claim, sent.reviewers, today)
