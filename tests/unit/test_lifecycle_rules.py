"""The case lifecycle's rules: which action from which status, by whom."""

from __future__ import annotations

import pytest

from bot.cases.lifecycle import RULES, Action, allowed
from storage.models import CaseStatus, Person, Role

S = CaseStatus
REPORTER_ID = 1


def person(role: Role, person_id: int = 2, banned: bool = False) -> Person:
    return Person(id=person_id, tg_id=person_id, role=role, banned=banned)


REPORTER = person(Role.RESIDENT, REPORTER_ID)
NEIGHBOUR = person(Role.RESIDENT, 3)
OFFICER = person(Role.OFFICER, 4)
LEAD = person(Role.LEAD, 5)
ADMIN = person(Role.ADMIN, 6)


@pytest.mark.parametrize(
    ("action", "status", "target"),
    [
        (Action.SUBMIT, S.DRAFT, S.NEW),
        (Action.ACCEPT, S.NEW, S.ACCEPTED),
        (Action.RESOLVE, S.ACCEPTED, S.RESOLVED),
        (Action.CONFIRM, S.RESOLVED, S.CLOSED),
        (Action.REOPEN, S.RESOLVED, S.ACCEPTED),
        (Action.CLOSE, S.RESOLVED, S.CLOSED),
        (Action.REJECT, S.NEW, S.REJECTED),
        (Action.REJECT, S.ACCEPTED, S.REJECTED),
        (Action.MERGE, S.NEW, S.DUPLICATE),
    ],
)
def test_the_closed_loop(action: Action, status: CaseStatus, target: CaseStatus) -> None:
    assert status in RULES[action].sources
    assert RULES[action].target == target


def test_no_action_leaves_a_final_status_except_rating_and_its_comment() -> None:
    for action, rule in RULES.items():
        for final in (S.CLOSED, S.REJECTED, S.DUPLICATE):
            if final in rule.sources:
                assert (action, final) in {(Action.RATE, S.CLOSED), (Action.COMMENT, S.CLOSED)}
                assert rule.target is None


@pytest.mark.parametrize(
    ("action", "status", "actor", "refusal"),
    [
        (Action.SUBMIT, S.DRAFT, REPORTER, None),
        (Action.SUBMIT, S.DRAFT, NEIGHBOUR, "case.not_allowed"),
        (Action.SUBMIT, S.NEW, REPORTER, "case.wrong_status"),  # a double tap on Submit
        (Action.ACCEPT, S.NEW, OFFICER, None),
        (Action.ACCEPT, S.NEW, REPORTER, "case.not_allowed"),
        (Action.ACCEPT, S.ACCEPTED, OFFICER, "case.wrong_status"),  # a second officer's tap
        (Action.CONFIRM, S.RESOLVED, REPORTER, None),
        (Action.CONFIRM, S.RESOLVED, OFFICER, "case.not_allowed"),
        (Action.REOPEN, S.RESOLVED, NEIGHBOUR, "case.not_allowed"),
        (Action.CLOSE, S.RESOLVED, None, None),  # the scheduler
        (Action.CLOSE, S.RESOLVED, LEAD, None),
        (Action.CLOSE, S.RESOLVED, OFFICER, "case.not_allowed"),
        (Action.RATE, S.CLOSED, REPORTER, None),
        (Action.RATE, S.RESOLVED, REPORTER, "case.wrong_status"),
        (Action.REJECT, S.NEW, ADMIN, None),
        (Action.REJECT, S.NEW, None, "case.not_allowed"),
    ],
)
def test_who_may_do_what(
    action: Action, status: CaseStatus, actor: Person | None, refusal: str | None
) -> None:
    assert allowed(action, status, actor, REPORTER_ID) == refusal


def test_a_banned_person_may_do_nothing() -> None:
    banned = person(Role.RESIDENT, REPORTER_ID, banned=True)
    assert allowed(Action.SUBMIT, S.DRAFT, banned, REPORTER_ID) == "case.not_allowed"
