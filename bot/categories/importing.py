"""Importing and exporting the categories file: all or nothing, idempotent, and never deleting.

A category the file no longer names is deactivated, never deleted: cases, subscriptions and
posters refer to categories, and a category that no case refers to today is kept too, so that
an import of a shorter file can be undone by importing the longer one again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.categories import spec, table
from bot.categories.spec import COLUMNS, CategoryFileError, Problem
from bot.texts import Translator
from storage.db import Database, root_of
from storage.models import Category

log = logging.getLogger(__name__)


@dataclass
class ImportSummary:
    """What an import did, by category code."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def nothing_changed(self) -> bool:
        return not (self.added or self.changed or self.deactivated)


def row_of(category: Category) -> dict[str, Any]:
    """A category's column values, as a file gives them."""
    return {column: getattr(category, column) for column in COLUMNS}


async def import_rows(database: Database, rows: list[dict[str, Any]]) -> ImportSummary:
    """Write checked rows in one transaction: add, change, deactivate what the file leaves out."""
    summary = ImportSummary()
    named = {row["code"] for row in rows}
    async with database.transaction() as session:
        existing = {c.code: c for c in await session.scalars(select(Category))}
        _check_service_codes(rows, existing)
        for row in rows:
            category = existing.get(row["code"])
            if category is None:
                session.add(Category(**row))
                summary.added.append(row["code"])
            elif row_of(category) != row:
                for column, value in row.items():
                    setattr(category, column, value)
                summary.changed.append(row["code"])
            else:
                summary.unchanged.append(row["code"])
        for code, category in sorted(existing.items()):
            if code not in named and category.active:
                category.active = False
                summary.deactivated.append(code)
    table.forget(root_of(database))
    log.info(
        "categories imported: added %s, changed %s, deactivated %s, %d unchanged",
        summary.added,
        summary.changed,
        summary.deactivated,
        len(summary.unchanged),
    )
    return summary


def _check_service_codes(rows: list[dict[str, Any]], existing: dict[str, Category]) -> None:
    """A service code the file gives one category must not be another's that it leaves out."""
    named = {row["code"] for row in rows}
    kept = {c.service_code: code for code, c in existing.items() if code not in named}
    problems = [
        Problem(row["code"], "service_code", "catfile.service_code_taken", {"other": kept[code]})
        for row in rows
        if (code := row["service_code"]) in kept
    ]
    if problems:
        raise CategoryFileError(problems)


async def import_data(database: Database, data: bytes) -> ImportSummary:
    """Check a file's bytes (YAML or JSON) and import it."""
    return await import_rows(database, spec.parse(spec.load(data)))


async def import_file(database: Database, path: Path) -> ImportSummary:
    """Check a file on disk and import it."""
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError as error:
        raise CategoryFileError(
            [Problem("—", str(path), "catfile.cannot_open", {"error": str(error)})]
        ) from None
    return await import_data(database, data)


async def export(database: Database, as_json: bool = False) -> str:
    """Every category, inactive ones too, as a file that imports back unchanged."""
    return spec.dump([row_of(c) for c in await table.every(database)], as_json)


def summary_text(t: Translator, summary: ImportSummary) -> str:
    """What an import did, in the reader's language."""
    if summary.nothing_changed:
        return t("catfile.nothing_changed", unchanged=len(summary.unchanged))
    return t(
        "catfile.imported",
        added=len(summary.added),
        changed=len(summary.changed),
        deactivated=len(summary.deactivated),
        unchanged=len(summary.unchanged),
        added_codes=", ".join(summary.added) or "—",
        changed_codes=", ".join(summary.changed) or "—",
        deactivated_codes=", ".join(summary.deactivated) or "—",
    )
