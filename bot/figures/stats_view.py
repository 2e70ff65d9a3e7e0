"""What /stats shows: the report of a period and scope gathered once, written as text blocks in
the reader's language and split into messages that fit Telegram's limit."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from bot.figures import stats
from bot.figures.indicators import Counts, Figures
from bot.people import scope as scopes
from bot.stations import figures as station_figures
from bot.texts import Translator
from bot.texts.shares import percent
from bot.timing.periods import Period
from storage.db import Database
from storage.models import Area, Category, Station

HOUR = 60
DAY = 24 * HOUR


@dataclass(frozen=True)
class View:
    period: Period
    scope: Area | None  # None: the whole street
    tree: stats.Tree
    report: stats.Report
    daily: stats.Daily
    categories: list[Category]
    # the micro fire stations of the scope, with their figures
    stations: list[tuple[Station, station_figures.Figures]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.report.total.counts.filed == 0


async def gather(database: Database, period: Period, scope: Area | None) -> View:
    """Everything /stats shows for the period and scope."""
    ids = await scopes.area_ids(database, scope)
    tree = await stats.load_tree(database)
    report = await stats.report(database, period, ids, tree)
    daily = await stats.daily(database, period, ids)
    async with database.sessions() as session:
        categories = (await session.scalars(select(Category).order_by(Category.sort_order))).all()
    stations = await station_figures.by_station(
        database, period.start, period.end, station_figures.community_of(scope)
    )
    return View(period, scope, tree, report, daily, list(categories), stations)


def category_name(t: Translator, categories: list[Category], category_id: int | None) -> str:
    found = [c for c in categories if c.id == category_id]
    return found[0].name(t.language) if found else t("stats.no_category")


def score(t: Translator, value: float | None) -> str:
    return t("stats.no_data") if value is None else f"{value:.1f}"


def duration(t: Translator, minutes: float | None) -> str:
    """Minutes under two hours, hours under two days, else days."""
    if minutes is None:
        return t("stats.no_data")
    if minutes < 2 * HOUR:
        return t("stats.minutes", n=round(minutes))
    if minutes < 2 * DAY:
        return t("stats.hours", n=_short(minutes / HOUR))
    return t("stats.days", n=_short(minutes / DAY))


def _short(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def block(t: Translator, name: str, figures: Figures) -> str:
    """One area's or category's indicators."""
    c = figures.counts
    if c.filed == 0:
        return t("stats.nothing_in", name=name)
    return "\n".join(
        [
            t("stats.name", name=name),
            t("stats.counts", filed=c.filed, dispatched=c.dispatched, accepted=c.accepted)
            + (t("stats.withdrawn", count=c.withdrawn) if c.withdrawn else ""),
            t(
                "stats.rates",
                on_time=percent(t, c.on_time_rate),
                closure=percent(t, c.closure_rate),
                on_time_closure=percent(t, c.on_time_closure_rate),
                rework=percent(t, c.rework_rate),
            ),
            t(
                "stats.times",
                accept=duration(t, figures.accept_minutes),
                resolve=duration(t, figures.resolve_minutes),
            ),
            t(
                "stats.satisfaction",
                score=score(t, c.satisfaction),
                rated=percent(t, c.share_rated),
            ),
        ]
    )


def blocks(t: Translator, view: View) -> list[str]:
    """The title and total, then one block per area shown and per category with cases."""
    report, nothing = view.report, Figures(Counts())
    found = [
        t("stats.title", period=view.period.label, scope=scopes.area_name(t, view.scope)),
        block(t, t("stats.total"), report.total),
        t("stats.by_area"),
    ]
    found += [
        block(t, area.name, report.by_area.get(area.id, nothing))
        for area in view.tree.shown(view.scope)
    ]
    found.append(t("stats.by_category"))
    listed = [c.id for c in view.categories if c.id in report.by_category]
    listed += [c for c in report.by_category if c not in listed]  # unknown or no category
    for category_id in listed:
        name = category_name(t, view.categories, category_id)
        found.append(block(t, name, report.by_category[category_id]))
    if view.stations:
        found.append(stations_block(t, view.stations))
    return found


def stations_block(t: Translator, stations: list[tuple[Station, station_figures.Figures]]) -> str:
    """The micro fire stations of the scope: one line each with the figures of three minutes."""
    lines = [t("stats.stations")]
    for station, f in stations:
        shown = station_figures.figures_text(t, f) if f.alerts else t("stations.no_alerts")
        lines.append(t("stats.station", name=station.name, figures=shown))
    return "\n".join(lines)
