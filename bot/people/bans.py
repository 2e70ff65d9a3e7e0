"""Banning a resident from filing new reports, and lifting the ban.

A ban stops new reports only: the resident's open cases stay and staff keep handling them
(routing and the lifecycle look at the staff member who acts, not at the reporter). Staff are
never banned: an admin revokes their role first.
"""

from __future__ import annotations

import logging

from sqlalchemy import update

from bot.errors import PoliteError
from storage.db import Database
from storage.models import Person, Role

log = logging.getLogger(__name__)
REASON_LIMIT = 200


async def ban(database: Database, person: Person, by: Person, reason: str = "") -> None:
    """Ban a resident; the reason goes to the log with who banned them."""
    if person.role != Role.RESIDENT:
        raise PoliteError("ban.staff", name=person.name)
    if person.banned:
        raise PoliteError("ban.already", name=person.name)
    await _set_banned(database, person, True)
    log.info("person %s banned by %s: %s", person.id, by.id, reason[:REASON_LIMIT] or "-")


async def unban(database: Database, person: Person, by: Person) -> None:
    if not person.banned:
        raise PoliteError("ban.not_banned", name=person.name)
    await _set_banned(database, person, False)
    log.info("person %s unbanned by %s", person.id, by.id)


async def _set_banned(database: Database, person: Person, banned: bool) -> None:
    async with database.transaction() as session:
        await session.execute(update(Person).where(Person.id == person.id).values(banned=banned))
