"""What /notices shows: the plans a person manages, a page at a time with their last run's
progress (a campaign's plans as one entry with its phases), and the notices of the last month
for a resident's areas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select

from bot.notices import audience, campaign_control, outbox
from bot.notices.audience import Audience
from bot.places import tree
from storage.db import Database
from storage.models import (
    Campaign,
    Delivery,
    DeliveryState,
    Notice,
    NoticePlan,
    Person,
    Role,
    Subscription,
)
from storage.types import utcnow

RECENT_DAYS = 30


@dataclass(frozen=True)
class PlanView:
    plan: NoticePlan
    last: Notice | None
    progress: outbox.Progress | None
    acked: int


Entry = PlanView | campaign_control.CampaignView
CURRENT = campaign_control.CURRENT  # still to run, or running: can be stopped
PER_PAGE = 10


async def staff_list(
    database: Database,
    person: Person,
    today: date,
    *,
    finished: bool | None = None,
    page: int = 0,
) -> tuple[list[Entry], int]:
    """One page of what a person manages (admins: all), newest first: each plan on its own
    with its last run's progress, and each campaign once with its phases. All of them, or
    (`finished` False) the current ones (a plan, or a campaign's plan, active or paused), or
    (True) the finished ones; and how many entries there are in all."""
    # One entry per plan outside campaigns (key: its id) and per campaign (key: -its id).
    key = case((NoticePlan.campaign_id.is_(None), NoticePlan.id), else_=-NoticePlan.campaign_id)
    current = func.max(case((NoticePlan.status.in_(CURRENT), 1), else_=0))
    query = select(key.label("key"), func.max(NoticePlan.id).label("newest")).group_by(key)
    if finished is not None:
        query = query.having(current == (0 if finished else 1))
    if person.role != Role.ADMIN:
        query = query.where(NoticePlan.author_id == person.id)
    async with database.sessions() as session:
        total = int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)
        page_of = query.order_by(func.max(NoticePlan.id).desc()).offset(page * PER_PAGE)
        keys = (await session.scalars(page_of.limit(PER_PAGE))).all()
    return [await _entry(database, key, today) for key in keys], total


async def _entry(database: Database, key: int, today: date) -> Entry:
    async with database.sessions() as session:
        found = await session.get(Campaign if key < 0 else NoticePlan, abs(key))
    if isinstance(found, Campaign):
        return await campaign_control.view(database, found, today)
    assert isinstance(found, NoticePlan)  # a campaign's plans go with it
    return await plan_view(database, found)


async def plan_view(database: Database, plan: NoticePlan) -> PlanView:
    async with database.sessions() as session:
        last = await session.scalar(
            select(Notice)
            .where(Notice.plan_id == plan.id, Notice.reminder_of.is_(None))
            .order_by(Notice.id.desc())
            .limit(1)
        )
        acked = 0
        if last is not None:
            acked = int(
                await session.scalar(
                    select(func.count()).where(
                        Delivery.notice_id == last.id, Delivery.acked_at.is_not(None)
                    )
                )
                or 0
            )
    progress = await outbox.progress(database, last.id) if last else None
    return PlanView(plan, last, progress, acked)


async def recent_for(database: Database, person: Person, limit: int = 10) -> list[Notice]:
    """Residents' notices of the last month for the person's areas (those they subscribed to,
    the areas around them and within them), and any notice they received; newest first."""
    since = utcnow() - timedelta(days=RECENT_DAYS)
    async with database.sessions() as session:
        mine = set(
            (
                await session.scalars(
                    select(Subscription.area_id).where(Subscription.person_id == person.id)
                )
            ).all()
        )
        near = await tree.within(session, mine) | await tree.around(session, mine)
        received = select(Delivery.notice_id).where(
            Delivery.person_id == person.id, Delivery.state == DeliveryState.SENT
        )
        rows = await session.execute(
            select(Notice, NoticePlan.audience)
            .outerjoin(NoticePlan, NoticePlan.id == Notice.plan_id)
            .where(Notice.reminder_of.is_(None), Notice.created_at >= since)
            .order_by(Notice.id.desc())
            .limit(200)
        )
        received_ids = set((await session.scalars(received)).all())
    found = []
    for notice, spec in rows.all():
        if notice.id in received_ids or (spec and _covers(Audience.from_json(spec), near)):
            found.append(notice)
    return found[:limit]


def _covers(spec: Audience, areas: set[int]) -> bool:
    if spec.kind != audience.Kind.RESIDENTS or not areas:
        return False
    return not spec.areas or bool(set(spec.areas) & areas)
