"""Tables written row by row to a file: a .xlsx and a CSV that Excel opens in UTF-8.

Neither keeps rows in memory: XlsxWriter's constant-memory mode writes each row to a temporary
file once the next begins, and the CSV goes straight to disk. XlsxWriter, not openpyxl's
write-only workbook: it writes the register about twice as fast at the same flat memory (see
bench/RESULTS.md, statistics at scale). Text that a spreadsheet would run as a formula (a
resident can name themselves "=HYPERLINK(...)") is written with a leading apostrophe, as OWASP
advises; cells are written by type, so no text is ever taken for a formula or a number.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

Cell = str | int | float | datetime | None
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a CSV as UTF-8 only when it starts with a byte order mark.
CSV_ENCODING = "utf-8-sig"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
# Column widths are Excel's stored widths (characters of the default font, padding included);
# XlsxWriter takes the width Excel's menu shows, so they are given in pixels of 7 per character.
PIXELS_PER_CHARACTER = 7


class Sheet(Protocol):
    def append(self, row: Sequence[Cell]) -> None: ...

    def close(self) -> None: ...


class XlsxSheet:
    """One worksheet with a bold, frozen header row that filters its columns; datetimes are
    real Excel datetimes."""

    def __init__(
        self, path: Path, title: str, headers: Sequence[str], widths: Sequence[int]
    ) -> None:
        from xlsxwriter import Workbook  # loaded when a register is first written

        self.book = Workbook(str(path), {"constant_memory": True})
        self.moment = self.book.add_format({"num_format": DATETIME_FORMAT})
        self.bold = self.book.add_format({"bold": True})
        self._start(title, headers, widths)

    def _start(self, title: str, headers: Sequence[str], widths: Sequence[int]) -> None:
        self.sheet = self.book.add_worksheet(title[:31])  # Excel's longest sheet name
        self.sheet.freeze_panes(1, 0)
        for index, width in enumerate(widths):
            self.sheet.set_column_pixels(index, index, width * PIXELS_PER_CHARACTER)
        for column, header in enumerate(headers):
            self.sheet.write_string(0, column, str(defused(header)), self.bold)
        self.columns = len(headers)
        self.row = 0

    def next_sheet(self, title: str, headers: Sequence[str], widths: Sequence[int]) -> None:
        """Finish this worksheet and go on in a new one (rows are written in order)."""
        self.sheet.autofilter(0, 0, self.row, self.columns - 1)
        self._start(title, headers, widths)

    def append(self, row: Sequence[Cell]) -> None:
        self.row += 1
        for column, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                self.sheet.write_string(self.row, column, str(defused(value)))
            elif isinstance(value, datetime):
                self.sheet.write_datetime(self.row, column, value, self.moment)
            else:
                self.sheet.write_number(self.row, column, value)

    def close(self) -> None:
        self.sheet.autofilter(0, 0, self.row, self.columns - 1)  # the header's filter buttons
        self.book.close()


class CsvSheet:
    """A CSV with a byte order mark; datetimes as `YYYY-MM-DD HH:MM:SS`."""

    def __init__(self, path: Path, headers: Sequence[str]) -> None:
        self.path = path
        self.file = path.open("w", encoding=CSV_ENCODING, newline="")
        self.writer = csv.writer(self.file)
        self.writer.writerow([defused(header) for header in headers])

    def append(self, row: Sequence[Cell]) -> None:
        self.writer.writerow([_csv_value(value) for value in row])

    def close(self) -> None:
        self.file.close()


def defused(value: Cell) -> Cell:
    """Text that cannot be taken for a formula; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_value(value: Cell) -> Cell:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return defused(value)
