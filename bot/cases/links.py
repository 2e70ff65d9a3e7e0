"""Case links: `t.me/<bot>?start=c_<number>` lets anyone follow a case by its public number.

The payload is the case number itself (`c_JN-000123`), nothing more: the number is already
public (cards, notices, the Open311 feed publish it), a draft has none, and the internal id
never appears. So a link lets nobody reach more cases than the numbers already do, and whoever
opens one sees only the case's public view (bot.cases.views.public).
"""

from __future__ import annotations

import enum
import re
from urllib.parse import urlencode

from sqlalchemy import select

from bot.cases import lifecycle
from storage.db import Database
from storage.models import Case, CaseFollower, CaseStatus, Person
from storage.types import is_key

CASE_PREFIX = "c_"
# What lifecycle numbers look like (CASE_PREFIX is 1–6 capital letters, then the id).
NUMBER = re.compile(r"[A-Z]{1,6}-\d{6,19}")


class Followed(enum.Enum):
    NOW = "now"  # the person follows it from now on
    ALREADY = "already"
    OWN = "own"  # their own report: they hear of it anyway
    CLOSED = "closed"  # nothing more will happen to it


def case_payload(number: str) -> str:
    """The `start` parameter of a case's link."""
    return f"{CASE_PREFIX}{number}"


def case_link(bot_username: str, number: str) -> str:
    """The link that offers anyone to follow the case."""
    return f"https://t.me/{bot_username}?start={case_payload(number)}"


def share_url(link: str, text: str) -> str:
    """Telegram's "share to a chat" address for a link with a line of text."""
    return "https://t.me/share/url?" + urlencode({"url": link, "text": text})


def number_of(payload: str) -> str | None:
    """The case number a `start` parameter names, or None when it is not a case link."""
    number = payload.removeprefix(CASE_PREFIX).upper()
    return number if payload.startswith(CASE_PREFIX) and NUMBER.fullmatch(number) else None


async def by_payload(database: Database, payload: str) -> Case | None:
    """The filed case a link names; None for a malformed, unknown or forged one (drafts have
    no number, so no link reaches them)."""
    number = number_of(payload)
    if number is None:
        return None
    async with database.sessions() as session:
        return await session.scalar(
            select(Case).where(Case.number == number, Case.status != CaseStatus.DRAFT)
        )


def follow_state(case: Case, person: Person, following: bool) -> Followed | None:
    """Why `person` cannot follow the case now, or None if they can."""
    if case.reporter_id == person.id:
        return Followed.OWN
    if following:
        return Followed.ALREADY
    if case.status not in lifecycle.OPEN:
        return Followed.CLOSED
    return None


async def is_following(database: Database, case_id: int, person_id: int) -> bool:
    async with database.sessions() as session:
        return await session.get(CaseFollower, (case_id, person_id)) is not None


async def follow(database: Database, case_id: int, person: Person) -> tuple[Case | None, Followed]:
    """Make `person` a follower of a filed, open case (from its link's button): the button's
    case id is checked again here, so a forged one follows nothing."""
    async with database.transaction() as session:
        case = await session.get(Case, case_id) if is_key(case_id) else None
        if case is None or case.status == CaseStatus.DRAFT:
            return None, Followed.CLOSED
        following = await session.get(CaseFollower, (case.id, person.id)) is not None
        refused = follow_state(case, person, following)
        if refused is not None:
            return case, refused
        await lifecycle.follow(session, case.id, person.id)
        return case, Followed.NOW
