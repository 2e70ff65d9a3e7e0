"""Immunisation days (集中免疫日): an admin or a lead drafts one (date, place, slots), sees it,
and announces it. The announcement goes through the notices' outbox to the owners of dogs in
the area and to residents who follow the dog topic there, as one notice whose text and booking
buttons are drawn for each reader when it is sent (`view`): what survives a restart is the
outbox's rows, and the slots' free places are read then, not when it was queued."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dogs import access
from bot.dogs.day_rules import Plan, may_announce
from bot.dogs.rules import DogError
from bot.notices import outbox
from bot.notices.audience import Audience, Kind, people_query
from bot.places.tree import within
from bot.texts import Translator
from storage.db import Database
from storage.models import Area, AreaLevel, Dog, DogDay, DogDaySlot, DogStatus, Notice, Person, Role
from storage.types import is_key, utcnow

SUBJECT = "dog_day"  # the notices' subject kind of an announcement


@dataclass(frozen=True)
class DayView:
    """An immunisation day as it reads: where, its slots and their free places."""

    day: DogDay
    area: str | None  # None: the whole street
    slots: list[DogDaySlot]

    @property
    def hours(self) -> str:
        return f"{self.slots[0].starts}-{self.slots[-1].ends}" if self.slots else ""


async def area_for(database: Database, author: Person, code: str | None) -> int | None:
    """The area a day is for: the code an admin gave (a community, or the street), else the
    lead's own community; DogError when the author may not announce there."""
    async with database.sessions() as session:
        lead_community = await access.staff_community(session, author)
        area_id = lead_community if author.role != Role.ADMIN else None
        if code:
            area = await session.scalar(select(Area).where(Area.code == code))
            if area is None or area.level == AreaLevel.GRID:
                raise DogError("dogday.unknown_area", code=code)
            area_id = None if area.level == AreaLevel.STREET else area.id
    if not may_announce(author, area_id, lead_community):
        raise DogError("dogs.not_allowed")
    return area_id


async def draft(
    database: Database, author: Person, plan: Plan, area_id: int | None, now: datetime | None = None
) -> DogDay:
    """A day not yet announced, with its slots (the author sees it before sending)."""
    async with database.transaction() as session:
        day = DogDay(
            area_id=area_id,
            day=plan.day,
            place=plan.place,
            author_id=author.id,
            created_at=now or utcnow(),
        )
        session.add(day)
        await session.flush()
        session.add_all(
            DogDaySlot(day_id=day.id, starts=s.starts, ends=s.ends, capacity=plan.capacity)
            for s in plan.slots
        )
        return day


async def _day_for(session: AsyncSession, day_id: int, author: Person) -> DogDay:
    day = await session.get(DogDay, day_id, with_for_update=True) if is_key(day_id) else None
    if day is None:
        raise DogError("dogday.not_found")
    if not may_announce(author, day.area_id, await access.staff_community(session, author)):
        raise DogError("dogs.not_allowed")
    return day


async def announce(
    database: Database,
    day_id: int,
    author: Person,
    fallback: str,
    topic: str,
    now: datetime | None = None,
) -> int:
    """Send a drafted day to its area's owners and the subscribers following `topic` (the dog
    category's code, `DOG_TOPIC`) through the outbox (`fallback` is the text a reader gets if
    the day is gone by then); returns how many."""
    async with database.transaction() as session:
        day = await _day_for(session, day_id, author)
        if day.announced_at is not None:
            raise DogError("dogday.already_announced")
        day.announced_at = now or utcnow()
        notice = Notice(
            author_id=author.id,
            text=fallback,
            subject_kind=SUBJECT,
            subject_id=day.id,
            progress_chat_id=author.tg_id,
        )
        notice = await outbox.add_notice(
            session, notice, await recipients(session, day.area_id, topic)
        )
        day.notice_id = notice.id
        return notice.total


async def discard(database: Database, day_id: int, author: Person) -> None:
    """Drop a draft the author does not want to send."""
    async with database.transaction() as session:
        day = await _day_for(session, day_id, author)
        if day.announced_at is not None:
            raise DogError("dogday.already_announced")
        await session.delete(day)


async def recipients(
    session: AsyncSession, area_id: int | None, topic: str
) -> Select[tuple[Person]]:
    """Owners of registered dogs in the area, and residents subscribed to it who follow the dog
    topic (or every topic); each once, banned people never."""
    areas = await within(session, [area_id]) if area_id is not None else None
    owners = select(Dog.owner_id).where(Dog.status.in_((DogStatus.APPROVED, DogStatus.LOST)))
    if areas is not None:
        owners = owners.where(Dog.area_id.in_(areas))
    audience = Audience(Kind.RESIDENTS, (area_id,) if area_id is not None else (), topic)
    subscribers = (await people_query(session, audience)).with_only_columns(Person.id)
    return select(Person).where(
        Person.banned.is_(False), or_(Person.id.in_(owners), Person.id.in_(subscribers))
    )


async def view(database: Database, day_id: int) -> DayView | None:
    async with database.sessions() as session:
        day = await session.get(DogDay, day_id) if is_key(day_id) else None
        if day is None:
            return None
        area = await session.get(Area, day.area_id) if day.area_id else None
        slots = await session.scalars(
            select(DogDaySlot).where(DogDaySlot.day_id == day.id).order_by(DogDaySlot.id)
        )
        return DayView(day, area.name if area else None, list(slots))


def describe(t: Translator, seen: DayView) -> str:
    """The day as an owner reads it: when, where, the slots and their free places."""
    lines = [
        t(
            "dogday.card",
            date=seen.day.day.isoformat(),
            hours=seen.hours,
            place=seen.day.place,
            area=seen.area or t("dogday.whole_street"),
        )
    ]
    lines += [
        t(
            "dogday.slot_line",
            starts=s.starts,
            ends=s.ends,
            free=max(s.capacity - s.booked, 0),
            capacity=s.capacity,
        )
        for s in seen.slots
    ]
    return "\n".join(lines)


async def staff_view(database: Database, day_id: int, viewer: Person) -> DayView:
    """An announced day a staff member sees (as `visible_days` lists them), with its slots;
    DogError for a day that is not, or not theirs to see."""
    seen = await view(database, day_id)
    if seen is None or seen.day.announced_at is None:
        raise DogError("dogday.not_found")
    if viewer.role == Role.ADMIN and not viewer.banned:
        return seen
    async with database.sessions() as session:
        community = await access.staff_community(session, viewer)
    if community is None or seen.day.area_id not in (None, community):
        raise DogError("error.not_allowed")
    return seen


async def visible_days(database: Database, viewer: Person, since: date) -> list[DayView]:
    """The announced days from `since` on that a staff member sees: an admin every one, the
    staff of a community those of their community and of the whole street."""
    async with database.sessions() as session:
        query = select(DogDay.id).where(DogDay.announced_at.is_not(None), DogDay.day >= since)
        if not (viewer.role == Role.ADMIN and not viewer.banned):
            community = await access.staff_community(session, viewer)
            if community is None:
                raise DogError("error.not_allowed")
            query = query.where(or_(DogDay.area_id.is_(None), DogDay.area_id == community))
        ids = list((await session.scalars(query.order_by(DogDay.day, DogDay.id))).all())
    return [seen for day_id in ids if (seen := await view(database, day_id)) is not None]
