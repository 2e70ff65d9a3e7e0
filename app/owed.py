"""Who delivers each kind of owed row (storage.owed) a stopped process left: the dogs' news,
the vaccination claims' cards, the duties' watch, the fire stations' alerter. The cases' rows
have their own deliverers (bot.cases.owed, bot.deadlines.escalation); app.clock's `deliver_owed`
runs them all."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import partial

from aiogram import Bot

from bot.cases.desk import Desk
from bot.dogs import registry, vaccinations
from bot.dogs.news import DogNews
from bot.duties import watch
from bot.duties.watch import DutyWatch
from bot.people.menus import MENU_OWED, MenuSetter
from bot.stations import alerts
from bot.texts import Catalogue
from handlers.common import dog_claim_cards, dog_keyboards
from storage import owed as rows
from storage.db import Database
from storage.models import Owed

log = logging.getLogger(__name__)

Deliver = Callable[[Owed, datetime], Awaitable[None]]


@dataclass(frozen=True)
class Deliverer:
    deliver: Deliver
    lease: timedelta  # how long the process that made the change holds the row
    late: bool = True  # its rows are what a stopped process left (not the command line's)


def dog_news(bot: Bot, catalogue: Catalogue, tz: tzinfo) -> DogNews:
    """The dogs' news, with the chat layer's buttons."""
    return DogNews(bot, catalogue, tz, dog_keyboards.review, dog_keyboards.resubmit)


def claim_cards(database: Database, desk: Desk) -> Deliver:
    """The vaccination claims' cards a stopped process owed."""
    return partial(dog_claim_cards.deliver_late, desk.bot, database, desk.catalogue, desk.tz)


def deliverers(database: Database, desk: Desk, lease: timedelta) -> dict[str, Deliverer]:
    """Each kind's deliverer; a fire's escalation is taken over sooner (a fire cannot wait)."""
    news = dog_news(desk.bot, desk.catalogue, desk.tz)
    duties = DutyWatch(database, desk.bot, desk.catalogue, desk.tz)
    found = {
        registry.REVIEW_OWED: Deliverer(partial(news.deliver_late, database), lease),
        registry.DECISION_OWED: Deliverer(partial(news.deliver_late, database), lease),
        vaccinations.CLAIM_OWED: Deliverer(claim_cards(database, desk), lease),
        watch.NEW_OWED: Deliverer(duties.deliver, lease),
        watch.REMINDER_OWED: Deliverer(duties.deliver, lease),
        watch.ESCALATION_OWED: Deliverer(duties.deliver, lease),
    }
    if desk.stations is not None:
        fire_lease = min(lease, alerts.SEND_LEASE)
        found[alerts.ESCALATION_OWED] = Deliverer(desk.stations.deliver, fire_lease)
    menus = MenuSetter(database, desk.bot, desk.catalogue)
    found[MENU_OWED] = Deliverer(menus.deliver, lease, late=False)  # the command line's
    return found


async def deliver_others(database: Database, desk: Desk, now: datetime, lease: timedelta) -> int:
    """What stopped processes owed after changing dogs, duties and fires; returns how many
    changes were delivered (each by one instance: the take-over is one conditional update)."""
    delivered = late = 0
    for kind, deliverer in deliverers(database, desk, lease).items():
        for row in await rows.take_owed(database, kind, now, deliverer.lease):
            await deliverer.deliver(row, now)
            await rows.settle(database, Owed, row.id)
            delivered += 1
            late += deliverer.late
    if late:
        log.warning("%s changes were delivered late (a process stopped after them)", late)
    return delivered
