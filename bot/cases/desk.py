"""The officers' desk in chat: each new case goes as a card to whoever routing names; every
later change edits those cards in place, so an old card never lies; what the resident adds is
relayed to them, masked ("the resident of case N")."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from contextlib import suppress
from datetime import tzinfo
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup, InputMediaPhoto
from sqlalchemy import select

from bot.cases import card_view, owed
from bot.cases import lifecycle as cases
from bot.cases.lifecycle import Action, Outcome
from bot.cases.news import Notifier
from bot.categories import departments
from bot.places import routing
from bot.stations.alerts import Alerter
from bot.texts import Catalogue, Translator
from storage.db import Database
from storage.models import (
    Case,
    CaseCard,
    CaseMedia,
    Person,
    Role,
)
from storage.upsert import upsert

log = logging.getLogger(__name__)

CardButtons = Callable[[Translator, Case], InlineKeyboardMarkup | None]
ALBUM_LIMIT = 10


class Desk:
    def __init__(
        self,
        bot: Bot,
        database: Database,
        catalogue: Catalogue,
        notifier: Notifier,
        buttons: CardButtons,
        tz: tzinfo,
        tolerance_m: float,
        stations: Alerter | None = None,
        dog_lines: card_view.DogLines | None = None,
    ) -> None:
        self.bot = bot
        self.database = database
        self.catalogue = catalogue
        self.notifier = notifier
        self.buttons = buttons
        self.tz = tz
        self.tolerance_m = tolerance_m
        self.stations = stations
        self.dog_lines = dog_lines

    def for_update(self, database: Database) -> Desk:
        """This desk doing one update's work, in that update's unit of work."""
        desk = copy.copy(self)
        desk.database = database
        desk.notifier = self.notifier.for_update(database)
        if self.stations is not None:
            desk.stations = self.stations.for_update(database)
        return desk

    async def act(
        self, case_id: int, action: Action, actor: Person | None, **details: Any
    ) -> Outcome:
        """Do a lifecycle action in its own transaction, then everything that follows it."""
        async with self.database.transaction() as session:
            outcome = await cases.apply(session, case_id, action, actor, **details)
        await self.after(outcome, actor_id=actor.id if actor else None)
        return outcome

    async def after(
        self, outcome: Outcome, actor_id: int | None = None, *, late: bool = False
    ) -> None:
        """Everything a lifecycle action owes: news, cards, relays; then its owed row is done.
        `late`: delivered again after a stop, so a chat that has the case's card gets none."""
        await self.notifier.tell(outcome, actor_id)
        # Existing cards first: a case's new cards (submit, transfer) are current already.
        # A case just submitted has none: it was a draft, and drafts are shown to no one.
        if outcome.action is not Action.SUBMIT:
            await self.refresh_cards(outcome.case.id)
        if outcome.action is Action.SUBMIT and self.stations is not None:
            await self.stations.alert(outcome.case.id)  # a fire now: its station first
        if outcome.action in (Action.SUBMIT, Action.TRANSFER):
            await self.dispatch(outcome.case, skip_carded=late)
        if outcome.action in (Action.ADD_INFO, Action.REOPEN):
            await self.relay(outcome)
        if outcome.owed is not None:
            await owed.settle(self.database, outcome.owed.id)

    async def dispatch(self, case: Case, *, skip_carded: bool = False) -> int:
        """Send the case's card (as the lifecycle action left it) to the people routing names;
        returns how many got it. `skip_carded`: not to chats that hold a card of it already."""
        route = await routing.route(self.database, case, self.tolerance_m)
        if route.grid is not None and case.area_id != route.grid.id:  # routing set the grid
            case = await self._case(case.id) or case
        carded = await self._carded(case.id) if skip_carded else set()
        sent = 0
        for person in route.people:
            if person.tg_id in carded or (person.reachable and await self._send_card(person, case)):
                sent += 1
        for group in await departments.groups_of(self.database, case):
            if group in carded or await self._send_card_to(
                group, self._translator(None), case, None
            ):
                sent += 1
        if not sent:
            log.warning("case %s reached nobody: no staff for its area", case.number)
        return sent

    async def _send_card(self, person: Person, case: Case, header: str = "") -> bool:
        t = self._translator(person)
        return await self._send_card_to(person.tg_id, t, case, person, header)

    async def _send_card_to(
        self, chat_id: int, t: Translator, case: Case, viewer: Person | None, header: str = ""
    ) -> bool:
        """The case's evidence, then its card (after `header`, e.g. why it reaches them)."""
        admin = viewer is not None and viewer.role == Role.ADMIN
        try:
            await self._send_evidence(chat_id, case)
            text = await self.card_text(case, t, admin, viewer)
            message = await self.bot.send_message(
                chat_id,
                f"{header}\n\n{text}" if header else text,
                reply_markup=self.buttons(t, case),
            )
        except TelegramAPIError as error:
            log.warning("card of %s not sent to chat %s: %s", case.number, chat_id, error)
            return False
        await self.remember_card(case.id, chat_id, message.message_id)
        await self._catch_up(case, chat_id, message.message_id, t, admin, viewer)
        return True

    async def _catch_up(
        self,
        sent: Case,
        chat_id: int,
        message_id: int,
        t: Translator,
        admin: bool,
        viewer: Person | None,
    ) -> None:
        """A card sent slowly (a group's, a retried one) may land after an action's edits of
        the cards it found: edit it to the case as it is now, when that differs."""
        case = await self._case(sent.id)
        if case is None or card_view.shown(case) == card_view.shown(sent):
            return
        with suppress(TelegramBadRequest):  # "not modified": the text did not change
            await self.bot.edit_message_text(
                await self.card_text(case, t, admin, viewer),
                chat_id=chat_id,
                message_id=message_id,
                reply_markup=self.buttons(t, case),
            )

    async def remember_card(self, case_id: int, chat_id: int, message_id: int) -> None:
        """Keep a card so later changes edit it (the newest card per chat)."""
        async with self.database.transaction() as session:
            await upsert(
                session,
                CaseCard,
                {"case_id": case_id, "chat_id": chat_id, "message_id": message_id},
                ["case_id", "chat_id"],
            )

    async def _send_evidence(self, chat_id: int, case: Case) -> None:
        async with self.database.sessions() as session:
            photos = (
                await session.scalars(
                    select(CaseMedia)
                    .where(CaseMedia.case_id == case.id, CaseMedia.stage == "report")
                    .order_by(CaseMedia.id)
                    .limit(ALBUM_LIMIT)
                )
            ).all()
        if len(photos) == 1:
            await self.bot.send_photo(chat_id, photos[0].file_id)
        elif photos:
            await self.bot.send_media_group(
                chat_id, [InputMediaPhoto(media=photo.file_id) for photo in photos]
            )
        if case.latitude is not None and case.longitude is not None:
            if case.address:
                await self.bot.send_venue(
                    chat_id, case.latitude, case.longitude, case.number or "", case.address
                )
            else:
                await self.bot.send_location(chat_id, case.latitude, case.longitude)

    async def tell_staff(
        self, people: list[Person], case: Case, key: str, with_card: bool = False
    ) -> int:
        """A reminder to staff, or an escalation: then one message, its card under the words."""
        told = 0
        for person in people:
            if not person.reachable:
                continue
            t = self._translator(person)
            text = t(
                key,
                number=case.number or "",
                due=card_view.when(
                    case.accept_due_at if case.status == "new" else case.resolve_due_at, self.tz
                ),
            )
            if with_card:
                told += await self._send_card(person, case, header=text)
                continue
            try:
                await self.bot.send_message(person.tg_id, text)
            except TelegramAPIError as error:
                log.warning("reminder of %s not sent to %s: %s", case.number, person.id, error)
                continue
            told += 1
        return told

    async def tell_group(self, case: Case, key: str) -> bool:
        """Tell the department groups of the case (if bound) about it; whether one was told."""
        t = self._translator(None)
        told = False
        for group in await departments.groups_of(self.database, case):
            try:
                await self.bot.send_message(group, t(key, number=case.number or ""))
            except TelegramAPIError as error:
                log.warning("department group %s not told about %s: %s", group, case.number, error)
                continue
            told = True
        return told

    async def refresh_cards(self, case_id: int) -> None:
        """Edit every card of the case to show its current state and buttons."""
        case = await self._case(case_id)
        if case is None:
            return
        async with self.database.sessions() as session:
            cards = (
                await session.scalars(select(CaseCard).where(CaseCard.case_id == case_id))
            ).all()
        people = await self._people([card.chat_id for card in cards])
        # One text per language and admin view (and per reader when a dog's owner may show).
        texts: dict[tuple[str, bool, int | None], str] = {}
        for card in cards:
            person = people.get(card.chat_id)
            t = self._translator(person)
            reader = person.id if person is not None and case.dog_id is not None else None
            view = (t.language, person is not None and person.role == Role.ADMIN, reader)
            if view not in texts:
                texts[view] = await self.card_text(case, t, view[1], person)
            with suppress(TelegramBadRequest):  # "not modified", or too old to edit
                await self.bot.edit_message_text(
                    texts[view],
                    chat_id=card.chat_id,
                    message_id=card.message_id,
                    reply_markup=self.buttons(t, case),
                )

    async def relay(self, outcome: Outcome) -> None:
        """What the resident added (words, a photo) goes to the case's cards, masked."""
        case = outcome.case
        async with self.database.sessions() as session:
            cards = (
                await session.scalars(select(CaseCard).where(CaseCard.case_id == case.id))
            ).all()
            photo = await session.scalar(
                select(CaseMedia)
                .where(CaseMedia.case_id == case.id, CaseMedia.stage.in_(["info", "reopen"]))
                .order_by(CaseMedia.id.desc())
                .limit(1)
            )
        people = await self._people([card.chat_id for card in cards])
        key = "desk.reopened" if outcome.action is Action.REOPEN else "desk.resident_added"
        for card in cards:
            t = self._translator(people.get(card.chat_id))
            text = t(key, number=case.number or "", note=outcome.event.note or "")
            with suppress(TelegramAPIError):
                if photo is not None and outcome.action is Action.ADD_INFO:
                    await self.bot.send_photo(card.chat_id, photo.file_id, caption=text[:1024])
                else:
                    await self.bot.send_message(card.chat_id, text)

    async def card_text(
        self, case: Case, t: Translator, show_reporter: bool, viewer: Person | None = None
    ) -> str:
        return await card_view.text(
            self.database, case, t, show_reporter, viewer, tz=self.tz, dog_lines=self.dog_lines
        )

    def _translator(self, person: Person | None) -> Translator:
        if person is None:
            return self.catalogue.translator(self.catalogue.default_language)
        return self.catalogue.translator_for(person.language, person.tg_language)

    async def _case(self, case_id: int) -> Case | None:
        async with self.database.sessions() as session:
            return await session.get(Case, case_id)

    async def _carded(self, case_id: int) -> set[int]:
        """The chats that hold a card of the case."""
        async with self.database.sessions() as session:
            rows = await session.scalars(
                select(CaseCard.chat_id).where(CaseCard.case_id == case_id)
            )
            return set(rows)

    async def _people(self, tg_ids: list[int]) -> dict[int, Person]:
        """The people behind some chats (a department group has none)."""
        if not tg_ids:
            return {}
        async with self.database.sessions() as session:
            rows = await session.scalars(select(Person).where(Person.tg_id.in_(tg_ids)))
            return {person.tg_id: person for person in rows}
