"""Every kind of inline button, forged as an adversary would, by people who never saw it.

The kinds are found by introspection (every CallbackData of handlers/common/callbacks.py), so a
new kind of button is covered at once: it needs an entry in OBJECTS (which of its fields name
which seeded object) or in OWN (a reasoned exclusion from the well-formed forgeries), else the
test fails. Each kind is pressed (a) well-formed, naming real objects of someone else, (b) with
ids 0, -1, 2**31 and 2**63, (c) with a field too few or too many, a word for a number, an unknown
enum value. Each press is answered with a refusal in the presser's language, the database does
not change, nobody else hears of it, and (checked by `bot_app`) no traceback, no leaked number.

Pressers: an ordinary resident writing in English; then the staff of ANOTHER area (an officer of
grid JN05-1, the lead of community JN05, a member of another fire station, a volunteer of another
residents' group), since authorization must be checked in the domain, not by the button shown.
"""

from __future__ import annotations

import inspect
import itertools
import re
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Any

import pytest
from aiogram.filters.callback_data import CallbackData
from sqlalchemy import select

from app.admin_cli import DEMO_FILE
from app.wiring import App
from bot.config import Settings
from bot.places.areas import import_file
from handlers.common import callbacks
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.client import TestUser
from storage.models import (
    Area,
    Base,
    Campaign,
    Case,
    CaseStatus,
    Delivery,
    Dog,
    DogBooking,
    DogDay,
    DogDaySlot,
    DogStatus,
    DogVaccination,
    Duty,
    DutyOccurrence,
    FireResponse,
    GroupVolunteer,
    Notice,
    NoticePlan,
    Person,
    PlanStatus,
    ResidentGroup,
    Role,
    Station,
    StationAlert,
    StationMember,
)
from storage.models.duties import Rhythm
from storage.types import utcnow
from tests.conftest import StartBot, reset_postgres

KINDS = [
    kind
    for _, kind in inspect.getmembers(callbacks, inspect.isclass)
    if issubclass(kind, CallbackData) and kind is not CallbackData
]

# Which seeded objects (see `_seed`) each kind's id fields name; an id field not listed is a
# small index or a choice and gets 0. A list: each of them in turn.
OBJECTS: dict[type[CallbackData], dict[str, list[str]]] = {
    callbacks.ReportCategory: {"case_id": ["draft"], "category_id": ["category"]},
    callbacks.ReportAnswer: {"case_id": ["draft"]},
    callbacks.ReportNav: {"case_id": ["draft", "case"]},
    callbacks.CaseOpen: {"case_id": ["case", "draft"]},
    callbacks.CaseFollow: {"case_id": ["draft"]},  # a filed case is anyone's to follow
    callbacks.PosterMake: {"grid_id": ["home_grid"], "category_id": ["category"]},
    callbacks.Withdraw: {"case_id": ["case", "resolved"]},
    callbacks.Feedback: {"case_id": ["resolved"]},
    callbacks.CaseDuty: {"case_id": ["case", "resolved"], "target": ["grid"]},
    callbacks.NoticeAck: {"notice_id": ["notice"]},
    callbacks.Compose: {},
    callbacks.PlanManage: {"plan_id": ["plan", "cancelled_plan"]},
    callbacks.PlanPage: {},
    callbacks.CampaignManage: {"campaign_id": ["campaign"]},
    callbacks.RankingPublish: {"year": ["year"], "month": ["month"]},
    callbacks.DogOpen: {"dog_id": ["dog", "pending_dog"]},
    callbacks.DogOwner: {"dog_id": ["dog", "pending_dog"]},
    callbacks.DogReview: {"dog_id": ["pending_dog", "dog"]},
    callbacks.DogPage: {},
    callbacks.FireGo: {"response_id": ["response", "started_response"]},
    callbacks.DogDayAct: {"day_id": ["draft_day", "day"]},
    callbacks.DogBook: {"slot_id": ["slot"], "dog_id": ["dog"]},
    callbacks.DogCame: {"booking_id": ["booking"]},
    callbacks.DogClaim: {"claim_id": ["claim", "decided_claim"]},
    callbacks.DogCameStep: {"booking_id": ["booking"]},
    callbacks.DutyRun: {"occurrence_id": ["occurrence", "group_occurrence", "done_occurrence"]},
    callbacks.DutyReportStep: {"occurrence_id": ["occurrence", "done_occurrence"]},
    callbacks.DutyFindStart: {"occurrence_id": ["occurrence", "group_occurrence"]},
}

# Kinds whose well-formed press acts on the presser's own things only, so it is theirs to press
# whoever they are; they are still forged malformed, and must then change nothing.
OWN: dict[type[CallbackData], str] = {
    callbacks.LanguageChoice: "the presser's own language",
    callbacks.CasePage: "a page of the presser's own cases",
    callbacks.SubPick: "the presser's own subscriptions",
    callbacks.DogForm: "the presser's own dog registration form",
}

# Kinds that name no object: a resident is refused them all, staff elsewhere may use them for
# their own area (their well-formed forgery is the resident's business only).
NO_OBJECT = {callbacks.Compose, callbacks.PlanPage, callbacks.DogPage, callbacks.RankingPublish}

# Answers that refuse as well: a slot's Book button without a dog (`dog_id` 0) pressed by someone
# with no dog of their own to book.
ALSO_REFUSALS = ["dogday.no_dog"]
BAD_IDS = ["0", "-1", str(2**31), str(2**63)]
SECRET = "王五 电话 13812345678"
# Tables of the machinery, not of the domain: the journal of updates and the clock's runs.
MACHINERY = {"update_log", "job_runs"}

OWNER, OFFICER, LEAD, MEMBER, VOLUNTEER = 9600, 9601, 9602, 9603, 9604
RESIDENT = 9610
ELSEWHERE = {"officer": 9620, "lead": 9621, "member": 9622, "volunteer": 9623}


def test_every_kind_of_button_is_seeded_or_excluded_with_a_reason() -> None:
    missing = [kind.__name__ for kind in KINDS if kind not in OBJECTS and kind not in OWN]
    assert missing == [], f"add these kinds to OBJECTS or OWN: {missing}"
    for kind, fields in OBJECTS.items():
        assert set(fields) <= set(kind.model_fields), kind.__name__
    assert len(KINDS) == len(OBJECTS) + len(OWN)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def any_database(
    request: pytest.FixtureRequest, make_settings: Callable[..., Settings], checked_bot: StartBot
) -> AsyncIterator[App]:
    """The bot on SQLite, and on the real PostgreSQL, whose INTEGER keys a forged id beyond 31
    bits once broke; the e2e invariants checked after the test."""
    settings = make_settings()
    if request.param == "postgres":
        settings = make_settings(database_url=await reset_postgres())
    async with checked_bot(settings) as app:
        yield app


async def test_a_resident_forging_every_button_is_refused_and_changes_nothing(
    emulator: TelegramEmulator, any_database: App
) -> None:
    seeded = await _seed(any_database)
    presser = emulator.user(RESIDENT, "Eve", language_code="en")
    await presser.ask("/start")
    payloads = [
        *(p for kind in KINDS if kind not in OWN for p in well_formed(kind, seeded)),
        *(p for kind in KINDS for p in malformed(kind, seeded)),
    ]
    findings = await _press_all(any_database, emulator, presser, payloads, "en")
    assert findings == [], "\n".join(findings)


async def test_staff_of_another_area_forging_buttons_are_refused(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    seeded = await _seed(bot_app)
    payloads = [
        p
        for kind in KINDS
        if kind not in OWN and kind not in NO_OBJECT
        for p in well_formed(kind, seeded)
    ]
    findings = []
    for tg_id in ELSEWHERE.values():
        presser = emulator.user(tg_id, "外")
        await presser.ask("/start")
        findings += await _press_all(bot_app, emulator, presser, payloads, "zh")
    assert findings == [], "\n".join(findings)


# --- the forgeries -----------------------------------------------------------------------------


def well_formed(kind: type[CallbackData], seeded: dict[str, int]) -> Iterator[str]:
    """Every combination of the kind's choices, its id fields naming the seeded objects."""
    fields = OBJECTS.get(kind, {})
    choices = []
    for name, info in kind.model_fields.items():
        if name in fields:
            choices.append([seeded[key] for key in fields[name]])
        else:
            choices.append(_choices(info.annotation))
    for values in itertools.product(*choices):
        yield kind(**dict(zip(kind.model_fields, values, strict=True))).pack()


def malformed(kind: type[CallbackData], seeded: dict[str, int]) -> Iterator[str]:
    """(b) bad ids in each id field, (c) a field too few or too many, words for numbers, unknown
    enum values."""
    sample = _sample(kind, seeded)
    names = list(kind.model_fields)
    for index, name in enumerate(names):
        annotation = kind.model_fields[name].annotation
        if annotation is int:
            for bad in [*BAD_IDS, "x", "1.5"]:
                yield _raw(kind, [*sample[:index], bad, *sample[index + 1 :]])
        elif inspect.isclass(annotation) and issubclass(annotation, Enum):
            yield _raw(kind, [*sample[:index], "zz", *sample[index + 1 :]])
        elif annotation is bool:
            yield _raw(kind, [*sample[:index], "maybe", *sample[index + 1 :]])
    yield kind.__prefix__
    yield _raw(kind, [*sample, "1"])
    if len(sample) > 1:
        yield _raw(kind, sample[:-1])


def _sample(kind: type[CallbackData], seeded: dict[str, int]) -> list[str]:
    packed = next(well_formed(kind, seeded)) if kind in OBJECTS else _own_sample(kind)
    return packed.split(":")[1:]


def _own_sample(kind: type[CallbackData]) -> str:
    values = [_choices(info.annotation)[0] for info in kind.model_fields.values()]
    return kind(**dict(zip(kind.model_fields, values, strict=True))).pack()


def _raw(kind: type[CallbackData], parts: list[str]) -> str:
    return ":".join([kind.__prefix__, *parts])


def _choices(annotation: Any) -> list[Any]:
    if inspect.isclass(annotation) and issubclass(annotation, Enum):
        return list(annotation)
    if annotation is bool:
        return [False, True]
    if annotation is str:
        return ["1"]
    return [0]


# --- pressing ----------------------------------------------------------------------------------


@dataclass
class _Seen:
    rows: dict[str, list[tuple[Any, ...]]]
    others: dict[int, int]


async def _press_all(
    app: App, emulator: TelegramEmulator, presser: TestUser, payloads: list[str], language: str
) -> list[str]:
    """Press each payload on the presser's last message; what went wrong, one line each."""
    refusals = _refusals(app, language)
    before = await _state(app, emulator, presser.id)
    message = max(presser.chat.messages)
    findings: list[str] = []
    for index, data in enumerate(payloads):
        query = await presser.press_data(message, data)
        answer = (await presser.callback_answer(query)).get("text") or ""
        if answer not in refusals and not (_kind_of(data) in OWN and answer == ""):
            key = next((k for k, v in app.catalogue.texts[language].items() if v == answer), "?")
            findings.append(f"{presser.id} {data}: answered {key} {answer!r}")
        if _others(emulator, presser.id) != before.others:
            findings.append(f"{presser.id} {data}: someone else was sent something")
            before.others = _others(emulator, presser.id)
        if index + 1 < len(payloads) and _kind_of(payloads[index + 1]) is _kind_of(data):
            continue  # the database is compared once a kind's presses are done
        now = await _state(app, emulator, presser.id)
        if now.rows != before.rows:
            changed = [t for t in now.rows if now.rows[t] != before.rows[t]]
            findings.append(f"{presser.id} {data.split(':')[0]}: changed {changed}")
            before = now
    await presser.ask("/start")  # an update after them all: what they sent late is out too
    if (await _state(app, emulator, presser.id)).others != before.others:
        findings.append(f"{presser.id}: someone else was sent something after the presses")
    return findings


def _kind_of(data: str) -> type[CallbackData] | None:
    return next((kind for kind in KINDS if data.split(":")[0] == kind.__prefix__), None)


def _refusals(app: App, language: str) -> set[str]:
    """The texts that tell a presser the button is stale or not theirs, in their language."""
    texts = app.catalogue.texts[language]
    keys = [
        key
        for key in texts
        if re.search(r"stale_button|not_allowed|not_found|not_yours|\.gone$", key)
    ]
    return {texts[key] for key in [*keys, *ALSO_REFUSALS]}


async def _state(app: App, emulator: TelegramEmulator, presser: int) -> _Seen:
    rows = {}
    async with app.database.sessions() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in MACHINERY:
                continue
            result = await session.execute(select(table))
            rows[table.name] = sorted((tuple(map(repr, row)) for row in result), key=str)
    return _Seen(rows, _others(emulator, presser))


def _others(emulator: TelegramEmulator, presser: int) -> dict[int, int]:
    """How many messages each chat but the presser's was sent."""
    return {chat: len(emulator.chats[chat].sent) for chat in emulator.chats if chat != presser}


# --- the street -------------------------------------------------------------------------------


async def _seed(app: App) -> dict[str, int]:
    """The demo street; in grid JN01-1 and community JN01, objects of resident OWNER and of the
    area's staff; the staff of JN05 elsewhere. Written straight to the database, so nobody is
    told of them."""
    await import_file(app.database, DEMO_FILE)
    seeded: dict[str, int] = {}
    async with app.database.transaction() as session:
        areas = {a.code: a for a in await session.scalars(select(Area))}
        grid, community = areas["JN01-1"], areas["JN01"]
        far_grid, far_community = areas["JN05-1"], areas["JN05"]
        people = {
            tg: Person(tg_id=tg, name=name, role=role, area_id=area)
            for tg, name, role, area in [
                (OWNER, "主", Role.RESIDENT, None),
                (OFFICER, "甲网格员", Role.OFFICER, grid.id),
                (LEAD, "甲社区长", Role.LEAD, community.id),
                (MEMBER, "甲站员", Role.RESIDENT, None),
                (VOLUNTEER, "甲志愿者", Role.VOLUNTEER, None),
                (ELSEWHERE["officer"], "乙网格员", Role.OFFICER, far_grid.id),
                (ELSEWHERE["lead"], "乙社区长", Role.LEAD, far_community.id),
                (ELSEWHERE["member"], "乙站员", Role.RESIDENT, None),
                (ELSEWHERE["volunteer"], "乙志愿者", Role.VOLUNTEER, None),
            ]
        }
        session.add_all(people.values())
        await session.flush()
        owner = people[OWNER]
        seeded |= {
            "grid": far_grid.id,
            "home_grid": grid.id,
            "category": 1,
            "year": 2026,
            "month": 1,
        }
        seeded |= await _cases(session, owner, grid)
        seeded |= await _dogs(session, owner, people[LEAD], community, grid)
        seeded |= await _stations(
            session, people, community, far_community, seeded["case"], seeded["resolved"]
        )
        seeded |= await _duties(session, people, community, far_community, grid)
        seeded |= await _notices(session, owner, people[LEAD])
    return seeded


async def _cases(session: Any, owner: Person, grid: Area) -> dict[str, int]:
    now = utcnow()
    cases = {
        "draft": Case(status=CaseStatus.DRAFT, reporter_id=owner.id, description=SECRET),
        "case": Case(number="JN-000901", submitted_at=now, status=CaseStatus.NEW),
        "resolved": Case(number="JN-000902", submitted_at=now, status=CaseStatus.RESOLVED),
    }
    for case in cases.values():
        case.reporter_id, case.category_id, case.area_id = owner.id, 1, grid.id
        case.description = SECRET
    session.add_all(cases.values())
    await session.flush()
    return {key: case.id for key, case in cases.items()}


async def _dogs(
    session: Any, owner: Person, lead: Person, community: Area, grid: Area
) -> dict[str, int]:
    given = date.today() - timedelta(days=30)
    dogs = {
        "dog": Dog(number="JN-D000901", status=DogStatus.APPROVED),
        "pending_dog": Dog(status=DogStatus.PENDING),
    }
    for dog in dogs.values():
        dog.owner_id, dog.area_id, dog.name, dog.breed = owner.id, grid.id, "旺财", "corgi"
        dog.colour, dog.size, dog.sex, dog.vaccinated_on = "黄", "small", "male", given
        dog.photo_file_id, dog.photo_unique_id, dog.certificate = "p", "pu", "C-1"
    session.add_all(dogs.values())
    await session.flush()
    day = DogDay(area_id=community.id, day=date.today() + timedelta(days=9), place="广场")
    draft_day = DogDay(area_id=community.id, day=date.today() + timedelta(days=20), place="广场")
    day.author_id = draft_day.author_id = lead.id
    day.announced_at = utcnow()
    session.add_all([day, draft_day])
    await session.flush()
    slot = DogDaySlot(day_id=day.id, starts="09:00", ends="10:00", capacity=5, booked=1)
    session.add(slot)
    await session.flush()
    booking = DogBooking(day_id=day.id, slot_id=slot.id, dog_id=dogs["dog"].id, owner_id=owner.id)
    claim = DogVaccination(
        dog_id=dogs["dog"].id,
        owner_id=owner.id,
        vaccinated_on=date.today(),
        certificate="C-2",
        photo_file_id="p2",
        photo_unique_id="pu2",
    )
    decided = DogVaccination(
        dog_id=dogs["dog"].id,
        owner_id=owner.id,
        vaccinated_on=given,
        certificate="C-1",
        photo_file_id="p1",
        photo_unique_id="pu1",
        status="confirmed",
        decided_at=utcnow(),
        decided_by_id=lead.id,
    )
    session.add_all([booking, claim, decided])
    await session.flush()
    ids = {key: dog.id for key, dog in dogs.items()}
    ids |= {"day": day.id, "draft_day": draft_day.id, "slot": slot.id}
    return ids | {"booking": booking.id, "claim": claim.id, "decided_claim": decided.id}


async def _stations(
    session: Any,
    people: dict[int, Person],
    community: Area,
    far: Area,
    case_id: int,
    started_case: int,
) -> dict[str, int]:
    near = Station(name="甲站", community_id=community.id, latitude=30.6, longitude=104.0)
    other = Station(name="乙站", community_id=far.id, latitude=30.7, longitude=104.1)
    session.add_all([near, other])
    await session.flush()
    session.add_all(
        [
            StationMember(station_id=near.id, person_id=people[MEMBER].id),
            StationMember(station_id=other.id, person_id=people[ELSEWHERE["member"]].id),
        ]
    )
    responses = {
        key: FireResponse(
            case_id=case, station_id=near.id, escalate_at=utcnow() + timedelta(hours=1)
        )
        for key, case in [("response", case_id), ("started_response", started_case)]
    }
    responses["started_response"].started_at = utcnow()
    responses["started_response"].started_by_id = people[MEMBER].id
    session.add_all(responses.values())
    await session.flush()
    session.add_all(
        StationAlert(response_id=response.id, station_id=near.id, sent_at=utcnow())
        for response in responses.values()
    )
    return {key: response.id for key, response in responses.items()}


async def _duties(
    session: Any, people: dict[int, Person], community: Area, far: Area, grid: Area
) -> dict[str, int]:
    mine = ResidentGroup(code="JN01-G1", name="甲组", community_id=community.id)
    theirs = ResidentGroup(code="JN05-G1", name="乙组", community_id=far.id)
    session.add_all([mine, theirs])
    await session.flush()
    session.add_all(
        [
            GroupVolunteer(person_id=people[VOLUNTEER].id, group_id=mine.id),
            GroupVolunteer(person_id=people[ELSEWHERE["volunteer"]].id, group_id=theirs.id),
        ]
    )
    checklist = [{"zh": "通道", "en": "Lanes"}, {"zh": "建设", "en": "Building"}]
    report = [{"name": "places", "zh": "场所", "en": "Places", "type": "int", "most": 99}]
    walk = Duty(name="甲日巡", role=Role.OFFICER, area_id=grid.id, rhythm=Rhythm.DAILY)
    walk.checklist, walk.report = checklist, report
    patrol = Duty(name="甲组巡", role=Role.VOLUNTEER, area_id=community.id, rhythm=Rhythm.DAILY)
    patrol.checklist, patrol.group_id = checklist, mine.id
    session.add_all([walk, patrol])
    await session.flush()
    now = utcnow()
    occurrences = {
        key: DutyOccurrence(
            duty_id=duty.id,
            period_start=date.today(),
            starts_at=now - timedelta(hours=1),
            due_at=now + timedelta(hours=12),
            announced_at=now,
        )
        for key, duty in [
            ("occurrence", walk),
            ("group_occurrence", patrol),
            ("done_occurrence", walk),
        ]
    }
    occurrences["done_occurrence"].period_start = date.today() - timedelta(days=1)
    occurrences["done_occurrence"].started_at = now - timedelta(hours=2)
    occurrences["done_occurrence"].done_at = now - timedelta(hours=1)
    occurrences["done_occurrence"].started_by_id = people[OFFICER].id
    session.add_all(occurrences.values())
    await session.flush()
    return {key: occurrence.id for key, occurrence in occurrences.items()}


async def _notices(session: Any, owner: Person, lead: Person) -> dict[str, int]:
    audience = {"kind": "all"}
    campaign = Campaign(name="防火月", audience=audience, author_id=lead.id)
    campaign.phases = [{"name": "一", "start": "2026-01-01", "end": "2026-12-31"}]
    session.add(campaign)
    await session.flush()
    plan = NoticePlan(
        author_id=lead.id, text="停水", audience=audience, next_run_at=utcnow() + timedelta(days=30)
    )
    plan.campaign_id = campaign.id
    cancelled = NoticePlan(author_id=lead.id, text="停电", audience=audience)
    cancelled.status = PlanStatus.CANCELLED
    notice = Notice(author_id=lead.id, text="停水通知", ack=True, status="sent")
    session.add_all([plan, cancelled, notice])
    await session.flush()
    session.add(Delivery(notice_id=notice.id, person_id=owner.id, chat_id=OWNER))
    ids = {"campaign": campaign.id, "plan": plan.id, "cancelled_plan": cancelled.id}
    return ids | {"notice": notice.id}
