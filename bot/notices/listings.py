"""What /notices shows: the plans a person manages, a page at a time with their last run's
progress, and the notices of the last month for a resident's areas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from bot.notices import audience, outbox
from bot.notices.audience import Audience
from bot.places import tree
from storage.db import Database
from storage.models import (
    Delivery,
    DeliveryState,
    Notice,
    NoticePlan,
    Person,
    PlanStatus,
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


CURRENT = (PlanStatus.ACTIVE, PlanStatus.PAUSED)  # still to run, or running: can be stopped
PER_PAGE = 10


async def staff_list(
    database: Database, person: Person, *, finished: bool | None = None, page: int = 0
) -> tuple[list[PlanView], int]:
    """One page of the plans a person manages (admins: all), newest first, with their last
    run's progress: all of them, or (`finished` False) the current ones (active or paused), or
    (True) the finished ones (done or cancelled); and how many there are in all."""
    current = NoticePlan.status.in_(CURRENT)
    query = select(NoticePlan)
    if finished is not None:
        query = query.where(~current if finished else current)
    if person.role != Role.ADMIN:
        query = query.where(NoticePlan.author_id == person.id)
    async with database.sessions() as session:
        total = int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)
        plans = (
            await session.scalars(
                query.order_by(NoticePlan.id.desc()).offset(page * PER_PAGE).limit(PER_PAGE)
            )
        ).all()
    return [await plan_view(database, plan) for plan in plans], total


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
