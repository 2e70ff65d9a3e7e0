"""The dog register on SQLite and PostgreSQL: numbers, staff's listing and its scope, lapsed
dogs per community, the spreadsheet, and the lapse reminders on a controllable clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.dogs import register, registry, reminders
from bot.dogs.registry import Action
from bot.errors import PoliteError
from bot.texts import Catalogue
from storage.db import Database
from storage.models import Delivery, DogEvent, DogReminder, DogStatus, Notice
from tests.storage.dog_street import a_dog
from tests.storage.test_access import _street

TZ = ZoneInfo("Asia/Shanghai")
CATALOGUE = Catalogue.load()
T = CATALOGUE.translator("zh")


def at(day: date, hour: int = 10) -> datetime:
    """`hour` o'clock local time on `day`, as the clock gives it (UTC)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ).astimezone(UTC)


async def test_an_approved_dog_gets_a_number_like_the_cases_and_every_change_is_audited(
    database: Database,
) -> None:
    street = await _street(database)
    owner, lead = street.people["reporter"], street.people["lead"]
    dog = await a_dog(database, owner, street.grid.id)
    outcome = await registry.act(database, dog.id, Action.APPROVE, lead)
    assert outcome.dog.number == f"S-D{dog.id:06d}"  # the street's code S, as cases have
    assert outcome.tell_owner
    await registry.act(database, dog.id, Action.LOST, owner)
    await registry.act(database, dog.id, Action.FOUND, owner)
    with pytest.raises(PoliteError) as refused:
        await registry.act(database, dog.id, Action.APPROVE, lead)  # approved already
    assert refused.value.key == "dogs.wrong_status"
    async with database.sessions() as session:
        events = (await session.scalars(select(DogEvent).order_by(DogEvent.id))).all()
    assert [(e.action, e.from_status, e.to_status, e.actor_id) for e in events] == [
        ("register", None, "pending", owner.id),
        ("approve", "pending", "approved", lead.id),
        ("lost", "approved", "lost", owner.id),
        ("found", "lost", "approved", owner.id),
    ]


async def test_a_newer_vaccination_only(database: Database) -> None:
    street = await _street(database)
    owner = street.people["reporter"]
    dog = await a_dog(database, owner, street.grid.id, vaccinated_on=date(2026, 1, 10))
    for day, key in ((date(2026, 1, 10), "dogs.not_newer"), (date(2026, 9, 1), "dogs.future_date")):
        with pytest.raises(PoliteError) as refused:
            await registry.act(
                database,
                dog.id,
                Action.VACCINATE,
                owner,
                vaccination=(day, "CD-1234"),
                now=at(date(2026, 6, 1)),
            )
        assert refused.value.key == key


async def test_staff_list_their_communitys_dogs_and_admins_the_streets(database: Database) -> None:
    street = await _street(database)
    owner = street.people["reporter"]
    today = date(2026, 6, 1)
    here = await a_dog(database, owner, street.grid.id, DogStatus.APPROVED, date(2025, 5, 1), "甲")
    await a_dog(database, owner, street.sibling.id, DogStatus.APPROVED, date(2026, 1, 1), "乙")
    await a_dog(database, owner, street.elsewhere.id, DogStatus.APPROVED, date(2025, 1, 1), "丙")
    await a_dog(database, owner, street.grid.id, DogStatus.DEAD, date(2025, 1, 1), "丁")
    for who, names in (
        ("lead", ["甲", "乙"]),
        ("sibling_officer", ["甲", "乙"]),
        ("far_lead", ["丙"]),
        ("admin", ["甲", "乙", "丙"]),
    ):
        lines, total = await register.page(database, street.people[who], 0, today)
        assert [line.dog.name for line in lines] == names, who
        assert total == len(names)
    lapsed, total = await register.page(database, street.people["lead"], 0, today, True)
    assert [line.dog.id for line in lapsed] == [here.id]
    counts = await register.lapsed_by_community(database, street.people["admin"], today)
    assert [(c.name, c.registered, c.lapsed) for c in counts] == [
        ("一社区", 2, 1),
        ("二社区", 1, 1),
    ]
    for who in ("reporter", "neighbour", "banned_admin"):
        with pytest.raises(PoliteError):
            await register.page(database, street.people[who], 0, today)


async def test_the_spreadsheet_has_the_dogs_of_the_scope_with_their_owners(
    database: Database, tmp_path: Path
) -> None:
    street = await _street(database)
    owner = street.people["reporter"]
    await a_dog(database, owner, street.grid.id, DogStatus.APPROVED, date(2025, 5, 1), "=甲")
    await a_dog(database, owner, street.elsewhere.id, DogStatus.APPROVED, date(2026, 1, 1), "丙")
    path = tmp_path / "dogs.xlsx"
    count = await register.write_xlsx(database, street.people["lead"], T, path, date(2026, 6, 1))
    assert count == 1
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("登记号", "状态", "犬名")
    assert rows[1][2] == "'=甲"  # a name that looks like a formula stays text
    assert rows[1][8:13] == ("一社区", "一网格", "2025-05-01", "2026-05-01", "是")
    assert rows[1][14] == "居民"


async def _reminders(database: Database) -> list[tuple[int, int, str]]:
    async with database.sessions() as session:
        rows = await session.execute(
            select(DogReminder.dog_id, DogReminder.stage, Notice.text)
            .join(Notice, Notice.id == DogReminder.notice_id)
            .order_by(DogReminder.created_at, DogReminder.stage)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_lapse_reminders_30_and_7_days_before_and_once_after(database: Database) -> None:
    street = await _street(database)
    owner = street.people["reporter"]
    dog = await a_dog(database, owner, street.grid.id, DogStatus.APPROVED, date(2025, 7, 1))
    old = await a_dog(database, owner, street.grid.id, DogStatus.APPROVED, date(2023, 3, 1))
    await a_dog(database, owner, street.grid.id, DogStatus.PENDING, date(2023, 3, 1))  # no
    await a_dog(database, owner, street.grid.id, DogStatus.DEAD, date(2023, 3, 1))  # no

    async def tick(day: date) -> int:
        return await reminders.queue_reminders(database, CATALOGUE, TZ, at(day))

    assert await tick(date(2026, 5, 31)) == 1  # only the long-lapsed dog: once, lapsed
    assert await tick(date(2026, 6, 1)) == 1  # 30 days before 2026-07-01
    assert await tick(date(2026, 6, 1)) == 0  # never twice
    assert await tick(date(2026, 6, 23)) == 0
    assert await tick(date(2026, 6, 24)) == 1  # 7 days before
    assert await tick(date(2026, 6, 30)) == 0
    assert await tick(date(2026, 7, 1)) == 1  # lapsed
    assert await tick(date(2026, 12, 1)) == 0  # once
    sent = await _reminders(database)
    assert [(dog_id, stage) for dog_id, stage, _ in sent] == [
        (old.id, 3),
        (dog.id, 1),
        (dog.id, 2),
        (dog.id, 3),
    ]
    assert "还有 30 天" in sent[1][2]
    assert "2026-07-01" in sent[1][2]
    assert "已于 2026-07-01 过期" in sent[3][2]
    async with database.sessions() as session:
        deliveries = await session.scalar(select(func.count()).select_from(Delivery))
    assert deliveries == 4  # each one in the outbox, for the sender

    # a newer vaccination, confirmed by the community, starts them afresh
    await registry.act(
        database,
        dog.id,
        Action.CONFIRM_VACCINATION,
        street.people["lead"],
        vaccination=(date(2026, 12, 2), "CD-9999"),
        now=at(date(2026, 12, 2)),
    )
    assert await tick(date(2027, 11, 1)) == 0
    assert await tick(date(2027, 11, 2)) == 1


async def test_a_dog_registered_a_week_before_its_lapse_gets_no_30_day_reminder(
    database: Database,
) -> None:
    street = await _street(database)
    owner = street.people["reporter"]
    dog = await a_dog(database, owner, street.grid.id, DogStatus.APPROVED, date(2025, 6, 5))
    now = at(date(2026, 6, 1))
    assert await reminders.queue_reminders(database, CATALOGUE, TZ, now) == 1
    assert await reminders.queue_reminders(database, CATALOGUE, TZ, now + timedelta(days=30)) == 1
    assert [(d, s) for d, s, _ in await _reminders(database)] == [(dog.id, 2), (dog.id, 3)]
