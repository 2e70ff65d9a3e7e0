"""The register's sheet of report duties' figures (what `/duties reports` lists): per area and
month of the period, each figure a duty declares, named in the reader's language, with its total
over the reports filed and how many were filed (.xlsx only: a CSV holds one table)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.duties import reports
from bot.register.sheets import Cell, Sheet, XlsxSheet
from bot.texts import Translator
from bot.timing.periods import Period
from storage.db import Database

MONTH = "%Y-%m"
COLUMNS = (
    ("area", 16),
    ("month", 10),
    ("duty", 28),
    ("figure", 20),
    ("total", 10),
    ("reports", 10),
)


@dataclass
class _Total:
    label: str
    total: int = 0
    reports: int = 0


async def rows(
    database: Database, period: Period, area_ids: set[int] | None, t: Translator
) -> list[list[Cell]]:
    """One row per area, month (of the reported period, local time), duty and figure, in the
    order the duty declares its figures; only the duties of `area_ids` when given."""
    filed = await reports.between(database, period.start, period.end, area_ids)
    totals: dict[tuple[str, str, str, str], _Total] = {}
    for row in filed:
        area = row.area or t("duties.street")
        month = row.starts_at.astimezone(period.tz).strftime(MONTH)
        for figure in row.duty.report or []:
            value = row.figures.get(figure["name"])
            if value is None:
                continue
            key = (area, month, row.duty.name, figure["name"])
            total = totals.setdefault(key, _Total(reports.label(figure, t.language)))
            total.total += value
            total.reports += 1
    ordered = sorted(totals.items(), key=lambda item: item[0][:3])  # stable: figures' order
    return [
        [area, month, duty, total.label, total.total, total.reports]
        for (area, month, duty, _), total in ordered
    ]


def write(sheets: Sequence[Sheet], t: Translator, found: list[list[Cell]]) -> None:
    """Add the sheet to each .xlsx of the export."""
    for sheet in sheets:
        if not isinstance(sheet, XlsxSheet):
            continue
        sheet.next_sheet(
            t("duties.sheet"),
            [t(f"duties.column_{key}") for key, _ in COLUMNS],
            [width for _, width in COLUMNS],
        )
        for row in found:
            sheet.append(row)
