"""What a change of a dog owes people, delivered: a submitted dog's review card to each of its
reviewers (kept, so later changes edit it), and a decision's outcome to the owner (the number,
or the reason with a button to send it again) while every reviewer's card shows the outcome and
loses its buttons.

The registry writes the owed row with the change (`registry.REVIEW_OWED`, `DECISION_OWED`); this
delivers it and settles it, and the clock delivers what a stopped process left (`deliver`, late:
a reviewer who holds the submission's card gets no second one).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress
from datetime import date, datetime, tzinfo

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dogs import registry, views
from bot.dogs.registry import Outcome
from bot.telegram.session import CAPTION_LIMIT
from bot.texts import Catalogue, Translator
from storage import owed as rows
from storage.db import Database
from storage.models import Dog, DogEvent, DogReviewCard, DogStatus, Owed, Person
from storage.types import utcnow
from storage.upsert import upsert

log = logging.getLogger(__name__)

Buttons = Callable[[Translator, int], InlineKeyboardMarkup]  # by the dog's id


class DogNews:
    """Sends what dogs' changes owe; the buttons come from the chat layer."""

    def __init__(
        self, bot: Bot, catalogue: Catalogue, tz: tzinfo, review: Buttons, resubmit: Buttons
    ) -> None:
        self.bot = bot
        self.catalogue = catalogue
        self.tz = tz
        self.review = review
        self.resubmit = resubmit

    async def after(self, database: Database, outcome: Outcome) -> None:
        """Everything the change owes, then its row is done."""
        if outcome.owed is None:
            return
        await self.deliver(database, outcome.owed)
        await rows.settle(database, Owed, outcome.owed.id)

    async def deliver(self, database: Database, row: Owed, *, late: bool = False) -> None:
        """What one owed row says (`late`: again after a stop)."""
        if row.kind == registry.REVIEW_OWED:
            await self.send_cards(database, row.subject_id, row.what or 0, skip_carded=late)
        elif row.kind == registry.DECISION_OWED:
            await self._tell_owner(database, row.subject_id, row.what or 0)
            await self.refresh_cards(database, row.subject_id)

    async def deliver_late(self, database: Database, row: Owed, _now: datetime) -> None:
        """The clock's delivery of a row a stopped process left."""
        await self.deliver(database, row, late=True)

    async def send_cards(
        self, database: Database, dog_id: int, event_id: int, *, skip_carded: bool = False
    ) -> int:
        """The dog's card, with its photo and the review buttons, to each reviewer in their
        language; returns how many got it. `skip_carded`: not to a reviewer who holds the
        card of this submission already."""
        async with database.sessions() as session:
            dog = await session.get(Dog, dog_id)
            if dog is None or dog.status != DogStatus.PENDING:
                return 0
            reviewers = await registry.reviewers(session, dog)
            carded = await _carded(session, dog_id, event_id) if skip_carded else set()
        sent = 0
        for reviewer in reviewers:
            if reviewer.tg_id in carded:
                continue
            sent += await self._send_card(database, dog_id, event_id, reviewer)
        return sent

    async def _send_card(
        self, database: Database, dog_id: int, event_id: int, reviewer: Person
    ) -> bool:
        t = self._translator(reviewer)
        card = await views.card(database, dog_id, reviewer, t, self._today())
        if card is None:
            return False
        try:
            message = await self.bot.send_photo(
                reviewer.tg_id,
                card.dog.photo_file_id,
                caption=card.text[:CAPTION_LIMIT],
                reply_markup=self.review(t, dog_id),
            )
        except TelegramAPIError as error:
            log.warning("dog %s: review card not sent to %s: %s", dog_id, reviewer.id, error)
            return False
        values = {"message_id": message.message_id, "event_id": event_id}
        async with database.transaction() as session:
            keys = {"dog_id": dog_id, "chat_id": reviewer.tg_id}
            await upsert(session, DogReviewCard, {**keys, **values}, list(keys))
        return True

    async def refresh_cards(self, database: Database, dog_id: int) -> None:
        """Every reviewer's card of the dog shows it as it is now, without buttons."""
        async with database.sessions() as session:
            cards = list(
                await session.scalars(select(DogReviewCard).where(DogReviewCard.dog_id == dog_id))
            )
            chats = [card.chat_id for card in cards]
            people = {
                p.tg_id: p
                for p in await session.scalars(select(Person).where(Person.tg_id.in_(chats)))
            }
        for card in cards:
            reviewer = people.get(card.chat_id)
            if reviewer is None:
                continue
            t = self._translator(reviewer)
            view = await views.card(database, dog_id, reviewer, t, self._today())
            if view is None:
                continue
            with suppress(TelegramBadRequest):  # "not modified", or too old to edit
                await self.bot.edit_message_caption(
                    chat_id=card.chat_id,
                    message_id=card.message_id,
                    caption=view.text[:CAPTION_LIMIT],
                    reply_markup=None,
                )

    async def _tell_owner(self, database: Database, dog_id: int, event_id: int) -> None:
        async with database.sessions() as session:
            dog = await session.get(Dog, dog_id)
            event = await session.get(DogEvent, event_id)
            owner = await session.get(Person, dog.owner_id) if dog else None
        if dog is None or event is None or owner is None or not owner.reachable:
            return
        t = self._translator(owner)
        markup = None
        if event.action == registry.Action.APPROVE:
            text = t("dogs.owner_approved", name=dog.name, number=dog.number or "")
        else:
            reason = t(f"dogs.reason_{event.note}")
            text = t("dogs.owner_returned", name=dog.name, reason=reason)
            markup = self.resubmit(t, dog.id)
        try:
            await self.bot.send_message(owner.tg_id, text, reply_markup=markup)
        except TelegramAPIError as error:
            log.warning("dog %s: owner not told of %s: %s", dog_id, event.action, error)

    def _today(self) -> date:
        return utcnow().astimezone(self.tz).date()

    def _translator(self, person: Person) -> Translator:
        return self.catalogue.translator_for(person.language, person.tg_language)


async def _carded(session: AsyncSession, dog_id: int, event_id: int) -> set[int]:
    """The chats that hold the card of this submission."""
    found = await session.scalars(
        select(DogReviewCard.chat_id).where(
            DogReviewCard.dog_id == dog_id, DogReviewCard.event_id == event_id
        )
    )
    return set(found)
