"""Who a notice reaches: subscribed residents or staff, of the whole street or chosen areas,
optionally only residents who follow a topic.

An audience is stored as JSON on the plan (`{"kind", "areas", "topic"}`) and resolved to people
each time the plan runs, so people who subscribed since are reached too. A notice to an area
reaches the subscribers of that area and of the areas within it (a community's notice reaches
residents who subscribed by location in one of its grids).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import PoliteError
from bot.places.tree import within
from storage.models import Person, Role, Subscription, SubscriptionTopic

STAFF_ROLES = (Role.OFFICER, Role.LEAD)


class Kind(enum.StrEnum):
    RESIDENTS = "residents"
    STAFF = "staff"


@dataclass(frozen=True)
class Audience:
    kind: Kind
    areas: tuple[int, ...] = field(default=())  # empty: the whole street
    topic: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        return cls(Kind(data["kind"]), tuple(data.get("areas") or ()), data.get("topic"))

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "areas": list(self.areas), "topic": self.topic}


async def people_query(session: AsyncSession, audience: Audience) -> Select[tuple[Person]]:
    """The recipients as a query (not banned; blocked ones are kept and counted as blocked)."""
    areas = await within(session, audience.areas) if audience.areas else None
    query = select(Person).where(Person.banned.is_(False))
    if audience.kind == Kind.STAFF:
        query = query.where(Person.role.in_(STAFF_ROLES))
        return query if areas is None else query.where(Person.area_id.in_(areas))
    subscribed = select(Subscription.person_id)
    if areas is not None:
        subscribed = subscribed.where(Subscription.area_id.in_(areas))
    query = query.where(Person.id.in_(subscribed))
    if audience.topic:
        topics = SubscriptionTopic.person_id == Person.id
        query = query.where(
            or_(
                ~exists().where(topics),
                exists().where(and_(topics, SubscriptionTopic.topic == audience.topic)),
            )
        )
    return query


async def resolve(session: AsyncSession, audience: Audience) -> list[Person]:
    query = await people_query(session, audience)
    return list((await session.scalars(query.order_by(Person.id))).all())


async def count(session: AsyncSession, audience: Audience) -> int:
    query = await people_query(session, audience)
    return int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)


async def check_scope(session: AsyncSession, author: Person, audience: Audience) -> None:
    """Admins may address the whole street; leads only their community and its grids."""
    if author.role == Role.ADMIN:
        return
    if author.role != Role.LEAD or author.area_id is None or not audience.areas:
        raise PoliteError("error.not_allowed")
    allowed = await within(session, [author.area_id])
    if not set(audience.areas) <= allowed:
        raise PoliteError("error.not_allowed")
