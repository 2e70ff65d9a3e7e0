"""/notices's entries on SQLite and PostgreSQL: a campaign's plans grouped into one entry, pages
and filters counted in entries, a lead's own only; a phase or the whole campaign stopped."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from app.admin_cli import DEMO_FILE
from bot.errors import PoliteError
from bot.notices import campaign_control, campaigns, listings
from bot.notices.audience import Audience, Kind
from bot.notices.campaign_control import CampaignView, PhaseState
from bot.notices.campaigns import Phase
from bot.people import staff
from bot.places.areas import import_file
from bot.texts import Catalogue
from storage.db import Database
from storage.models import NoticePlan, Person, PlanStatus, Role
from storage.types import utcnow

TZ = ZoneInfo("Asia/Shanghai")
ZH = Catalogue.load().translator("zh")


@pytest.fixture
async def street(database: Database) -> Database:
    await import_file(database, DEMO_FILE)
    return database


def today() -> date:
    return utcnow().astimezone(TZ).date()


async def campaign(database: Database, author: Person, phases: int) -> int:
    start = today()
    found = [
        Phase(f"阶段{n}", start + timedelta(days=2 * n), start + timedelta(days=2 * n + 1))
        for n in range(phases)
    ]
    audience = Audience(Kind.RESIDENTS, (author.area_id,) if author.area_id else ())
    made = await campaigns.create(
        database, author, "犬只", "dog", audience, [p.to_json() for p in found], TZ, ZH
    )
    return made.id


async def plan(database: Database, author: Person, status: PlanStatus) -> int:
    async with database.transaction() as session:
        found = NoticePlan(
            author_id=author.id, text="通知", audience={"kind": "staff", "areas": [], "topic": None},
            repeat="cron", schedule="* * * * *", status=status,
        )  # fmt: skip
        session.add(found)
        await session.flush()
        return found.id


async def test_a_campaign_is_one_entry_in_pages_and_filters(street: Database) -> None:
    admin = (await staff.appoint(street, 1, Role.ADMIN)).person
    lead = (await staff.appoint(street, 2, Role.LEAD, "JN01")).person
    oldest = await plan(street, admin, PlanStatus.ACTIVE)
    theirs = await campaign(street, lead, 3)
    finished = await plan(street, admin, PlanStatus.DONE)
    ours = await campaign(street, admin, 5)
    async with street.transaction() as session:  # the admin's campaign is over
        await session.execute(
            update(NoticePlan).where(NoticePlan.campaign_id == ours).values(status=PlanStatus.DONE)
        )
    entries, total = await listings.staff_list(street, admin, today())
    assert total == 4
    assert [_key(entry) for entry in entries] == [-ours, finished, -theirs, oldest]
    current, total = await listings.staff_list(street, admin, today(), finished=False)
    assert (total, [_key(entry) for entry in current]) == (2, [-theirs, oldest])
    over, total = await listings.staff_list(street, admin, today(), finished=True)
    assert (total, [_key(entry) for entry in over]) == (2, [-ours, finished])
    mine, total = await listings.staff_list(street, lead, today())
    assert (total, [_key(entry) for entry in mine]) == (1, [-theirs])
    [shown] = mine
    assert isinstance(shown, CampaignView)
    assert [len(phase.plans) for phase in shown.phases] == [2, 2, 2]
    assert [phase.state for phase in shown.phases] == [
        PhaseState.RUNNING,
        PhaseState.UPCOMING,
        PhaseState.UPCOMING,
    ]


def _key(entry: listings.Entry) -> int:
    return -entry.campaign.id if isinstance(entry, CampaignView) else entry.plan.id


async def test_a_phase_then_the_campaign_stopped_by_its_author_only(street: Database) -> None:
    lead = (await staff.appoint(street, 2, Role.LEAD, "JN01")).person
    other = (await staff.appoint(street, 3, Role.LEAD, "JN02")).person
    admin = (await staff.appoint(street, 1, Role.ADMIN)).person
    made = await campaign(street, lead, 3)
    with pytest.raises(PoliteError):
        await campaign_control.campaign_for(street, made, other)
    found = await campaign_control.campaign_for(street, made, admin)
    shown = await campaign_control.view(street, found, today())
    assert await campaign_control.stop(street, shown, TZ, phase=1) == 2
    shown = await campaign_control.view(street, found, today())
    assert [phase.state for phase in shown.phases] == [
        PhaseState.RUNNING,
        PhaseState.STOPPED,
        PhaseState.UPCOMING,
    ]
    with pytest.raises(PoliteError):
        await campaign_control.stop(street, shown, TZ, phase=1)  # nothing left there
    with pytest.raises(PoliteError):
        await campaign_control.stop(street, shown, TZ, phase=3)
    assert await campaign_control.stop(street, shown, TZ) == 4
    async with street.sessions() as session:
        statuses = set((await session.scalars(select(NoticePlan.status))).all())
    assert statuses == {PlanStatus.CANCELLED}
    assert (await campaign_control.view(street, found, today())).status == PlanStatus.CANCELLED
