"""Every button that names a case, forged by people who may not use it on that case: a resident
who did not report it, and an officer and a lead of another community. The buttons are
generated from the callback data's own enums, so a new duty or verdict is covered at once.
Each press is answered, the case does not change, and nothing of the reporter reaches them."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.wiring import App
from bot.reports import drafts
from handlers.common.callbacks import CaseDuty, CaseOpen, Duty, Feedback, Verdict
from sandbox.emulator import TelegramEmulator
from storage.models import Area, AreaLevel, Case, CaseStatus, Person, Role

SECRET = "王五 电话 13812345678"


async def _street_with_a_case(app: App) -> Case:
    """Grid A-1 (community A) holds a resolved case of resident 9500; community B is elsewhere."""
    async with app.database.transaction() as session:
        a = Area(code="A", name="甲社区", level=AreaLevel.COMMUNITY)
        b = Area(code="B", name="乙社区", level=AreaLevel.COMMUNITY)
        session.add_all([a, b])
        await session.flush()
        a1 = Area(code="A-1", name="甲一", level=AreaLevel.GRID, parent_id=a.id)
        a2 = Area(code="A-2", name="甲二", level=AreaLevel.GRID, parent_id=a.id)
        b1 = Area(code="B-1", name="乙一", level=AreaLevel.GRID, parent_id=b.id)
        session.add_all([a1, a2, b1])
        await session.flush()
        reporter = Person(tg_id=9500, name="报")
        session.add_all(
            [
                reporter,
                Person(tg_id=9501, name="邻"),
                Person(tg_id=9502, name="乙网格员", role=Role.OFFICER, area_id=b1.id),
                Person(tg_id=9503, name="乙社区长", role=Role.LEAD, area_id=b.id),
            ]
        )
        await session.flush()
    draft = await drafts.start(app.database, reporter.id)
    await drafts.choose_category(app.database, draft, 1)
    async with app.database.transaction() as session:
        await session.execute(update(Case).where(Case.id == draft.id).values(area_id=a1.id))
    await drafts.describe(app.database, draft.id, SECRET)
    case = (await drafts.submit(app.database, draft.id, reporter, None)).case
    async with app.database.transaction() as session:
        await session.execute(
            update(Case).where(Case.id == case.id).values(status=CaseStatus.RESOLVED)
        )
    return case


def _buttons(case_id: int, grid_elsewhere: int) -> list[str]:
    duties = [
        CaseDuty(case_id=case_id, duty=duty, target=grid_elsewhere if duty is Duty.TO_GRID else 0)
        for duty in Duty
    ]
    verdicts = [Feedback(case_id=case_id, verdict=verdict, value=5) for verdict in Verdict]
    return [data.pack() for data in (*duties, *verdicts, CaseOpen(case_id=case_id))]


async def _state(app: App, case_id: int) -> tuple[object, ...]:
    async with app.database.sessions() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        return (case.status, case.area_id, case.officer_id, case.rating, case.rating_comment)


@pytest.mark.parametrize("presser", [9501, 9502, 9503])
async def test_forged_case_buttons_change_nothing_and_tell_nothing(
    emulator: TelegramEmulator, bot_app: App, presser: int
) -> None:
    case = await _street_with_a_case(bot_app)
    before = await _state(bot_app, case.id)
    async with bot_app.database.sessions() as session:
        elsewhere = await session.scalar(select(Area.id).where(Area.code == "B-1"))
    person = emulator.user(presser, "试")
    await person.ask("/start")
    for data in _buttons(case.id, elsewhere or 0):
        query = await person.press_data(1, data)
        await person.callback_answer(query)
        assert await _state(bot_app, case.id) == before, f"{data} changed the case"
    chat = emulator.chats[presser]
    sent = "\n".join(str(record.get("text") or record.get("caption") or "") for record in chat.sent)
    assert "王五" not in sent
