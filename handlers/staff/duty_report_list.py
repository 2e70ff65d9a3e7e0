"""/duties reports [YYYY-MM]: the figures the report duties filed in a month, per area (a lead:
their community's; an admin: the street's)."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from aiogram.types import Message

from bot.duties import reports
from bot.errors import PoliteError
from bot.texts import Translator
from handlers.common.long_text import answer_lines
from storage.db import Database
from storage.models import Person, Role
from storage.types import utcnow


def _month(text: str, tz: tzinfo) -> date:
    if not text:
        return utcnow().astimezone(tz).date().replace(day=1)
    try:
        return datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise PoliteError("duties.reports_usage") from None


async def show(
    message: Message, person: Person, t: Translator, database: Database, tz: tzinfo, text: str
) -> None:
    if person.role not in (Role.LEAD, Role.ADMIN):
        raise PoliteError("duties.admins_only")
    month = _month(text.strip(), tz)
    community = person.area_id if person.role == Role.LEAD else None
    filed = await reports.monthly(database, month, tz, community)
    label = month.strftime("%Y-%m")
    if not filed:
        await message.answer(t("duties.reports_empty", month=label))
        return
    lines = [t("duties.reports_title", month=label)]
    for row in filed:
        pairs = t("list.separator").join(
            t("duties.figure_pair", figure=reports.label(spec, t.language), value=value)
            for spec in row.duty.report
            if (value := row.figures.get(spec["name"])) is not None
        )
        lines.append(
            t(
                "duties.reports_line",
                area=row.area or t("duties.street"),
                name=row.duty.name,
                figures=pairs,
                date=row.done_at.astimezone(tz).strftime("%m-%d"),
            )
        )
    await answer_lines(message, lines)
