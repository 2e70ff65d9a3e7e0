"""Who is writing: registering people on their first update and keeping them fresh."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update

from bot.errors import PoliteError
from storage import people as people_queries
from storage.db import Database
from storage.models import Person, Role
from storage.types import utcnow
from storage.upsert import insert_if_absent

# last_seen_at is refreshed at most this often, so most updates cost one read and no write.
SEEN_RESOLUTION = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Visitor:
    """What Telegram tells about the sender of an update."""

    tg_id: int
    name: str
    username: str | None
    language_code: str | None


@dataclass(frozen=True, slots=True)
class Registration:
    person: Person
    created: bool
    role_changed: bool


async def register(
    database: Database, visitor: Visitor, admin_ids: frozenset[int], *, reachable: bool = True
) -> Registration:
    """Register a new person or refresh a known one; ADMIN_IDS people become admins."""
    async with database.sessions() as session:
        person = await people_queries.by_tg_id(session, visitor.tg_id)
    wanted = _wanted_fields(visitor, admin_ids, reachable)
    if person is not None and not _needs_write(person, wanted):
        return Registration(person, created=False, role_changed=False)
    async with database.transaction() as session:
        created = await insert_if_absent(
            session, Person, {"tg_id": visitor.tg_id, **wanted}, ["tg_id"]
        )
        if not created:
            await session.execute(
                update(Person).where(Person.tg_id == visitor.tg_id).values(**wanted)
            )
        fresh = await people_queries.by_tg_id(session, visitor.tg_id)
    assert fresh is not None
    role_changed = (created and fresh.role != Role.RESIDENT) or (
        person is not None and person.role != fresh.role
    )
    return Registration(fresh, created=created, role_changed=role_changed)


def _wanted_fields(visitor: Visitor, admin_ids: frozenset[int], reachable: bool) -> dict:
    fields: dict[str, object] = {
        "name": visitor.name[:256],
        "username": visitor.username,
        "tg_language": visitor.language_code,
        "last_seen_at": utcnow(),
    }
    if reachable:
        fields["reachable"] = True
    if visitor.tg_id in admin_ids:
        fields["role"] = Role.ADMIN
    return fields


def _needs_write(person: Person, wanted: dict) -> bool:
    for name, value in wanted.items():
        if name == "last_seen_at":
            if value - person.last_seen_at > SEEN_RESOLUTION:
                return True
        elif getattr(person, name) != value:
            return True
    return False


async def set_language(database: Database, person_id: int, language: str) -> None:
    """Remember the language a person chose."""
    async with database.transaction() as session:
        await session.execute(
            update(Person).where(Person.id == person_id).values(language=language)
        )


async def mark_unreachable(database: Database, tg_id: int) -> None:
    """The person blocked the bot or their chat is gone: skip them until they write again."""
    await people_queries.set_reachable(database, tg_id, reachable=False)


async def lookup(database: Database, who: str) -> Person:
    """The person named by Telegram id or @username; PoliteError when nobody matches."""
    wanted = who.strip()
    async with database.sessions() as session:
        if wanted.lstrip("-").isdigit():
            person = await people_queries.by_tg_id(session, int(wanted))
        else:
            person = await people_queries.by_username(session, wanted.removeprefix("@"))
    if person is None:
        raise PoliteError("people.unknown_person", who=wanted)
    return person
