"""The lookups that scanned a whole table use an index (migration 0013), on SQLite and PostgreSQL.

The tables are empty, so PostgreSQL is told not to scan them (`enable_seqscan = off` only makes
a scan dear: without a fitting index the plan still scans, and the test fails).
"""

from __future__ import annotations

import pytest
from sqlalchemy import Select, select

from storage.db import Database
from storage.models import Case, CaseMedia, Delivery, DeliveryState, Person, Role

LOOKUPS: dict[str, tuple[Select, str]] = {
    # What the database runs for the foreign key when a case is deleted (a cancelled draft,
    # bot/reports.py): is any case a duplicate of it?
    "duplicates of a deleted case": (
        select(Case.id).where(Case.duplicate_of_id == 1),
        "ix_cases_duplicate_of_id",
    ),
    # bot/routing.py staff_of: the officers of a grid, for every new case.
    "staff of an area": (
        select(Person)
        .where(Person.role == Role.OFFICER, Person.banned.is_(False), Person.area_id == 1)
        .order_by(Person.id),
        "ix_people_role_area",
    ),
    # bot/notices.py recent_for: the notices a resident received.
    "notices a person received": (
        select(Delivery.notice_id).where(
            Delivery.person_id == 1, Delivery.state == DeliveryState.SENT
        ),
        "ix_deliveries_person_id",
    ),
    # bot/desk.py _send_evidence and bot/media.py: a case's photos, by the unique constraint.
    "photos of a case": (
        select(CaseMedia).where(CaseMedia.case_id == 1, CaseMedia.stage == "report"),
        "case_media",
    ),
}


async def plan(database: Database, query: Select) -> str:
    async with database.engine.connect() as connection:
        sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
        if database.is_sqlite:
            rows = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")
            return "\n".join(str(row[-1]) for row in rows)
        await connection.exec_driver_sql("SET enable_seqscan = off")
        rows = await connection.exec_driver_sql(f"EXPLAIN {sql}")
        return "\n".join(str(row[0]) for row in rows)


@pytest.mark.parametrize("lookup", list(LOOKUPS))
async def test_the_lookup_searches_an_index(database: Database, lookup: str) -> None:
    query, index = LOOKUPS[lookup]
    found = await plan(database, query)
    if index == "case_media":  # the unique constraint's index: its name differs by database
        index = "sqlite_autoindex_case_media_1" if database.is_sqlite else "uq_case_media_case_id"
    assert index in found, found
