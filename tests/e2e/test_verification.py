"""现场核查 said as it happened: the officer who resolves a case is told whether the fix was
verified on site and, if not, why (how far they stood, no location, no place to compare with);
the resident is told when it was."""

from __future__ import annotations

import pytest

from app.admin_cli import DEMO_FILE
from app.wiring import App
from bot.people import staff
from bot.places.areas import import_file
from sandbox.emulator import BotMessage, TelegramEmulator, TestUser
from storage.models import Role
from tests.e2e.flows import choose, file_report
from tests.e2e.test_desk import IN_JN01_1, card_of

OFFICER = 8741
FAR_AWAY = (IN_JN01_1[0] + 0.03, IN_JN01_1[1])  # about 3.3 km north


@pytest.fixture
async def street(bot_app: App) -> App:
    await import_file(bot_app.database, DEMO_FILE)
    await staff.appoint(bot_app.database, OFFICER, Role.OFFICER, "JN01-1")
    return bot_app


async def _resolve(emulator: TelegramEmulator, officer: TestUser, card: BotMessage) -> None:
    """Accept, resolve without a photo, up to the question where the officer is."""
    await officer.press(card, "✅ 受理")
    await emulator.wait_for(lambda: "办理中" in (card.text or ""), 10)
    await choose(officer, card, "✔️ 办结")
    prompt = await officer.ask("已清理")  # the "after" photo, or none
    where = await choose(officer, prompt, "没有照片，直接办结")
    assert where.keyboard == [["📍 发送我的位置"], ["跳过核查"]]


@pytest.mark.parametrize(
    ("where", "officer_told", "verified"),
    [
        (IN_JN01_1, "现场核查 ✅", True),
        (FAR_AWAY, "未记为现场核查：您的位置离案件地点约 3.3 公里，超过", False),
        (None, "未现场核查：没有发送位置", False),
    ],
)
async def test_the_officer_and_the_resident_are_told_about_verification(
    emulator: TelegramEmulator,
    street: App,
    where: tuple[float, float] | None,
    officer_told: str,
    verified: bool,
) -> None:
    resident, officer = emulator.user(8742, "核"), emulator.user(OFFICER, "官")
    await file_report(resident, place=IN_JN01_1, photos=0)
    await _resolve(emulator, officer, await card_of(officer))
    await resident.next_message(timeout=10)  # accepted
    if where is None:
        await officer.send("跳过核查")
    else:
        await officer.send_location(*where)
    told = await officer.next_message(timeout=10)
    assert officer_told in (told.text or "")
    resolved = await resident.next_message(timeout=10)
    assert ("现场核查 ✅" in (resolved.text or "")) is verified
    assert "问题解决了吗？" in (resolved.text or "")


async def test_words_where_a_photo_or_a_place_is_asked_are_answered_for_that_step(
    emulator: TelegramEmulator, street: App
) -> None:
    """Not "please type text" to someone who typed text: each step says what it wants."""
    officer = emulator.user(OFFICER, "李")
    await file_report(emulator.user(8745, "居民"), place=IN_JN01_1, photos=0)
    card = await card_of(officer)
    await officer.press(card, "✅ 受理")
    await emulator.wait_for(lambda: "办理中" in (card.text or ""), 10)
    await choose(officer, card, "✔️ 办结")
    prompt = await officer.ask("已清理")
    hint = (await officer.ask("文字而不是照片")).text or ""
    assert hint == "请发送一张处理后的照片，或点上方“没有照片，直接办结”。"
    await choose(officer, prompt, "没有照片，直接办结")
    hint = (await officer.ask("我就在这里")).text or ""
    assert hint == "请点下方“📍 发送我的位置”进行现场核查，不在现场请点“跳过核查”。"
    assert "已办结" in ((await officer.ask("跳过核查")).text or "")
