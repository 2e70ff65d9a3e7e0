"""Registering people: once each, admins from ADMIN_IDS, refreshed when Telegram says so."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.people.registration import Visitor, register
from storage import people as people_queries
from storage.db import Database
from storage.models import Person, Role


def visitor(tg_id: int = 5001, name: str = "王五", language: str | None = "zh-hans") -> Visitor:
    return Visitor(tg_id=tg_id, name=name, username=None, language_code=language)


async def test_first_update_registers_a_resident(database: Database) -> None:
    registration = await register(database, visitor(), frozenset())
    assert registration.created
    assert not registration.role_changed
    assert registration.person.role == Role.RESIDENT
    assert registration.person.reachable


async def test_admin_ids_are_admins_from_their_first_message(database: Database) -> None:
    registration = await register(database, visitor(7), frozenset({7}))
    assert registration.person.role == Role.ADMIN
    assert registration.role_changed
    again = await register(database, visitor(7), frozenset({7}))
    assert not again.role_changed


async def test_a_known_person_is_refreshed(database: Database) -> None:
    await register(database, visitor(name="旧名"), frozenset())
    registration = await register(database, visitor(name="新名", language="en"), frozenset())
    assert not registration.created
    assert registration.person.name == "新名"
    assert registration.person.tg_language == "en"


async def test_concurrent_first_updates_make_one_person(database: Database) -> None:
    await asyncio.gather(*(register(database, visitor(6001), frozenset()) for _ in range(8)))
    async with database.sessions() as session:
        count = await session.scalar(select(func.count()).where(Person.tg_id == 6001))
    assert count == 1


async def test_unreachable_until_they_write_again(database: Database) -> None:
    await register(database, visitor(8001), frozenset())
    assert await people_queries.set_reachable(database, 8001, reachable=False)
    async with database.sessions() as session:
        person = await people_queries.by_tg_id(session, 8001)
    assert person is not None
    assert not person.reachable
    registration = await register(database, visitor(8001), frozenset())
    assert registration.person.reachable
