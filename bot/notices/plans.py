"""Notice plans: composed once, run when due (once or repeating), paused, resumed, cancelled;
acknowledgements and the one reminder to those who have not acknowledged.

A due plan is claimed by a conditional UPDATE of its `next_run_at` in the same transaction that
writes the run's deliveries, so with several instances exactly one of them runs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import PoliteError
from bot.notices import audience, outbox
from bot.notices.audience import Audience
from bot.notices.schedules import Repeat, Schedule
from bot.places import tree
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
    Subscription,
)
from storage.types import utcnow

ACK_REMINDER_AFTER = timedelta(hours=24)
RECENT_DAYS = 30
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
    if plan is None or not _may_manage(person, plan):
        raise PoliteError("notices.not_found")
    return plan


def _may_manage(person: Person, plan: NoticePlan) -> bool:
    return person.role == Role.ADMIN or (person.role == Role.LEAD and plan.author_id == person.id)


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


async def acknowledge(database: Database, notice_id: int, person: Person) -> bool:
    """The person read the notice; False when they had already said so. Only a recipient of
    the notice may acknowledge it (the button's notice id is not trusted)."""
    async with database.transaction() as session:
        delivery = await session.scalar(
            select(Delivery).where(Delivery.notice_id == notice_id, Delivery.person_id == person.id)
        )
        if delivery is None:
            raise PoliteError("error.not_allowed")
        if delivery.acked_at is not None:
            return False
        delivery.acked_at = utcnow()
        return True


async def remind_unacknowledged(
    database: Database, now: datetime | None = None, after: timedelta = ACK_REMINDER_AFTER
) -> list[int]:
    """One reminder notice per acknowledged notice, `after` its run, to those who received it
    and have not acknowledged. Returns the reminders' ids."""
    now = now or utcnow()
    async with database.sessions() as session:
        due = (
            await session.scalars(
                select(Notice.id).where(
                    Notice.ack.is_(True),
                    Notice.reminder_of.is_(None),
                    Notice.reminded.is_(False),
                    Notice.created_at <= now - after,
                )
            )
        ).all()
    made = []
    for notice_id in due:
        if (reminder := await _remind(database, notice_id)) is not None:
            made.append(reminder)
    return made


async def _remind(database: Database, notice_id: int) -> int | None:
    async with database.transaction() as session:
        claimed = await session.execute(
            update(Notice)
            .where(Notice.id == notice_id, Notice.reminded.is_(False))
            .values(reminded=True)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None
        original = await session.get(Notice, notice_id)
        assert original is not None
        silent = select(Delivery.person_id).where(
            Delivery.notice_id == notice_id,
            Delivery.state == DeliveryState.SENT,
            Delivery.acked_at.is_(None),
        )
        if not await session.scalar(select(exists(silent))):
            return None
        reminder = Notice(
            author_id=original.author_id,
            plan_id=original.plan_id,
            reminder_of=original.id,
            text=original.text,
            urgent=original.urgent,
            ack=True,
            media_kind=original.media_kind,
            media_file_id=original.media_file_id,
        )
        recipients = select(Person).where(Person.id.in_(silent))
        return (await outbox.add_notice(session, reminder, recipients)).id


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


async def unacknowledged(database: Database, notice_id: int, limit: int = 30) -> list[str]:
    """Names of recipients who have not acknowledged yet."""
    async with database.sessions() as session:
        rows = await session.execute(
            select(Person.name, Person.tg_id)
            .join(Delivery, Delivery.person_id == Person.id)
            .where(Delivery.notice_id == notice_id, Delivery.acked_at.is_(None))
            .order_by(Person.id)
            .limit(limit)
        )
        return [name or f"id {tg_id}" for name, tg_id in rows.all()]


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
