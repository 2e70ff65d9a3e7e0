"""Micro fire stations: /station add|member|remove for admins (the register), and /stations
[period] [area] for leads and admins (the stations, their members and the figures of three
minutes)."""

from __future__ import annotations

from datetime import tzinfo

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.errors import PoliteError
from bot.people import scope
from bot.stations import figures, register
from bot.stations import shifts as rules
from bot.texts import Catalogue, Translator
from handlers.common.filters import HasRole
from handlers.common.long_text import answer_lines
from storage.db import Database
from storage.models import Person, Role

INDENT = "    "

SUB_COMMANDS = ("add", "member", "remove", "shift")


async def edit_station(
    message: Message,
    command: CommandObject,
    t: Translator,
    database: Database,
    catalogue: Catalogue,
) -> None:
    """/station add NAME COMMUNITY LAT LON · member|remove NAME TG_ID · shift NAME TG_ID …
    (the sub-words in either language: 登记, 队员, 移除, 班次)."""
    words = (command.args or "").split()
    if words:
        words[0] = catalogue.sub_command("stations", words[0], SUB_COMMANDS) or words[0]
    try:
        if len(words) == 5 and words[0] == "add":
            lat, lon = float(words[3]), float(words[4])
            station = await register.save_station(database, words[1], words[2], lat, lon)
            await message.answer(t("stations.saved", name=station.name))
            return
        if len(words) == 3 and words[0] in ("member", "remove"):
            tg_id = int(words[2])
            if words[0] == "member":
                await register.add_member(database, words[1], tg_id)
                await message.answer(t("stations.member_added", tg_id=tg_id, name=words[1]))
            else:
                await register.remove_member(database, words[1], tg_id)
                await message.answer(t("stations.member_removed", tg_id=tg_id, name=words[1]))
            return
        if len(words) >= 4 and words[0] == "shift":
            await _set_shifts(message, t, database, catalogue, words[1], int(words[2]), words[3:])
            return
    except ValueError:
        pass  # not numbers where numbers go
    raise PoliteError("stations.usage")


async def _set_shifts(
    message: Message,
    t: Translator,
    database: Database,
    catalogue: Catalogue,
    name: str,
    tg_id: int,
    words: list[str],
) -> None:
    """A member's weekly shifts, or none (`none`, in any catalogue's language)."""
    shifts = rules.read(words, catalogue)
    await register.set_shifts(database, name, tg_id, shifts)
    if not shifts:
        await message.answer(t("stations.shift_cleared", tg_id=tg_id, name=name))
        return
    described = rules.describe(shifts, t)
    await message.answer(t("stations.shift_saved", tg_id=tg_id, name=name, shifts=described))


async def show_stations(
    message: Message,
    command: CommandObject,
    person: Person,
    t: Translator,
    database: Database,
    tz: tzinfo,
) -> None:
    period, area = await scope.period_and_area(database, person, command.args, tz)
    community_id = figures.community_of(area)
    listed = await register.listing(database, tz, community_id)
    if not listed:
        await message.answer(t("stations.none"))
        return
    figures_of = {
        station.id: f
        for station, f in await figures.by_station(database, period.start, period.end, community_id)
    }
    lines = [t("stations.title", period=period.label)]
    for entry in listed:
        lines += ["", *_station_lines(t, entry, figures_of.get(entry.station.id))]
    await answer_lines(message, lines)


def _station_lines(t: Translator, entry: register.Listed, f: figures.Figures | None) -> list[str]:
    station = entry.station
    lines = [t("stations.station", name=station.name, community=entry.community)]
    for member in entry.members:
        person = member.person
        duty = t("people.on_duty" if member.on_duty else "people.off_duty")
        if member.shifts:
            duty += t("stations.member_shifts", shifts=rules.describe(member.shifts, t))
        lines.append(
            INDENT + t("stations.member", name=person.name or "—", tg_id=person.tg_id) + duty
        )
    if not entry.members:
        lines.append(INDENT + t("stations.no_members"))
    if f is None or not f.alerts:
        lines.append(INDENT + t("stations.no_alerts"))
        return lines
    lines.append(INDENT + figures.figures_text(t, f))
    return lines


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(edit_station, Command("station"), HasRole(Role.ADMIN))
    router.message.register(show_stations, Command("stations"), HasRole(Role.LEAD, Role.ADMIN))
    return router
