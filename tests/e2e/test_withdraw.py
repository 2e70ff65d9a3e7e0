"""撤回: a reporter takes back their own case while nobody has accepted it, with an optional
reason; the officers' cards say so and lose their buttons, followers are told, the history and
the figures count it apart. Once accepted, or for anyone else's case, it cannot be done."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.admin_cli import DEMO_FILE
from app.wiring import App
from bot.people import staff
from bot.places.areas import import_file
from sandbox.emulator import BotMessage, TelegramEmulator, TestUser
from storage.models import CaseEvent, CaseStatus, Role
from tests.e2e.flows import all_cases, choose, file_report, fill_report, step
from tests.e2e.test_desk import IN_JN01_1, card_of

OFFICER, ADMIN = 8701, 900001
NEARBY = (30.60501, 104.00251)


@pytest.fixture
async def street(bot_app: App) -> App:
    await import_file(bot_app.database, DEMO_FILE)
    await staff.appoint(bot_app.database, OFFICER, Role.OFFICER, "JN01-1")
    return bot_app


async def _details(resident: TestUser) -> BotMessage:
    listing = await resident.ask("/mycases")
    return await choose(resident, listing, listing.buttons[0][0])


async def test_a_reporter_withdraws_with_a_reason_before_acceptance(
    emulator: TelegramEmulator, street: App
) -> None:
    resident, officer = emulator.user(8711, "撤"), emulator.user(OFFICER, "官")
    follower = emulator.user(8712, "随")
    await file_report(resident, place=IN_JN01_1, photos=0)
    card = await card_of(officer)
    summary = await fill_report(follower, place=NEARBY, photos=0)
    offer = await step(follower, summary, "✅ 提交")
    await choose(follower, offer, "👍 就是这个，关注它")
    [case] = await all_cases(street)

    details = await _details(resident)
    assert ["↩️ 撤回"] in details.buttons
    question = await choose(resident, details, "↩️ 撤回")
    assert case.number in (question.text or "")
    assert question.buttons == [["直接撤回", "不撤回了"]]
    done = await resident.ask("已经自己清理了")
    assert "已撤回" in (done.text or "")
    await emulator.wait_for(lambda: "已撤回" in (card.text or ""), 10)
    assert card.buttons == []  # nothing is left to do on it
    told = await follower.next_message(timeout=10)
    assert "已被反映人撤回" in (told.text or "")

    [case] = await all_cases(street)
    assert case.status == CaseStatus.WITHDRAWN
    async with street.database.sessions() as session:
        event = await session.scalar(select(CaseEvent).where(CaseEvent.action == "withdraw"))
    assert event is not None
    assert event.note == "已经自己清理了"
    history = await _details(resident)
    assert "反映人撤回了案件" in (history.text or "")
    assert ["↩️ 撤回"] not in history.buttons
    figures = (await emulator.user(ADMIN, "管").ask("/stats")).text or ""
    assert "撤回 1" in figures


async def test_withdrawing_can_be_given_up_or_done_at_once(
    emulator: TelegramEmulator, street: App
) -> None:
    resident = emulator.user(8713, "想")
    await file_report(resident, place=IN_JN01_1, photos=0)
    question = await choose(resident, await _details(resident), "↩️ 撤回")
    kept = await choose(resident, question, "不撤回了")
    assert "继续办理" in (kept.text or "")
    assert (await all_cases(street))[0].status == CaseStatus.NEW
    question = await choose(resident, await _details(resident), "↩️ 撤回")
    done = await choose(resident, question, "直接撤回")
    assert "已撤回" in (done.text or "")
    assert (await all_cases(street))[0].status == CaseStatus.WITHDRAWN


async def test_an_accepted_case_or_someone_elses_cannot_be_withdrawn(
    emulator: TelegramEmulator, street: App
) -> None:
    resident, officer = emulator.user(8714, "晚"), emulator.user(OFFICER, "官")
    stranger = emulator.user(8715, "外")
    await file_report(resident, place=IN_JN01_1, photos=0)
    [case] = await all_cases(street)
    forged = f"v1wd:{case.id}:n"
    await stranger.ask("/start")
    query = await stranger.press_data(1, forged)
    refused = await stranger.callback_answer(query)
    assert refused.get("text") == "抱歉，您不能对这个案件进行这个操作。"

    await officer.press(await card_of(officer), "✅ 受理")
    await resident.next_message(timeout=10)  # accepted
    details = await _details(resident)
    assert ["↩️ 撤回"] not in details.buttons
    query = await resident.press_data(details, forged)  # the button from before, pressed now
    answer = await resident.callback_answer(query)
    assert "受理" in answer.get("text", "") or "状态" in answer.get("text", ""), answer
    assert (await all_cases(street))[0].status == CaseStatus.ACCEPTED
