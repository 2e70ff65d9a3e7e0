"""Making people officers, leads and admins: directly (command line) or by one-time invites."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from bot.errors import PoliteError
from bot.texts import TextRef
from storage.db import Database
from storage.models import Area, AreaLevel, Invite, Person, Role
from storage.types import utcnow
from storage.upsert import insert_if_absent

log = logging.getLogger(__name__)

INVITE_PREFIX = "inv_"
INVITE_DAYS = 7
# The level of area each staff role is bound to (admins may have none: the whole street).
ROLE_LEVEL = {
    Role.OFFICER: AreaLevel.GRID,
    Role.LEAD: AreaLevel.COMMUNITY,
    Role.ADMIN: AreaLevel.STREET,
}


class StaffError(PoliteError):
    """A role that cannot be given (wrong area level, unknown area, used or expired invite)."""


@dataclass(frozen=True)
class Appointment:
    person: Person
    area: Area | None


def _role(role: Role) -> TextRef:
    return TextRef(f"role.{role.value}")


def _level(level: AreaLevel) -> TextRef:
    return TextRef(f"level.{level.value}")


async def _area_for(database: Database, role: Role, area_code: str | None) -> Area | None:
    if role == Role.RESIDENT:
        return None
    if role == Role.VOLUNTEER:  # a volunteer belongs to a residents' group: /volunteers add
        raise StaffError("staff.volunteer_by_group")
    if area_code is None:
        if role == Role.ADMIN:
            return None
        raise StaffError("staff.area_needed", role=_role(role), level=_level(ROLE_LEVEL[role]))
    async with database.sessions() as session:
        area = await session.scalar(select(Area).where(Area.code == area_code))
    if area is None:
        raise StaffError("staff.unknown_area", code=area_code)
    if area.level != ROLE_LEVEL[role]:
        raise StaffError(
            "staff.wrong_level", role=_role(role), level=_level(ROLE_LEVEL[role]), code=area_code
        )
    return area


async def appoint(
    database: Database, tg_id: int, role: Role, area_code: str | None = None, backup: bool = False
) -> Appointment:
    """Give the person with Telegram id `tg_id` a role (registering them if new).

    A backup officer gets the grid's new cases only while none of its own officers is on duty."""
    area = await _area_for(database, role, area_code)
    async with database.transaction() as session:
        await insert_if_absent(session, Person, {"tg_id": tg_id, "name": ""}, ["tg_id"])
        await session.execute(
            update(Person)
            .where(Person.tg_id == tg_id)
            .values(
                role=role,
                area_id=area.id if area else None,
                backup=backup and role == Role.OFFICER,
            )
        )
        person = await session.scalar(select(Person).where(Person.tg_id == tg_id))
    assert person is not None
    return Appointment(person, area)


async def create_invite(
    database: Database,
    role: Role,
    area_code: str | None,
    created_by: Person | None = None,
    days: int = INVITE_DAYS,
) -> Invite:
    """A single-use invite; the token is 32 random bytes, so it cannot be guessed. `created_by`
    (None: the command line) must be allowed to give that role in that area."""
    if role == Role.RESIDENT:
        raise StaffError("staff.bad_role")
    area = await _area_for(database, role, area_code)
    if created_by is not None and not may_invite(created_by, role, area):
        raise PoliteError("error.not_allowed")
    async with database.transaction() as session:
        invite = Invite(
            token=secrets.token_urlsafe(32)[:43],
            role=role,
            area_id=area.id if area else None,
            created_by_id=created_by.id if created_by else None,
            expires_at=utcnow() + timedelta(days=days),
        )
        session.add(invite)
        await session.flush()
        return invite


def may_invite(inviter: Person, role: Role, area: Area | None) -> bool:
    """Admins invite anyone; a lead invites officers of their own community's grids only."""
    if inviter.banned:
        return False
    if inviter.role == Role.ADMIN:
        return True
    return (
        inviter.role == Role.LEAD
        and role == Role.OFFICER
        and area is not None
        and area.parent_id == inviter.area_id
    )


def invite_link(bot_username: str, invite: Invite) -> str:
    return f"https://t.me/{bot_username}?start={INVITE_PREFIX}{invite.token}"


async def redeem(
    database: Database, token: str, person: Person, now: datetime | None = None
) -> Appointment:
    """Use an invite once: the person gets its role and area. Used or expired: refused."""
    now = now or utcnow()
    async with database.transaction() as session:
        invite = await session.scalar(select(Invite).where(Invite.token == token).with_for_update())
        if invite is None:
            raise StaffError("staff.invite_invalid")
        if invite.used_at is not None:
            raise StaffError("staff.invite_used")
        if invite.expires_at < now:
            raise StaffError("staff.invite_expired")
        invite.used_at, invite.used_by_id = now, person.id
        await session.execute(
            update(Person)
            .where(Person.id == person.id)
            .values(role=invite.role, area_id=invite.area_id)
        )
        fresh = await session.get(Person, person.id, populate_existing=True)
        area = await session.get(Area, invite.area_id) if invite.area_id else None
    assert fresh is not None
    return Appointment(fresh, area)


async def set_on_duty(database: Database, person_id: int, on_duty: bool) -> None:
    async with database.transaction() as session:
        await session.execute(update(Person).where(Person.id == person_id).values(on_duty=on_duty))


async def revoke(database: Database, person: Person, admin_ids: frozenset[int]) -> Person:
    """Make a staff member a resident again; the ADMIN_IDS admins keep their role."""
    if person.tg_id in admin_ids:
        raise StaffError("revoke.founding_admin", name=person.name)
    if person.role == Role.RESIDENT:
        raise StaffError("revoke.not_staff", name=person.name)
    async with database.transaction() as session:
        await session.execute(
            update(Person)
            .where(Person.id == person.id)
            .values(role=Role.RESIDENT, area_id=None, backup=False, on_duty=True)
        )
        fresh = await session.get(Person, person.id, populate_existing=True)
    assert fresh is not None
    log.info("person %s (%s) is a resident again", person.id, person.role.value)
    return fresh
