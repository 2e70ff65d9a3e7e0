"""/stats [period] [area] for leads (their community) and admins: the indicators as text, then
the chart; and the button that publishes the monthly red/black list as a notice."""

from __future__ import annotations

import asyncio
from datetime import date, tzinfo

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.duties import patrol_figures
from bot.errors import PoliteError
from bot.figures import charts, ranking, stats_view
from bot.people import scope
from bot.texts import Translator
from bot.timing import periods
from handlers.common.callbacks import RankingPublish
from handlers.common.duty_keyboards import patrol_lines
from handlers.common.filters import HasRole, MenuButton
from handlers.common.long_text import answer_lines
from storage.db import Database
from storage.models import Area, Person, Role
from storage.types import utcnow


async def show_stats(
    message: Message,
    person: Person,
    t: Translator,
    database: Database,
    tz: tzinfo,
    command: CommandObject | None = None,  # none from the menu's button
) -> None:
    args = command.args if command else None
    period, area = await scope.period_and_area(database, person, args, tz)
    view = await stats_view.gather(database, period, area)
    where = scope.area_name(t, area)
    if view.empty:
        await message.answer(t("stats.empty", period=period.label, scope=where))
        return
    found = stats_view.blocks(t, view) + await _patrols(t, database, tz, period, area)
    await answer_lines(message, found, separator="\n\n")
    png = await asyncio.to_thread(charts.render, t, view)
    caption = t("chart.caption", period=period.label, scope=where)
    await message.answer_photo(BufferedInputFile(png, "stats.png"), caption=caption)


async def _patrols(
    t: Translator, database: Database, tz: tzinfo, period: periods.Period, area: Area | None
) -> list[str]:
    """For a month: cases found by patrol against resident reports, and patrol coverage."""
    if period.first_day.day != 1 or period.last_day.month != period.first_day.month:
        return []
    ids = await scope.area_ids(database, area)
    street = area is None  # the street's report lists communities, not grids
    patrols = await patrol_figures.monthly(database, period.first_day, tz, ids, by_community=street)
    return ["\n".join(patrol_lines(t, patrols, period.first_day))] if patrols else []


async def show_ranking(
    message: Message,
    person: Person,
    t: Translator,
    database: Database,
    tz: tzinfo,
    command: CommandObject | None = None,
) -> None:
    """/ranking [YYYY-MM]: a month's red/black list (last month by default), the month in
    progress refused; an admin's copy can be published."""
    today = utcnow().astimezone(tz).date()
    match = periods.MONTH.match((command.args or "").strip() if command else "")
    if command and command.args and not match:
        raise PoliteError("ranking.bad_month", given=command.args.strip()[:40])
    if match:
        period = periods.month_of(int(match[1]), int(match[2]), tz)
    else:
        period = periods.previous_month(today, tz)
    if period.end > utcnow():
        raise PoliteError("ranking.not_over", month=period.first_day.strftime("%Y-%m"))
    listed = await ranking.rank(database, period)
    markup = publish_button(t, period.first_day) if person.role == Role.ADMIN else None
    await message.answer(ranking.text(t, listed), reply_markup=markup)


def publish_button(t: Translator, month: date) -> InlineKeyboardMarkup:
    """Under an admin's copy of the monthly red/black list."""
    data = RankingPublish(year=month.year, month=month.month).pack()
    button = InlineKeyboardButton(text=t("ranking.publish"), callback_data=data)
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


async def publish(
    query: CallbackQuery,
    callback_data: RankingPublish,
    person: Person,
    t: Translator,
    database: Database,
    tz: tzinfo,
) -> None:
    if person.role != Role.ADMIN or person.banned:  # the button is not proof of anything
        raise PoliteError("error.not_allowed")
    period = periods.month_of(callback_data.year, callback_data.month, tz)
    if period.end > utcnow():  # only a month that is over has a list
        raise PoliteError("error.stale_button")
    listed = await ranking.rank(database, period)
    body = ranking.text(t, listed)
    done = await ranking.publish(database, person, listed, body, person.tg_id, tz)
    key = "ranking.published" if done else "ranking.already_published"
    await query.answer(t(key), show_alert=not done)
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(show_stats, Command("stats"), HasRole(Role.LEAD, Role.ADMIN))
    router.message.register(show_ranking, Command("ranking"), HasRole(Role.LEAD, Role.ADMIN))
    router.message.register(show_stats, MenuButton("menu.stats"), HasRole(Role.LEAD, Role.ADMIN))
    router.callback_query.register(publish, RankingPublish.filter())
    return router
