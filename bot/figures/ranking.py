"""The monthly red/black list (红黑榜): the street's grids ranked by on-time closure rate, then
satisfaction, for the previous month; the top three (red) and the bottom three (black).

Grids with fewer than MIN_VALID_CASES valid cases are not ranked (one case makes 0 % or 100 %)
but listed apart, with the threshold said. Equal figures share a rank, so a tie at the edge of
the top or bottom three lists every grid of that rank. From the 1st of each month at 09:00 the
list goes to every admin and lead, once (claimed in `job_runs`; the clock asks every half hour,
so a month whose 1st the bot was down is sent when it is back); an admin's copy carries a button
that publishes it as a notice to the street's subscribed residents, once. Leads and admins ask
for any month's list with /ranking.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy import select

from bot.deadlines.digest import claim
from bot.figures import stats
from bot.figures.indicators import Counts
from bot.figures.stats_view import score
from bot.notices import plans
from bot.notices.audience import Audience, Kind
from bot.texts import Catalogue, Translator
from bot.texts.shares import percent
from bot.timing.periods import Period, previous_month
from storage.db import Database
from storage.models import Area, JobRun, Person, Role
from storage.types import utcnow
from storage.upsert import insert_if_absent

log = logging.getLogger(__name__)

SHOWN = 3
MIN_VALID_CASES = 2
SEND_FROM = (1, 9, 0)  # the day of the month, local hour and minute
JOB = "ranking"
PUBLISHED = "ranking_notice"
PublishButton = Callable[[Translator, date], InlineKeyboardMarkup]


@dataclass(frozen=True)
class Standing:
    rank: int  # 1 is best; equal figures share a rank
    area: Area
    counts: Counts


@dataclass(frozen=True)
class Ranking:
    period: Period
    red: list[Standing]
    black: list[Standing]  # the worst first
    too_few: list[Area]  # fewer than `min_valid` valid cases: not ranked
    min_valid: int = MIN_VALID_CASES

    @property
    def month(self) -> str:
        return self.period.first_day.strftime("%Y-%m")


def _merit(counts: Counts) -> tuple[float, float]:
    satisfaction = counts.satisfaction
    return (counts.on_time_closure_rate or 0.0, -1.0 if satisfaction is None else satisfaction)


def order(
    period: Period,
    grids: list[Area],
    counts: dict[int, Counts],
    min_valid: int = MIN_VALID_CASES,
) -> Ranking:
    """Rank the grids (given in display order) that have at least `min_valid` valid cases."""
    ranked = [
        grid for grid in grids if grid.id in counts and counts[grid.id].valid >= max(min_valid, 1)
    ]
    merit = {grid.id: _merit(counts[grid.id]) for grid in ranked}

    def better(grid: Area) -> int:
        return sum(other > merit[grid.id] for other in merit.values())

    def worse(grid: Area) -> int:
        return sum(other < merit[grid.id] for other in merit.values())

    # sorted() is stable: grids of one rank keep their display order
    standings = sorted(
        (Standing(1 + better(grid), grid, counts[grid.id]) for grid in ranked),
        key=lambda standing: standing.rank,
    )
    red = [s for s in standings if s.rank <= SHOWN]
    black = [s for s in reversed(standings) if s.rank > SHOWN and worse(s.area) < SHOWN]
    return Ranking(period, red, black, [grid for grid in grids if grid.id not in merit], min_valid)


async def rank(database: Database, period: Period, now: datetime | None = None) -> Ranking:
    """The red/black list of the street's grids for the period."""
    tree = await stats.load_tree(database)
    tally = await stats.tally(database, period, None, tree, now)
    counts = {
        key[1]: value for key, value in tally.items() if key[0] == stats.AREA and key[1] is not None
    }
    return order(period, tree.grids(None), counts)


def text(t: Translator, ranking: Ranking) -> str:
    """The list in the reader's language."""
    lines = [t("ranking.title", month=ranking.month), t("ranking.rule")]
    if not ranking.red:
        lines.append(t("ranking.nobody"))
    else:
        lines += ["", t("ranking.red"), *(_line(t, s) for s in ranking.red)]
    if ranking.black:
        lines += ["", t("ranking.black"), *(_line(t, s) for s in ranking.black)]
    if ranking.too_few:
        names = t("list.names").join(area.name for area in ranking.too_few)
        lines += ["", t("ranking.too_few", names=names, min=ranking.min_valid)]
    return "\n".join(lines)


def _line(t: Translator, standing: Standing) -> str:
    c = standing.counts
    return t(
        "ranking.line",
        rank=standing.rank,
        area=standing.area.name,
        rate=percent(t, c.on_time_closure_rate),
        satisfaction=score(t, c.satisfaction),
        valid=c.valid,
    )


async def send_monthly(
    database: Database,
    bot: Bot,
    catalogue: Catalogue,
    tz: tzinfo,
    button: PublishButton,
    now: datetime | None = None,
) -> int:
    """Send last month's list to every admin and lead, once per month and not before the 1st at
    09:00; returns how many got it."""
    now = now or utcnow()
    local = now.astimezone(tz)
    day, hour, minute = SEND_FROM
    if (local.day, local.hour, local.minute) < (day, hour, minute):
        return 0
    period = previous_month(local.date(), tz)
    if not await claim(database, JOB, period.first_day.isoformat()):
        return 0
    ranking = await rank(database, period, now)
    async with database.sessions() as session:
        readers = (
            await session.scalars(
                select(Person)
                .where(
                    Person.role.in_([Role.ADMIN, Role.LEAD]),
                    Person.reachable.is_(True),
                    Person.banned.is_(False),
                )
                .order_by(Person.id)
            )
        ).all()
    sent = 0
    for person in readers:
        t = catalogue.translator_for(person.language, person.tg_language)
        markup = button(t, period.first_day) if person.role == Role.ADMIN else None
        try:
            await bot.send_message(person.tg_id, text(t, ranking), reply_markup=markup)
            sent += 1
        except TelegramAPIError as error:
            log.warning("ranking not sent to %s: %s", person.id, error)
    return sent


async def publish(
    database: Database, admin: Person, ranking: Ranking, body: str, chat_id: int, tz: tzinfo
) -> bool:
    """The list as a notice to every subscribed resident of the street, sent now; False when
    this month's list was published already (by anyone)."""
    async with database.transaction() as session:
        key = {"name": PUBLISHED, "key": ranking.period.first_day.isoformat()}
        if not await insert_if_absent(session, JobRun, key, ["name", "key"]):
            return False
        draft = plans.Draft(text=body, audience=Audience(Kind.RESIDENTS), schedule=plans.NOW)
        await plans.save_plan(session, draft, admin, chat_id, tz)
    return True
