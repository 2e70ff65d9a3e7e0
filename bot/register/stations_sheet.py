"""The register's sheet of micro fire stations: one row per station of the scope and month of
the period, with the figures of three minutes (.xlsx only: a CSV holds one table)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.register.sheets import Cell, Sheet, XlsxSheet
from bot.stations import figures
from bot.texts import Translator
from bot.texts.shares import cell
from bot.timing.periods import Period
from storage.db import Database

COLUMNS = (
    ("station", 16),
    ("community", 16),
    ("month", 10),
    ("alerts", 10),
    ("start_median", 14),
    ("start_p90", 14),
    ("arrival_median", 14),
    ("arrival_p90", 14),
    ("on_time", 14),
)


async def rows(
    database: Database, period: Period, area_ids: set[int] | None, names: dict[int, str]
) -> list[list[Cell]]:
    """The stations of the communities in `area_ids` (None: all), each month of the period;
    times in whole seconds from the alert, the share on site within three minutes as 0–1."""
    found = await figures.by_month(database, period, area_ids)
    return [_row(entry, names.get(entry.station.community_id, "")) for entry in found]


def _row(entry: figures.Monthly, community: str) -> list[Cell]:
    f = entry.figures
    share = cell(f.on_time_share)
    return [
        entry.station.name,
        community,
        entry.month,
        f.alerts,
        _whole(f.start_median_s),
        _whole(f.start_p90_s),
        _whole(f.arrival_median_s),
        _whole(f.arrival_p90_s),
        share,
    ]


def _whole(seconds: float | None) -> int | None:
    return None if seconds is None else round(seconds)


def write(sheets: Sequence[Sheet], t: Translator, found: list[list[Cell]]) -> None:
    """Add the sheet to each .xlsx of the export."""
    for sheet in sheets:
        if not isinstance(sheet, XlsxSheet):
            continue
        sheet.next_sheet(
            t("stations.sheet"),
            [t(f"stations.column_{key}") for key, _ in COLUMNS],
            [width for _, width in COLUMNS],
        )
        for row in found:
            sheet.append(row)
