"""A card offers only what can be done now: a button kept from before (or pressed on an old
copy) whose action the case's status no longer allows is refused before any menu opens; and the
card's fields follow the case (a new follower is counted at once)."""

from __future__ import annotations

import pytest

from app.admin_cli import DEMO_FILE
from app.wiring import App
from bot.people import staff
from bot.places.areas import import_file
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.files import make_image
from storage.models import Role
from tests.e2e.flows import choose, file_report, fill_report, step
from tests.e2e.test_desk import IN_JN01_1, card_of

OFFICER = 8721
NEARBY = (30.60501, 104.00251)


@pytest.fixture
async def street(bot_app: App) -> App:
    await import_file(bot_app.database, DEMO_FILE)
    await staff.appoint(bot_app.database, OFFICER, Role.OFFICER, "JN01-1")
    return bot_app


async def test_an_old_button_opens_no_menu_once_its_action_is_past(
    emulator: TelegramEmulator, street: App
) -> None:
    resident, officer = emulator.user(8722, "旧"), emulator.user(OFFICER, "官")
    await file_report(resident, place=IN_JN01_1, photos=0)
    card = await card_of(officer)
    reject, transfer = card.callback_data("✖ 不予受理"), card.callback_data("↪️ 转派")
    await officer.press(card, "✅ 受理")
    await resident.next_message(timeout=10)
    await emulator.wait_for(lambda: "办理中" in (card.text or ""), 10)
    assert ["✖ 不予受理"] in card.buttons  # still possible while accepted
    assert not any("转派" in button for row in card.buttons for button in row)
    query = await officer.press_data(card, transfer)  # transfer is for new cases only
    answer = await officer.callback_answer(query)
    assert "状态已经变了" in answer.get("text", "")
    await officer.expect_silence(0.3)  # no menu was sent

    await choose(officer, card, "✔️ 办结")
    await officer.send("已清理，通道畅通")
    await officer.next_message()  # the "after" photo?
    await officer.send_photo(make_image(color=(0, 200, 0)))
    await officer.next_message()  # verify on site?
    await officer.send_location(*IN_JN01_1)
    await officer.next_message()  # verified
    resolved = await resident.next_message(timeout=10)
    await choose(resident, resolved, "👍 已解决")
    await emulator.wait_for(lambda: "已办结" in (card.text or ""), 10)
    assert card.buttons == []
    query = await officer.press_data(card, reject)  # the old card's reject, pressed now
    answer = await officer.callback_answer(query)
    assert "状态已经变了" in answer.get("text", "")
    await officer.expect_silence(0.3)  # no reason menu


async def test_a_new_follower_is_counted_on_the_card_at_once(
    emulator: TelegramEmulator, street: App
) -> None:
    resident, officer = emulator.user(8723, "原"), emulator.user(OFFICER, "官")
    follower = emulator.user(8724, "随")
    await file_report(resident, place=IN_JN01_1, photos=0)
    card = await card_of(officer)
    assert "关注：0 人" in (card.text or "")
    offer = await step(follower, await fill_report(follower, place=NEARBY, photos=0), "✅ 提交")
    await choose(follower, offer, "👍 就是这个，关注它")
    await emulator.wait_for(lambda: "关注：1 人" in (card.text or ""), 10)
