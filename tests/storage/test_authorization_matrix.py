"""Every lifecycle action × everyone who might try it: the expected outcome is written here,
once per action, and the matrix is generated from the code's own list of actions, so a new
action that nobody placed in EXPECTED fails this test until someone decides who may do it.

The case lies in grid C1-1 of community C1. "Who may" means: the lifecycle does it; everyone
else is refused with "case.not_allowed", whatever entry point (button, command, replay) asked.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update

from bot.cases import lifecycle as cases
from bot.cases.lifecycle import RULES, Action, CaseError
from bot.dogs import access as dog_access
from bot.dogs import registry as dog_registry
from bot.dogs.registry import RULES as DOG_RULES
from bot.dogs.registry import Action as DogAction
from bot.dogs.rules import DogError
from bot.duties import people as duty_people
from bot.people import groups
from bot.reports import drafts
from storage.db import Database
from storage.models import Case, Duty, ResidentGroup, Role
from tests.storage.dog_street import a_dog
from tests.storage.test_access import ACTORS, Street, _file, _street

NOW = datetime(2026, 6, 1, 4, tzinfo=UTC)

STAFF_OF_THE_CASE = frozenset({"officer", "lead", "admin"})
REPORTER = frozenset({"reporter"})

EXPECTED: dict[Action, frozenset[str]] = {
    Action.SUBMIT: REPORTER,
    Action.ACCEPT: STAFF_OF_THE_CASE,
    Action.REQUEST_INFO: STAFF_OF_THE_CASE,
    Action.ADD_INFO: REPORTER,
    Action.RESOLVE: STAFF_OF_THE_CASE,
    Action.CONFIRM: REPORTER,
    Action.REOPEN: REPORTER,
    Action.CLOSE: frozenset({"lead", "admin"}),  # a lead verifies; officers do not close
    Action.REJECT: STAFF_OF_THE_CASE,
    Action.MERGE: STAFF_OF_THE_CASE,
    Action.RATE: REPORTER,
    Action.TRANSFER: STAFF_OF_THE_CASE,
    Action.NOTE: STAFF_OF_THE_CASE,
    Action.COMMENT: REPORTER,
    Action.WITHDRAW: REPORTER,  # while nobody has accepted it
}


def test_every_action_has_its_expected_row() -> None:
    assert set(EXPECTED) == set(Action), "place the new action in EXPECTED: who may do it?"
    assert set(RULES) == set(Action)


async def _case_ready_for(database: Database, street: Street, action: Action) -> Case:
    """A case of the reporter in grid C1-1, in the first status the action starts from."""
    reporter = street.people["reporter"]
    if action is Action.SUBMIT:
        draft = await drafts.start(database, reporter.id)
        await drafts.choose_category(database, draft, 1)
        async with database.transaction() as session:
            await session.execute(
                update(Case).where(Case.id == draft.id).values(area_id=street.grid.id)
            )
        return await drafts.describe(database, draft.id, "楼道堆物")
    case = await _file(database, reporter, street.grid.id, "楼道堆物")
    status = sorted(RULES[action].sources)[0]
    rating = 4 if action is Action.COMMENT else None
    async with database.transaction() as session:
        await session.execute(
            update(Case).where(Case.id == case.id).values(status=status, rating=rating)
        )
    return case


@pytest.mark.parametrize("action", list(Action))
async def test_who_may_do_each_action(database: Database, action: Action) -> None:
    street = await _street(database)
    other = await _file(database, street.people["neighbour"], street.grid.id, "同一处")
    details = {
        Action.TRANSFER: {"area_id": street.sibling.id},
        Action.MERGE: {"duplicate_of": other.id},
        Action.RATE: {"rating": 5},
    }.get(action, {})
    outcomes = {}
    for who in ACTORS:
        case = await _case_ready_for(database, street, action)
        async with database.transaction() as session:
            try:
                await cases.apply(
                    session, case.id, action, street.people[who], "说明", prefix=None, **details
                )
                outcomes[who] = "done"
            except CaseError as refused:
                outcomes[who] = refused.key
    expected = {who: "done" if who in EXPECTED[action] else "case.not_allowed" for who in ACTORS}
    assert outcomes == expected


# --- the dog register: the same matrix for every change of a dog ------------------------------

OWNER = frozenset({"reporter"})  # the street's reporter owns the dog
STAFF_OF_THE_COMMUNITY = frozenset({"officer", "sibling_officer", "lead", "admin"})
DOG_EXPECTED: dict[DogAction, frozenset[str]] = {
    DogAction.RESUBMIT: OWNER,
    DogAction.APPROVE: STAFF_OF_THE_COMMUNITY,
    DogAction.RETURN: STAFF_OF_THE_COMMUNITY,
    DogAction.VACCINATE: OWNER,  # sent, with the certificate's photo; renewed once confirmed
    DogAction.CONFIRM_VACCINATION: STAFF_OF_THE_COMMUNITY,
    DogAction.REFUSE_VACCINATION: STAFF_OF_THE_COMMUNITY,
    DogAction.LOST: OWNER,
    DogAction.FOUND: OWNER,
    DogAction.DEAD: OWNER,
    DogAction.REHOMED: OWNER,
    DogAction.IMMUNISE: STAFF_OF_THE_COMMUNITY,
}


def test_every_dog_action_has_its_expected_row() -> None:
    assert set(DOG_EXPECTED) == set(DogAction) - {DogAction.REGISTER}
    assert set(DOG_RULES) == set(DOG_EXPECTED)


@pytest.mark.parametrize("action", list(DOG_EXPECTED))
async def test_who_may_change_a_dog(database: Database, action: DogAction) -> None:
    street = await _street(database)
    outcomes = {}
    for who in ACTORS:
        status = sorted(DOG_RULES[action].sources)[0]
        dog = await a_dog(database, street.people["reporter"], street.grid.id, status)
        details = {
            DogAction.RETURN: {"note": "photo"},
            DogAction.VACCINATE: {"vaccination": (date(2026, 3, 1), "CD-2026-002")},
            DogAction.CONFIRM_VACCINATION: {"vaccination": (date(2026, 3, 1), "CD-2026-002")},
            DogAction.IMMUNISE: {"vaccination": (date(2026, 3, 1), None)},
        }.get(action, {})
        try:
            await dog_registry.act(database, dog.id, action, street.people[who], now=NOW, **details)
            outcomes[who] = "done"
        except DogError as refused:
            outcomes[who] = refused.key
    expected = {
        who: "done" if who in DOG_EXPECTED[action] else "dogs.not_allowed" for who in ACTORS
    }
    assert outcomes == expected


async def test_who_sees_a_dogs_owner(database: Database) -> None:
    """The owner, the staff of the dog's community and admins; nobody else (one function,
    which the cards, the register and the export all ask)."""
    street = await _street(database)
    dog = await a_dog(database, street.people["reporter"], street.grid.id)
    async with database.sessions() as session:
        seen = {
            who: await dog_access.sees_owner(session, street.people[who], dog) for who in ACTORS
        }
    assert {who for who, sees in seen.items() if sees} == OWNER | STAFF_OF_THE_COMMUNITY


# --- routine duties and residents' groups: who does a duty, who manages a group ----------------


async def _groups(database: Database, street: Street) -> tuple[ResidentGroup, ResidentGroup]:
    """C1's group C1-G1, led by the street's volunteer, and C1-G2 without them."""
    own = await groups.set_up(database, "C1-G1", "一组", "C1")
    other = await groups.set_up(database, "C1-G2", "二组", "C1")
    await groups.set_leader(database, own, street.people["volunteer"])
    return own, other


def _duty(role: Role, area_id: int | None, group_id: int | None = None) -> Duty:
    return Duty(name="d", role=role, area_id=area_id, group_id=group_id, checklist=[])


async def test_who_may_do_each_kind_of_duty(database: Database) -> None:
    street = await _street(database)
    own, other = await _groups(database, street)
    duties = {
        "grid": (_duty(Role.OFFICER, street.grid.id), {"officer"}),
        "community": (_duty(Role.LEAD, street.community.id), {"lead"}),
        "street": (_duty(Role.ADMIN, None), {"admin"}),
        "group": (_duty(Role.VOLUNTEER, street.community.id, own.id), {"volunteer"}),
        "other group": (_duty(Role.VOLUNTEER, street.community.id, other.id), set()),
    }
    for kind, (duty, expected) in duties.items():
        allowed = {
            who
            for who in ACTORS
            if await duty_people.may_do_now(database, street.people[who], duty)
        }
        assert allowed == expected, kind


async def test_who_may_manage_a_residents_group(database: Database) -> None:
    street = await _street(database)
    own, _ = await _groups(database, street)
    own = await groups.find(database, own.code)
    allowed = {who for who in ACTORS if groups.may_manage(street.people[who], own)}
    assert allowed == {"volunteer", "lead", "admin"}  # its leader, C1's lead, the admins
