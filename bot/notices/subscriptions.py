"""Residents' subscriptions: the areas whose notices they get, and the topics they care about
(no topic chosen means every notice)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from bot.errors import PoliteError
from bot.places.index import area_index
from storage.db import Database
from storage.models import Area, AreaLevel, Category, Person, Subscription, SubscriptionTopic
from storage.upsert import insert_if_absent


@dataclass(frozen=True)
class Choices:
    areas: list[Area]
    topics: set[str]

    @property
    def subscribed(self) -> bool:
        return bool(self.areas)


async def choices(database: Database, person_id: int) -> Choices:
    async with database.sessions() as session:
        areas = await session.scalars(
            select(Area)
            .join(Subscription, Subscription.area_id == Area.id)
            .where(Subscription.person_id == person_id)
            .order_by(Area.code)
        )
        topics = await session.scalars(
            select(SubscriptionTopic.topic).where(SubscriptionTopic.person_id == person_id)
        )
        return Choices(list(areas.all()), set(topics.all()))


async def communities(database: Database) -> list[Area]:
    async with database.sessions() as session:
        rows = await session.scalars(
            select(Area).where(Area.level == AreaLevel.COMMUNITY).order_by(Area.code)
        )
        return list(rows.all())


async def topics(database: Database) -> list[Category]:
    async with database.sessions() as session:
        rows = await session.scalars(
            select(Category).where(Category.active.is_(True)).order_by(Category.sort_order)
        )
        return list(rows.all())


async def toggle_area(database: Database, person: Person, area_id: int) -> bool:
    """Subscribe to a community, or unsubscribe if already; True when now subscribed."""
    async with database.transaction() as session:
        area = await session.get(Area, area_id)
        if area is None or area.level != AreaLevel.COMMUNITY:
            raise PoliteError("subscribe.gone")
        if await insert_if_absent(
            session,
            Subscription,
            {"person_id": person.id, "area_id": area_id},
            ["person_id", "area_id"],
        ):
            return True
        await session.execute(
            delete(Subscription).where(
                Subscription.person_id == person.id, Subscription.area_id == area_id
            )
        )
        return False


async def subscribe_at(
    database: Database, person: Person, latitude: float, longitude: float, tolerance_m: float
) -> Area:
    """Subscribe to the grid (or community) where the person is; a PoliteError outside them."""
    located = (await area_index(database)).locate(latitude, longitude, tolerance_m)
    if located is None:
        raise PoliteError("subscribe.outside")
    async with database.transaction() as session:
        await insert_if_absent(
            session,
            Subscription,
            {"person_id": person.id, "area_id": located.area_id},
            ["person_id", "area_id"],
        )
        area = await session.get(Area, located.area_id)
        assert area is not None
        return area


async def toggle_topic(database: Database, person: Person, topic: str | None) -> None:
    """Follow or stop following a topic; None means every notice (clears the topics)."""
    async with database.transaction() as session:
        mine = SubscriptionTopic.person_id == person.id
        if topic is None:
            await session.execute(delete(SubscriptionTopic).where(mine))
            return
        if not await insert_if_absent(
            session,
            SubscriptionTopic,
            {"person_id": person.id, "topic": topic},
            ["person_id", "topic"],
        ):
            await session.execute(
                delete(SubscriptionTopic).where(mine, SubscriptionTopic.topic == topic)
            )


async def unsubscribe(database: Database, person: Person) -> bool:
    """Stop every subscription; False when there was none."""
    async with database.transaction() as session:
        removed = await session.execute(
            delete(Subscription).where(Subscription.person_id == person.id)
        )
        await session.execute(
            delete(SubscriptionTopic).where(SubscriptionTopic.person_id == person.id)
        )
        return bool(removed.rowcount)  # type: ignore[attr-defined]
