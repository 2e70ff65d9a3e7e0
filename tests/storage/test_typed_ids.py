"""Numbers from outside (a typed case number, a case link) that no INTEGER key can hold find
nothing, on SQLite and on PostgreSQL, where such a number once failed the query itself."""

from __future__ import annotations

import pytest

from bot.cases import links, work_queue
from storage.db import Database

BEYOND = ["2147483648", "JN-4294967296", "999999999999999999"]


@pytest.mark.parametrize("typed", BEYOND)
async def test_a_typed_case_number_beyond_a_key_finds_nothing(
    database: Database, typed: str
) -> None:
    assert await work_queue.by_number(database, typed) is None


async def test_a_typed_case_number_within_keys_is_looked_up(database: Database) -> None:
    assert await work_queue.by_number(database, "2147483647") is None  # no such case, no error


async def test_a_case_link_beyond_a_key_finds_nothing(database: Database) -> None:
    assert await links.by_payload(database, "c_JN-4294967296") is None
