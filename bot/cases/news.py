"""Telling reporters and followers what happened to their case, each in their language."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy import select

from bot.cases.lifecycle import Action, Outcome
from bot.texts import Catalogue, Translator
from storage.db import Database
from storage.models import Area, Case, CaseMedia, Person

log = logging.getLogger(__name__)

# The text each action sends; actions missing here tell nobody.
NOTICE_KEYS = {
    Action.ACCEPT: "notify.accepted",
    Action.REQUEST_INFO: "notify.info_requested",
    Action.RESOLVE: "notify.resolved",
    Action.CONFIRM: "notify.closed",
    Action.CLOSE: "notify.closed",
    Action.REJECT: "notify.rejected",
    Action.MERGE: "notify.merged",
    Action.REOPEN: "notify.reopened",
    Action.WITHDRAW: "notify.withdrawn",  # to followers: the reporter is the actor
}


# Buttons under a notice (e.g. Fixed / Not fixed for the reporter), made by the handlers layer.
ButtonsFactory = Callable[[Translator, Outcome, bool], InlineKeyboardMarkup | None]


class Notifier:
    """Sends the notices of a lifecycle outcome; a person who blocked the bot is skipped."""

    def __init__(
        self, bot: Bot, database: Database, catalogue: Catalogue, buttons: ButtonsFactory
    ) -> None:
        self.bot = bot
        self.database = database
        self.catalogue = catalogue
        self.buttons = buttons

    def for_update(self, database: Database) -> Notifier:
        """This notifier doing one update's work, in that update's unit of work."""
        notifier = copy.copy(self)
        notifier.database = database
        return notifier

    async def tell(self, outcome: Outcome, actor_id: int | None = None) -> int:
        """Notify everyone the outcome names except the actor; returns how many were told."""
        key = NOTICE_KEYS.get(outcome.action)
        if key is None:
            return 0
        case = outcome.case
        async with self.database.sessions() as session:
            people = (
                await session.scalars(select(Person).where(Person.id.in_(outcome.tell)))
            ).all()
            area = await session.get(Area, case.area_id) if case.area_id else None
            merged_into = (
                await session.get(Case, case.duplicate_of_id) if case.duplicate_of_id else None
            )
            after = await session.scalar(
                select(CaseMedia)
                .where(CaseMedia.case_id == case.id, CaseMedia.stage == "after")
                .order_by(CaseMedia.id.desc())
                .limit(1)
            )
        told = 0
        for person in people:
            if person.id == actor_id or not person.reachable:
                continue
            t = self.catalogue.translator_for(person.language, person.tg_language)
            text = t(
                key,
                number=case.number or "",
                note=outcome.event.note or "",
                area=area.name if area else t("notify.your_grid"),
                target=merged_into.number if merged_into and merged_into.number else "",
                verified=t("notify.verified_on_site") + "\n" if case.verified_on_site else "",
            )
            markup = self.buttons(t, outcome, person.id == case.reporter_id)
            told += await self._send(person.tg_id, text, markup, after.file_id if after else None)
        return told

    async def _send(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None, photo: str | None
    ) -> int:
        try:
            if photo and len(text) <= 1024:
                await self.bot.send_photo(chat_id, photo, caption=text, reply_markup=markup)
            else:
                await self.bot.send_message(chat_id, text, reply_markup=markup)
        except TelegramAPIError as error:  # 403 has marked the person unreachable already
            log.warning("could not notify chat %s: %s", chat_id, error)
            return 0
        return 1
