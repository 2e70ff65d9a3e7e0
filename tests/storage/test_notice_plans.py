"""Notice plans on SQLite and PostgreSQL: audiences, runs claimed once, quiet hours, pause and
cancel, acknowledgements and their one reminder."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.admin_cli import DEMO_FILE
from bot.errors import PoliteError
from bot.notices import acknowledgements, listings, outbox, subscriptions
from bot.notices import plans as notices
from bot.notices.audience import Audience, Kind, count, resolve
from bot.notices.schedules import Repeat, Schedule
from bot.people import staff
from bot.places.areas import import_file
from storage.db import Database
from storage.models import (
    Area,
    Delivery,
    DeliveryState,
    Notice,
    NoticePlan,
    Person,
    PlanStatus,
    Role,
    Subscription,
)

TZ = ZoneInfo("Asia/Shanghai")


async def area(database: Database, code: str) -> int:
    async with database.sessions() as session:
        found = await session.scalar(select(Area.id).where(Area.code == code))
    assert found is not None
    return found


async def resident(
    database: Database, tg_id: int, *areas: str, topics: tuple[str, ...] = ()
) -> Person:
    async with database.transaction() as session:
        person = Person(tg_id=tg_id, name=f"居民{tg_id}")
        session.add(person)
        await session.flush()
    for code in areas:
        await subscriptions.toggle_area(database, person, await area(database, code))
    for topic in topics:
        await subscriptions.toggle_topic(database, person, topic)
    return person


@pytest.fixture
async def street(database: Database) -> Database:
    await import_file(database, DEMO_FILE)
    return database


async def subscribe_grid(database: Database, person: Person, code: str) -> None:
    """As a location in that grid does."""
    async with database.transaction() as session:
        session.add(Subscription(person_id=person.id, area_id=await area(database, code)))


async def test_audiences_reach_exactly_who_they_should(street: Database) -> None:
    jn01, jn02 = await area(street, "JN01"), await area(street, "JN02")
    a = await resident(street, 1, "JN01")
    b = await resident(street, 2, "JN02", topics=("dog",))
    c = await resident(street, 3)
    await subscribe_grid(street, c, "JN01-2")  # by location, in a grid of JN01
    d = await resident(street, 4, "JN03", topics=("fire",))
    await resident(street, 5)  # subscribed to nothing
    officer = await staff.appoint(street, 6, Role.OFFICER, "JN01-1")
    lead = await staff.appoint(street, 7, Role.LEAD, "JN02")

    async def ids(audience: Audience) -> set[int]:
        async with street.sessions() as session:
            people = await resolve(session, audience)
            assert await count(session, audience) == len(people)
        return {p.tg_id for p in people}

    assert await ids(Audience(Kind.RESIDENTS)) == {a.tg_id, b.tg_id, c.tg_id, d.tg_id}
    assert await ids(Audience(Kind.RESIDENTS, (jn01,))) == {a.tg_id, c.tg_id}
    assert await ids(Audience(Kind.RESIDENTS, (jn01, jn02), "dog")) == {a.tg_id, b.tg_id, c.tg_id}
    assert await ids(Audience(Kind.RESIDENTS, (), "fire")) == {a.tg_id, c.tg_id, d.tg_id}
    assert await ids(Audience(Kind.STAFF)) == {officer.person.tg_id, lead.person.tg_id}
    assert await ids(Audience(Kind.STAFF, (jn01,))) == {officer.person.tg_id}


async def test_a_lead_addresses_only_their_community(street: Database) -> None:
    lead = (await staff.appoint(street, 7, Role.LEAD, "JN02")).person
    mine, other = await area(street, "JN02-1"), await area(street, "JN01")
    draft = notices.Draft("x", Audience(Kind.RESIDENTS, (other,)), notices.NOW)
    async with street.transaction() as session:
        with pytest.raises(PoliteError):
            await notices.save_plan(session, draft, lead, 7, TZ)
        with pytest.raises(PoliteError):  # the whole street is for admins
            await notices.save_plan(
                session, notices.Draft("x", Audience(Kind.STAFF), notices.NOW), lead, 7, TZ
            )
        ok = notices.Draft("x", Audience(Kind.RESIDENTS, (mine,)), notices.NOW)
        assert (await notices.save_plan(session, ok, lead, 7, TZ)).id > 0


async def save(database: Database, draft: notices.Draft) -> NoticePlan:
    async with database.transaction() as session:
        return await notices.save_plan(session, draft, None, None, TZ)


async def test_a_due_plan_runs_once_however_many_instances_try(street: Database) -> None:
    people = [await resident(street, n, "JN01") for n in range(1, 6)]
    plan = await save(street, notices.Draft("今天下午停水", Audience(Kind.RESIDENTS), notices.NOW))
    fired = await asyncio.gather(*(notices.fire_due(street, TZ) for _ in range(4)))
    assert sorted(len(f) for f in fired) == [0, 0, 0, 1]
    async with street.sessions() as session:
        runs = (await session.scalars(select(Notice).where(Notice.plan_id == plan.id))).all()
        stored = await session.get(NoticePlan, plan.id)
    assert len(runs) == 1
    assert runs[0].total == len(people)
    assert stored is not None
    assert (stored.status, stored.next_run_at, stored.runs) == (PlanStatus.DONE, None, 1)


async def test_a_repeating_plan_moves_to_its_next_run(street: Database) -> None:
    await resident(street, 1, "JN01")
    schedule = Schedule(Repeat.MONTHLY, "15 09:00")
    plan = await save(street, notices.Draft("消防安全宣传日", Audience(Kind.RESIDENTS), schedule))
    at = plan.next_run_at
    assert at is not None
    assert at == schedule.next_after(plan.created_at, TZ)
    assert (at.astimezone(TZ).day, at.astimezone(TZ).hour) == (15, 9)
    assert await notices.fire_due(street, TZ, now=at - timedelta(minutes=1)) == []
    assert len(await notices.fire_due(street, TZ, now=at + timedelta(seconds=5))) == 1
    async with street.sessions() as session:
        stored = await session.get(NoticePlan, plan.id)
    assert stored is not None
    assert stored.status == PlanStatus.ACTIVE
    assert stored.next_run_at == schedule.next_after(at + timedelta(seconds=5), TZ)


async def test_quiet_hours_hold_ordinary_notices_but_not_urgent_ones(street: Database) -> None:
    await resident(street, 1, "JN01")
    quiet = (time(22, 0), time(7, 0))
    night = datetime(2030, 1, 1, 23, 0, tzinfo=TZ)
    ordinary = await save(street, notices.Draft("明早停电", Audience(Kind.RESIDENTS), notices.NOW))
    urgent = await save(
        street, notices.Draft("山火预警", Audience(Kind.RESIDENTS), notices.NOW, urgent=True)
    )
    fired = await notices.fire_due(street, TZ, quiet, now=night)
    async with street.sessions() as session:
        plans = {p.id: p for p in (await session.scalars(select(NoticePlan))).all()}
        runs = (await session.scalars(select(Notice))).all()
    assert [n.plan_id for n in runs] == [urgent.id]
    assert len(fired) == 1
    assert plans[ordinary.id].next_run_at == datetime(2030, 1, 2, 7, 0, tzinfo=TZ)
    morning = datetime(2030, 1, 2, 7, 0, 30, tzinfo=TZ)
    assert len(await notices.fire_due(street, TZ, quiet, now=morning)) == 1
    held = await outbox.claim(street, 10, urgent_only=True)
    assert {d.notice_id for d in held} == {runs[0].id}


async def test_pause_resume_and_cancel_a_running_send(street: Database) -> None:
    for n in range(1, 6):
        await resident(street, n, "JN01")
    plan = await save(street, notices.Draft("垃圾分类宣传", Audience(Kind.RESIDENTS), notices.NOW))
    await notices.fire_due(street, TZ)
    first = await outbox.claim(street, 2)
    for delivery in first:
        await outbox.finish(street, delivery.id, DeliveryState.SENT)
    await notices.set_status(street, plan, PlanStatus.PAUSED, TZ)
    assert await outbox.claim(street, 10) == []  # paused: nothing goes out
    await notices.set_status(street, plan, PlanStatus.ACTIVE, TZ)
    resumed = await outbox.claim(street, 1)
    assert len(resumed) == 1
    await notices.set_status(street, plan, PlanStatus.CANCELLED, TZ)
    assert await outbox.claim(street, 10) == []
    async with street.sessions() as session:
        states = sorted((await session.scalars(select(Delivery.state))).all())
    assert states.count(DeliveryState.CANCELLED) == 2  # the in-flight one is left to finish
    with pytest.raises(PoliteError):
        await notices.set_status(street, plan, PlanStatus.CANCELLED, TZ)


async def test_acknowledgements_and_one_reminder(street: Database) -> None:
    officers = [
        (await staff.appoint(street, 100 + n, Role.OFFICER, f"JN01-{n}")).person for n in (1, 2)
    ]
    stranger = await resident(street, 9)
    plan = await save(
        street, notices.Draft("本周巡查", Audience(Kind.STAFF), notices.NOW, ack=True)
    )
    [notice_id] = await notices.fire_due(street, TZ)
    for delivery in await outbox.claim(street, 10):
        await outbox.finish(street, delivery.id, DeliveryState.SENT)
    assert await acknowledgements.acknowledge(street, notice_id, officers[0]) is True
    assert await acknowledgements.acknowledge(street, notice_id, officers[0]) is False
    with pytest.raises(PoliteError):  # not a recipient: the button's notice id is not trusted
        await acknowledgements.acknowledge(street, notice_id, stranger)
    assert await acknowledgements.remind_unacknowledged(street) == []  # not yet a day
    later = datetime.now(UTC) + acknowledgements.ACK_REMINDER_AFTER + timedelta(minutes=1)
    [reminder] = await acknowledgements.remind_unacknowledged(street, now=later)
    assert (
        await acknowledgements.remind_unacknowledged(street, now=later) == []
    )  # only one reminder
    async with street.sessions() as session:
        reminded = (
            await session.scalars(select(Delivery.person_id).where(Delivery.notice_id == reminder))
        ).all()
    assert list(reminded) == [officers[1].id]
    # appointed officers who never wrote have no name yet: they are shown by id
    assert await acknowledgements.unacknowledged(street, notice_id) == [f"id {officers[1].tg_id}"]
    view = await listings.plan_view(street, plan)
    assert (view.acked, view.progress.sent if view.progress else None) == (1, 2)
    # acknowledging the reminder counts for the original notice
    assert await acknowledgements.acknowledge(street, notice_id, officers[1]) is True
