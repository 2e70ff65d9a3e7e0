"""Tables written row by row to a file: a write-only .xlsx and a CSV that Excel opens in UTF-8.

Neither keeps rows in memory: openpyxl's write-only workbook streams rows to a temporary file
and the CSV goes straight to disk. Text that a spreadsheet would run as a formula (a resident
can name themselves "=HYPERLINK(...)") is written with a leading apostrophe, as OWASP advises.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Cell = str | int | datetime | None
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a CSV as UTF-8 only when it starts with a byte order mark.
CSV_ENCODING = "utf-8-sig"


class Sheet(Protocol):
    def append(self, row: Sequence[Cell]) -> None: ...

    def close(self) -> None: ...


class XlsxSheet:
    """One worksheet with a bold, frozen header row; datetimes are real Excel datetimes."""

    def __init__(
        self, path: Path, title: str, headers: Sequence[str], widths: Sequence[int]
    ) -> None:
        self.path = path
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(title[:31])  # Excel's longest sheet name
        self.sheet.freeze_panes = "A2"
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.sheet.append([self._bold(header) for header in headers])

    def _bold(self, text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=defused(text))
        cell.font = Font(bold=True)
        return cell

    def append(self, row: Sequence[Cell]) -> None:
        self.sheet.append([defused(value) for value in row])

    def close(self) -> None:
        self.book.save(self.path)


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
