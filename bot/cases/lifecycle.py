"""The case lifecycle: every change of a case's status happens here and nowhere else.

Each action checks who may do it and from which status, changes the case, records an audit event
(who, when, from, to, note) and returns who must be told what. Handlers never set a status.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases import access
from bot.categories import answers
from bot.errors import PoliteError
from bot.timing import working_time
from storage.models import (
    OPEN_STATUSES,
    Area,
    AreaLevel,
    Case,
    CaseEvent,
    CaseFollower,
    CaseOwed,
    CaseStatus,
    Category,
    Person,
    Role,
)
from storage.types import utcnow

S = CaseStatus
STAFF = access.STAFF_ROLES
DEFAULT_PREFIX = "MQ"


class Action(enum.StrEnum):
    SUBMIT = "submit"
    ACCEPT = "accept"
    REQUEST_INFO = "request_info"
    ADD_INFO = "add_info"
    RESOLVE = "resolve"
    CONFIRM = "confirm"  # the reporter says it is fixed
    REOPEN = "reopen"  # the reporter says it is not fixed: rework
    CLOSE = "close"  # a lead verifies, or nobody answered in time
    REJECT = "reject"
    MERGE = "merge"
    RATE = "rate"
    TRANSFER = "transfer"  # to another grid of the community (or back to the lead): stays new
    NOTE = "note"  # a staff note on the case: the audit trail, no status change
    COMMENT = "comment"  # the reporter's words with their rating
    WITHDRAW = "withdraw"  # the reporter takes it back while nobody has accepted it (撤回)


class Who(enum.Enum):
    REPORTER = "reporter"
    STAFF = "staff"
    CLOSER = "closer"  # leads, admins and the system


@dataclass(frozen=True)
class Rule:
    sources: frozenset[CaseStatus]
    target: CaseStatus | None  # None: the status does not change
    who: Who
    tell_followers: bool = True


RULES: dict[Action, Rule] = {
    Action.SUBMIT: Rule(frozenset({S.DRAFT}), S.NEW, Who.REPORTER, tell_followers=False),
    Action.ACCEPT: Rule(frozenset({S.NEW}), S.ACCEPTED, Who.STAFF),
    Action.REQUEST_INFO: Rule(frozenset({S.NEW, S.ACCEPTED}), None, Who.STAFF, False),
    Action.ADD_INFO: Rule(frozenset({S.NEW, S.ACCEPTED}), None, Who.REPORTER, False),
    Action.RESOLVE: Rule(frozenset({S.ACCEPTED}), S.RESOLVED, Who.STAFF),
    Action.CONFIRM: Rule(frozenset({S.RESOLVED}), S.CLOSED, Who.REPORTER),
    Action.REOPEN: Rule(frozenset({S.RESOLVED}), S.ACCEPTED, Who.REPORTER),
    Action.CLOSE: Rule(frozenset({S.RESOLVED}), S.CLOSED, Who.CLOSER),
    Action.REJECT: Rule(frozenset({S.NEW, S.ACCEPTED}), S.REJECTED, Who.STAFF),
    Action.MERGE: Rule(frozenset({S.NEW}), S.DUPLICATE, Who.STAFF),
    Action.RATE: Rule(frozenset({S.CLOSED}), None, Who.REPORTER, tell_followers=False),
    Action.TRANSFER: Rule(frozenset({S.NEW}), None, Who.STAFF, tell_followers=False),
    Action.NOTE: Rule(frozenset({S.NEW, S.ACCEPTED, S.RESOLVED}), None, Who.STAFF, False),
    Action.COMMENT: Rule(frozenset({S.CLOSED}), None, Who.REPORTER, tell_followers=False),
    Action.WITHDRAW: Rule(frozenset({S.NEW}), S.WITHDRAWN, Who.REPORTER),
}
OPEN = OPEN_STATUSES


class CaseError(PoliteError):
    """An action that cannot be done on a case (wrong status, not allowed, ...)."""

    def __init__(self, key: str, case: Case | None = None) -> None:
        # Only the number is kept: the case object dies with the transaction that failed.
        super().__init__(key, number=(case.number if case else None) or "")


@dataclass
class Outcome:
    """What an action did, whom to tell (person ids), and the row that says it is owed."""

    case: Case
    action: Action
    event: CaseEvent
    tell: list[int] = field(default_factory=list)
    owed: CaseOwed | None = None


def allowed(
    action: Action, status: CaseStatus, actor: Person | None, reporter_id: int
) -> str | None:
    """Why `actor` may not do `action` on a case in `status` (a text key), or None if they may.

    Who may comes first: someone who may not is told only that, never the case's number or
    that it moved on (a forged button would otherwise learn both)."""
    rule = RULES[action]
    if actor is not None and actor.banned:
        return "case.not_allowed"
    if rule.who is Who.REPORTER:
        ok = actor is not None and actor.id == reporter_id
    elif rule.who is Who.STAFF:
        ok = actor is not None and actor.role in STAFF
    else:
        ok = actor is None or actor.role in (Role.LEAD, Role.ADMIN)
    if not ok:
        return "case.not_allowed"
    return None if status in rule.sources else "case.wrong_status"


async def apply(
    session: AsyncSession,
    case_id: int,
    action: Action,
    actor: Person | None,
    note: str | None = None,
    *,
    rating: int | None = None,
    duplicate_of: int | None = None,
    prefix: str | None = None,
    area_id: int | None = None,
    tz: tzinfo | None = None,
    verified: bool = False,
    now: datetime | None = None,
) -> Outcome:
    """Do `action` on the case (inside the caller's transaction); raises CaseError if refused."""
    case = await session.get(Case, case_id, with_for_update=True, populate_existing=True)
    if case is None:
        raise CaseError("case.not_found")
    if RULES[action].who is not Who.REPORTER and not await _in_scope(session, actor, case):
        raise CaseError("case.not_allowed", case)
    refusal = allowed(action, case.status, actor, case.reporter_id)
    if refusal:
        raise CaseError(refusal, case)
    now = now or utcnow()
    before = case.status
    await _EFFECTS[action](
        session,
        case,
        now,
        note=note,
        rating=rating,
        duplicate_of=duplicate_of,
        prefix=prefix,
        area_id=area_id,
        actor=actor,
        tz=tz,
        verified=verified,
    )
    target = RULES[action].target
    if target is not None:
        case.status = target
    event = CaseEvent(
        case_id=case.id,
        actor_id=actor.id if actor else None,
        action=action.value,
        from_status=before.value,
        to_status=case.status.value,
        note=note,
        created_at=now,
    )
    # What the action owes people is written with it: the desk delivers it after the commit,
    # and if the process stops first, the clock does (bot.cases.owed).
    owed = CaseOwed(
        case_id=case.id, event=event, kind=CaseOwed.ACTION, created_at=now, claimed_at=now
    )
    session.add_all([event, owed])
    await session.flush()
    return Outcome(case, action, event, await audience(session, case, action), owed)


async def _in_scope(session: AsyncSession, actor: Person | None, case: Case) -> bool:
    """Staff act only on cases of their area; the system (no actor) acts anywhere."""
    return actor is None or await access.may_act(session, actor, case)


QUIET_ACTIONS = frozenset(
    {Action.SUBMIT, Action.RATE, Action.COMMENT, Action.ADD_INFO, Action.TRANSFER, Action.NOTE}
)


async def audience(session: AsyncSession, case: Case, action: Action) -> list[int]:
    """Whom an action's news goes to (person ids)."""
    if action in QUIET_ACTIONS:
        return []
    people = [case.reporter_id]
    if RULES[action].tell_followers:
        followers = await session.scalars(
            select(CaseFollower.person_id).where(CaseFollower.case_id == case.id)
        )
        people += [p for p in followers if p != case.reporter_id]
    return people


# --- effects of each action beyond the status ----------------------------------------------


async def _submit(
    session: AsyncSession,
    case: Case,
    now: datetime,
    prefix: str | None = None,
    tz: tzinfo | None = None,
    **_: object,
) -> None:
    if case.category_id is None:
        raise CaseError("report.no_category", case)
    category = await session.get(Category, case.category_id)
    assert category is not None
    case.submitted_at = now
    case.urgent = case.urgent or answers.urgent(category, case.answers)
    # Urgent categories and cases count clock time; the others working time (without a time
    # zone, e.g. in lifecycle tests, clock time too).
    clock = tz is None or category.urgent or case.urgent
    zone = tz or UTC
    accept, resolve = deadlines_of(category, case.urgent)
    case.accept_due_at = working_time.deadline(now, accept, zone, urgent=clock)
    case.resolve_due_at = working_time.deadline(now, resolve, zone, urgent=clock)
    case.number = f"{await case_prefix(session, prefix)}-{case.id:06d}"


# What "urgent" means for a case whose answer is urgent or danger now (a bite, smoke): whatever
# its category, it is accepted within 30 minutes and resolved within a day, in clock time.
URGENT_ACCEPT_MINUTES = 30
URGENT_RESOLVE_MINUTES = 24 * 60


def deadlines_of(category: Category, urgent: bool) -> tuple[int, int]:
    """Minutes to accept and to resolve a case of `category` (shorter when it is urgent)."""
    if not urgent:
        return category.accept_minutes, category.resolve_minutes
    return (
        min(category.accept_minutes, URGENT_ACCEPT_MINUTES),
        min(category.resolve_minutes, URGENT_RESOLVE_MINUTES),
    )


async def _accept(
    session: AsyncSession, case: Case, now: datetime, actor: Person | None = None, **_: object
) -> None:
    case.accepted_at = now
    case.escalation_level = 0  # the resolve deadline is watched afresh
    if actor is not None:
        case.officer_id = actor.id


async def _transfer(
    session: AsyncSession, case: Case, now: datetime, area_id: int | None = None, **_: object
) -> None:
    targets = await access.transfer_targets(session, case)
    if area_id is None or not targets.allows(area_id):
        raise CaseError("case.transfer_target", case)
    case.area_id = area_id
    case.officer_id = None


async def _resolve(
    session: AsyncSession, case: Case, now: datetime, verified: bool = False, **_: object
) -> None:
    case.resolved_at = now
    case.verified_on_site = verified


async def _close(session: AsyncSession, case: Case, now: datetime, **_: object) -> None:
    case.closed_at = now


async def _reopen(session: AsyncSession, case: Case, now: datetime, **_: object) -> None:
    case.rework_count += 1
    case.resolved_at = None
    case.escalation_level = 0


async def _merge(
    session: AsyncSession,
    case: Case,
    now: datetime,
    duplicate_of: int | None = None,
    actor: Person | None = None,
    **_: object,
) -> None:
    target = await session.get(Case, duplicate_of) if duplicate_of else None
    if target is None or target.id == case.id or target.status not in OPEN:
        raise CaseError("case.merge_target", case)
    if not await _in_scope(session, actor, target):
        raise CaseError("case.merge_target", case)
    case.duplicate_of_id = target.id
    case.closed_at = now
    await follow(session, target.id, case.reporter_id)


async def _rate(
    session: AsyncSession, case: Case, now: datetime, rating: int | None = None, **_: object
) -> None:
    if rating is None or not 1 <= rating <= 5:
        raise CaseError("case.bad_rating", case)
    if case.rating is not None:
        raise CaseError("case.already_rated", case)
    case.rating = rating


async def _comment(
    session: AsyncSession, case: Case, now: datetime, note: str | None = None, **_: object
) -> None:
    if case.rating is None or not note:
        raise CaseError("error.stale_button", case)
    if case.rating_comment is not None:
        raise CaseError("case.already_rated", case)
    case.rating_comment = note


async def _nothing(session: AsyncSession, case: Case, now: datetime, **_: object) -> None:
    return None


_EFFECTS = {
    Action.SUBMIT: _submit,
    Action.ACCEPT: _accept,
    Action.REQUEST_INFO: _nothing,
    Action.ADD_INFO: _nothing,
    Action.RESOLVE: _resolve,
    Action.CONFIRM: _close,
    Action.REOPEN: _reopen,
    Action.CLOSE: _close,
    Action.REJECT: _close,
    Action.MERGE: _merge,
    Action.RATE: _rate,
    Action.TRANSFER: _transfer,
    Action.NOTE: _nothing,
    Action.COMMENT: _comment,
    Action.WITHDRAW: _close,
}


# --- helpers other modules use --------------------------------------------------------------


async def case_prefix(session: AsyncSession, configured: str | None = None) -> str:
    """CASE_PREFIX if set, else the street's area code (letters only), else MQ."""
    if configured:
        return configured
    code = await session.scalar(select(Area.code).where(Area.level == AreaLevel.STREET).limit(1))
    letters = "".join(ch for ch in (code or "") if ch.isascii() and ch.isalpha()).upper()
    return letters[:6] or DEFAULT_PREFIX


async def follow(session: AsyncSession, case_id: int, person_id: int) -> bool:
    """Make a person a follower of a case; False if they already were (or reported it)."""
    case = await session.get(Case, case_id)
    if case is None or case.reporter_id == person_id:
        return False
    exists = await session.get(CaseFollower, (case_id, person_id))
    if exists is not None:
        return False
    session.add(CaseFollower(case_id=case_id, person_id=person_id))
    await session.flush()
    return True


async def overdue_resolved(session: AsyncSession, older_than: datetime) -> list[int]:
    """Resolved cases nobody confirmed or reopened since `older_than` (for auto-close)."""
    rows = await session.scalars(
        select(Case.id).where(Case.status == S.RESOLVED, Case.resolved_at < older_than)
    )
    return list(rows)
