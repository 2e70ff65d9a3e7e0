"""Notice plans: composed once, run when due (once or repeating), paused, resumed, cancelled.

A due plan is claimed by a conditional UPDATE of its `next_run_at` in the same transaction that
writes the run's deliveries, so with several instances exactly one of them runs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, tzinfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import PoliteError
from bot.notices import audience, outbox
from bot.notices.audience import Audience
from bot.notices.schedules import Repeat, Schedule
from bot.timing.quiet_hours import in_quiet_hours, quiet_hours_end
from storage.db import Database
from storage.models import (
    Delivery,
    DeliveryState,
    Notice,
    NoticePlan,
    Person,
    PlanStatus,
    Role,
)
from storage.types import utcnow

P = PlanStatus


@dataclass(frozen=True)
class Draft:
    """What the author composed, before it is saved."""

    text: str
    audience: Audience
    schedule: Schedule
    media_kind: str | None = None
    media_file_id: str | None = None
    urgent: bool = False
    ack: bool = False
    until: datetime | None = None
    campaign_id: int | None = None
    campaign_phase: int | None = None
    first_run: datetime | None = None  # else the schedule's first run after now


async def save_plan(
    session: AsyncSession, draft: Draft, author: Person | None, chat_id: int | None, tz: tzinfo
) -> NoticePlan:
    """The plan, due at its first run (now for "send now")."""
    if author is not None:
        await audience.check_scope(session, author, draft.audience)
    now = utcnow()
    first_run = draft.first_run or (
        now if draft.schedule.spec == "now" else draft.schedule.next_after(now, tz)
    )
    plan = NoticePlan(
        author_id=author.id if author else None,
        author_chat_id=chat_id,
        campaign_id=draft.campaign_id,
        campaign_phase=draft.campaign_phase,
        text=draft.text,
        media_kind=draft.media_kind,
        media_file_id=draft.media_file_id,
        audience=draft.audience.to_json(),
        repeat=draft.schedule.repeat.value,
        schedule=draft.schedule.spec,
        next_run_at=first_run,
        until=draft.until,
        urgent=draft.urgent,
        ack=draft.ack,
    )
    session.add(plan)
    await session.flush()
    return plan


NOW = Schedule(Repeat.ONCE, "now")


async def fire_due(
    database: Database,
    tz: tzinfo,
    quiet: tuple[time, time] | None = None,
    now: datetime | None = None,
) -> list[int]:
    """Run every plan that is due: one notice each with its deliveries. Non-urgent plans due in
    quiet hours move to the end of them. Returns the new notices' ids."""
    now = now or utcnow()
    async with database.sessions() as session:
        due = (
            await session.execute(
                select(NoticePlan.id, NoticePlan.next_run_at).where(
                    NoticePlan.status == P.ACTIVE, NoticePlan.next_run_at <= now
                )
            )
        ).all()
    fired = []
    for plan_id, run_at in due:
        if (notice_id := await _run(database, plan_id, run_at, tz, quiet, now)) is not None:
            fired.append(notice_id)
    return fired


async def _run(
    database: Database,
    plan_id: int,
    run_at: datetime,
    tz: tzinfo,
    quiet: tuple[time, time] | None,
    now: datetime,
) -> int | None:
    async with database.transaction() as session:
        plan = await session.get(NoticePlan, plan_id)
        if plan is None:
            return None
        claimed = (NoticePlan.id == plan_id) & (NoticePlan.next_run_at == run_at)
        claimed &= NoticePlan.status == P.ACTIVE
        if quiet is not None and not plan.urgent and in_quiet_hours(now, quiet, tz):
            later = quiet_hours_end(now, quiet, tz)
            await session.execute(update(NoticePlan).where(claimed).values(next_run_at=later))
            return None
        following = _following(plan, now, tz)
        result = await session.execute(
            update(NoticePlan)
            .where(claimed)
            .values(
                next_run_at=following,
                status=P.ACTIVE if following else P.DONE,
                runs=NoticePlan.runs + 1,
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None  # another instance ran it
        recipients = await audience.people_query(session, Audience.from_json(plan.audience))
        notice = await outbox.add_notice(session, _notice_of(plan), recipients)
        return notice.id


def _following(plan: NoticePlan, now: datetime, tz: tzinfo) -> datetime | None:
    if plan.schedule == "now":
        return None
    following = Schedule(Repeat(plan.repeat), plan.schedule).next_after(now, tz)
    if following is not None and plan.until is not None and following > plan.until:
        return None
    return following


def _notice_of(plan: NoticePlan) -> Notice:
    return Notice(
        author_id=plan.author_id,
        plan_id=plan.id,
        text=plan.text,
        urgent=plan.urgent,
        ack=plan.ack,
        media_kind=plan.media_kind,
        media_file_id=plan.media_file_id,
        progress_chat_id=plan.author_chat_id,
    )


async def plan_for(database: Database, plan_id: int, person: Person) -> NoticePlan:
    """A plan the person may see and manage: admins every plan, leads their own."""
    async with database.sessions() as session:
        plan = await session.get(NoticePlan, plan_id)
    if plan is None or not may_manage(person, plan.author_id):
        raise PoliteError("notices.not_found")
    return plan


def may_manage(person: Person, author_id: int | None) -> bool:
    """Admins manage every plan and campaign; leads those they started."""
    return person.role == Role.ADMIN or (person.role == Role.LEAD and author_id == person.id)


async def set_status(database: Database, plan: NoticePlan, status: PlanStatus, tz: tzinfo) -> None:
    """Pause, resume or cancel a plan and the run that is being sent. A resumed plan skips the
    runs it missed while paused."""
    allowed = {
        P.PAUSED: {P.ACTIVE},
        P.ACTIVE: {P.PAUSED},
        P.CANCELLED: {P.ACTIVE, P.PAUSED},
    }
    async with database.transaction() as session:
        values: dict[str, object] = {"status": status}
        now = utcnow()
        if status == P.ACTIVE and plan.next_run_at is not None and plan.next_run_at < now:
            values["next_run_at"] = _following(plan, now, tz) or now
        changed = await session.execute(
            update(NoticePlan)
            .where(NoticePlan.id == plan.id, NoticePlan.status.in_(allowed[status]))
            .values(**values)
        )
        if changed.rowcount != 1 and not await _has_open_run(session, plan.id):  # type: ignore[attr-defined]
            raise PoliteError("notices.cannot_change")
        run_status = {P.PAUSED: outbox.PAUSED, P.ACTIVE: outbox.SENDING}.get(status)
        runs = update(Notice).where(
            Notice.plan_id == plan.id, Notice.status.in_([outbox.SENDING, outbox.PAUSED])
        )
        if run_status is not None:
            await session.execute(runs.values(status=run_status))
            return
        await session.execute(runs.values(status=outbox.CANCELLED, finished_at=utcnow()))
        await session.execute(
            update(Delivery)
            .where(
                Delivery.notice_id.in_(select(Notice.id).where(Notice.plan_id == plan.id)),
                Delivery.state == DeliveryState.PENDING,
            )
            .values(state=DeliveryState.CANCELLED)
        )


async def _has_open_run(session: AsyncSession, plan_id: int) -> bool:
    open_runs = select(func.count()).where(
        Notice.plan_id == plan_id, Notice.status.in_([outbox.SENDING, outbox.PAUSED])
    )
    return bool(await session.scalar(open_runs))
