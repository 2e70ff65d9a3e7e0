"""The officer's desk: a report reaches the right officer's chat as a card, and the officer
carries it to the end from the card alone; only the right people may act, and only once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from app.admin_cli import DEMO_FILE
from app.wiring import App
from bot.config import Settings
from bot.people import staff
from bot.places.areas import import_file
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.client import BotMessage, TestUser
from sandbox.emulator.files import make_image
from storage.models import CaseStatus, Role
from tests.conftest import StartBot, reset_postgres
from tests.e2e.flows import all_cases, choose, file_report, fill_report, report_danger, step

IN_JN01_1 = (30.605, 104.0025)  # inside 幸福社区第一网格


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def street(
    request: pytest.FixtureRequest,
    make_settings: Callable[..., Settings],
    checked_bot: StartBot,
) -> AsyncIterator[App]:
    """The demo street with officers, on SQLite and on the real PostgreSQL; after the test, the
    promises of tests/invariants.py, as `bot_app` checks them."""
    settings = make_settings()
    if request.param == "postgres":
        settings = make_settings(database_url=await reset_postgres())
    async with checked_bot(settings) as app:
        await import_file(app.database, DEMO_FILE)
        await staff.appoint(app.database, 8201, Role.OFFICER, "JN01-1")
        await staff.appoint(app.database, 8202, Role.OFFICER, "JN01-1")
        await staff.appoint(app.database, 8203, Role.LEAD, "JN01")
        await staff.appoint(app.database, 8204, Role.OFFICER, "JN01-2")
        await staff.appoint(app.database, 8205, Role.OFFICER, "JN05-1")
        yield app


async def card_of(officer: TestUser) -> BotMessage:
    """Skip the evidence (photos, location) and return the card with its buttons."""
    while True:
        message = await officer.next_message()
        if message.buttons or (message.text or "").startswith("📋"):
            return message


async def test_a_report_reaches_its_grid_officers_and_is_carried_to_the_end(
    emulator: TelegramEmulator, street: App
) -> None:
    resident = emulator.user(8301, "居民甲")
    first, second = emulator.user(8201, "李网格"), emulator.user(8202, "王网格")
    lead, elsewhere = emulator.user(8203, "社区张"), emulator.user(8205, "别的网格")
    await file_report(resident, place=IN_JN01_1)
    [case] = await all_cases(street)
    assert case.number == "JN-000001"
    photo = await first.next_message()
    assert photo.photo is not None
    location = await first.next_message()
    assert location.location is not None
    card = await first.next_message()
    assert card.text is not None
    assert card.text.startswith("📋 JN-000001 · 待受理")
    assert "幸福社区第一网格" in card.text
    assert "案件 JN-000001 的居民" in card.text
    assert "居民甲" not in card.text  # the officer does not see who reported it
    assert card.buttons == [["✅ 受理"], ["❓ 询问居民", "↪️ 转派"], ["🔗 合并", "✖ 不予受理"]]
    second_card = await card_of(second)
    second_accept = second_card.callback_data("✅ 受理")
    await lead.expect_silence(0.3)  # not urgent: the officers have it
    await elsewhere.expect_silence(0.1)

    intruder = await elsewhere.press_data(card, card.callback_data("✅ 受理"))
    assert (await elsewhere.callback_answer(intruder))[
        "text"
    ] == "抱歉，您不能对这个案件进行这个操作。"

    accepted = await first.press(card, "✅ 受理")
    assert (await first.callback_answer(accepted))["text"] == "已受理 JN-000001"
    late = await second.press_data(second_card, second_accept)
    assert "已由 李网格 处理" in (await second.callback_answer(late))["text"]
    await emulator.wait_for(
        lambda: "办理中" in (second_card.text or ""), 5
    )  # cards edited in place
    assert "承办：李网格" in (card.text or "")
    assert card.buttons == [["✔️ 办结"], ["❓ 询问居民", "📝 备注"], ["✖ 不予受理"]]
    await choose(first, card, "📝 备注")
    assert "备注已记入" in ((await first.ask("居民说是 3 楼的纸箱")).text or "")
    assert "受理" in ((await resident.next_message()).text or "")

    prompt = await choose(first, card, "❓ 询问居民")
    assert "问题" in (prompt.text or "")
    assert "已转给" in ((await first.ask("堆放物是哪家的？")).text or "")
    asked = await resident.next_message()
    assert "堆放物是哪家的？" in (asked.text or "")
    assert asked.buttons == [["没有可补充的"]]  # the answer is simply the next message
    await resident.send_photo(make_image(color=(9, 9, 9)), caption="是 302 的")
    await resident.next_message()
    relayed = await first.next_message()
    assert relayed.caption == "💬 案件 JN-000001 的居民补充：是 302 的"
    assert "💬" in ((await second.next_message()).caption or "")

    await choose(first, card, "✔️ 办结")
    await first.send("已联系 302 清理，通道畅通")
    after = await first.next_message()
    assert "处理后的照片" in (after.text or "")
    await first.send_photo(make_image(color=(0, 200, 0)))
    verify = await first.next_message()
    assert "核查" in (verify.text or "")
    assert verify.keyboard == [["📍 发送我的位置"], ["跳过核查"]]
    await first.send_location(IN_JN01_1[0] + 0.0003, IN_JN01_1[1])  # about 33 m away
    assert "现场核查 ✅" in ((await first.next_message()).text or "")
    resolved = await resident.next_message()
    assert resolved.photo is not None  # the "after" photo
    assert "已联系 302 清理" in (resolved.caption or "")
    assert resolved.buttons == [["👍 已解决", "👎 没解决"]]
    await choose(resident, resolved, "👍 已解决")
    [case] = await all_cases(street)
    assert case.status == CaseStatus.CLOSED
    assert case.verified_on_site
    await emulator.wait_for(lambda: "已办结" in (card.text or ""), 5)
    assert card.buttons == []


async def test_transfer_and_reject(emulator: TelegramEmulator, street: App) -> None:
    resident = emulator.user(8302, "居民乙")
    first, neighbour_grid = emulator.user(8201, "李网格"), emulator.user(8204, "赵网格")
    emulator.user(8202, "王网格")
    await file_report(resident, place=IN_JN01_1, photos=0)
    await first.next_message()  # location
    card = await first.next_message()
    accept = card.callback_data("✅ 受理")
    choices = await choose(first, card, "↪️ 转派")
    assert choices.buttons == [["幸福社区第二网格"], ["↩ 交回社区负责人"]]
    await first.press(choices, "幸福社区第二网格")
    await neighbour_grid.next_message()  # location
    moved = await neighbour_grid.next_message()
    assert "幸福社区第二网格" in (moved.text or "")
    reasons = await choose(neighbour_grid, moved, "✖ 不予受理")
    await neighbour_grid.press(reasons, "经核实情况不属实")
    told = await resident.next_message()
    assert "不予受理" in (told.text or "")
    assert "经核实情况不属实" in (told.text or "")
    [case] = await all_cases(street)
    assert case.status == CaseStatus.REJECTED
    stale = await first.press_data(card, accept)  # the first card, now old
    assert "不能" in (await first.callback_answer(stale))["text"]


async def test_urgent_cases_reach_officers_lead_and_admins_at_once(
    emulator: TelegramEmulator, street: App
) -> None:
    admin = emulator.user(900001, "街道管理员")
    await admin.ask("/start")
    await staff.appoint(street.database, 900001, Role.ADMIN)
    resident = emulator.user(8303, "居民丙")
    officer, lead = emulator.user(8201, "李网格"), emulator.user(8203, "社区张")
    emulator.user(8202, "王网格")
    await report_danger(resident, place=IN_JN01_1)
    cards = await asyncio.gather(card_of(officer), card_of(lead), card_of(admin))
    assert all("🚨" in (c.text or "") for c in cards)
    assert "居民丙" in (cards[2].text or "")  # admins see who reported
    assert "居民丙" not in (cards[0].text or "")


async def test_a_report_without_a_place_goes_to_the_community_lead(
    emulator: TelegramEmulator, street: App
) -> None:
    resident = emulator.user(8304, "居民丁")
    lead = emulator.user(8203, "社区张")
    message = await resident.ask("/report")
    await step(resident, message, "🧹 市容环境")
    await step(resident, message, "垃圾堆放")
    photos = await resident.ask("小区门口垃圾没人清")
    await choose(resident, photos, "跳过，没有照片")
    await resident.send("🏠 我现在不在现场")
    communities = await resident.next_message()
    summary = await step(resident, communities, "幸福社区")
    await choose(resident, summary, "✅ 提交")
    card = await card_of(lead)  # triage: the lead assigns it to a grid
    assert "幸福社区" in (card.text or "")
    choices = await choose(lead, card, "↪️ 转派")
    assert choices.buttons == [["幸福社区第一网格"], ["幸福社区第二网格"]]


async def test_merge_from_the_card_and_back_to_the_lead(
    emulator: TelegramEmulator, street: App
) -> None:
    first_resident, second_resident = emulator.user(8305, "居民戊"), emulator.user(8306, "居民己")
    officer, lead = emulator.user(8201, "李网格"), emulator.user(8203, "社区张")
    emulator.user(8202, "王网格")
    await file_report(first_resident, place=IN_JN01_1, photos=0)
    await card_of(officer)
    await file_report(
        second_resident, category="🧹 市容环境", answers=("垃圾堆放",), place=IN_JN01_1, photos=0
    )
    second = await card_of(officer)
    assert "JN-000002" in (second.text or "")
    prompt = await choose(officer, second, "🔗 合并")
    assert "输入那个案件的编号" in (prompt.text or "")
    done = await officer.ask("jn-000001")
    assert done.text == "JN-000002 已合并到 JN-000001，反映人会关注 JN-000001。"
    merged = await second_resident.next_message()
    assert "已合并办理" in (merged.text or "")
    one, two = await all_cases(street)
    assert (two.status, two.duplicate_of_id) == (CaseStatus.DUPLICATE, one.id)

    first_card = await officer.ask("/case JN-000001")
    choices = await choose(officer, first_card, "↪️ 转派")
    await officer.press(choices, "↩ 交回社区负责人")
    lead_card = await card_of(lead)
    assert "JN-000001" in (lead_card.text or "")


async def test_patrol_found_and_handled_on_the_spot(
    emulator: TelegramEmulator, street: App
) -> None:
    officer = emulator.user(8201, "李网格")
    started = await officer.ask("/patrol")
    assert "巡查登记" in (started.text or "")
    categories = await officer.next_message()
    question = await step(officer, categories, "🧹 市容环境")
    describe = await step(officer, question, "乱张贴小广告")
    photos = await officer.ask("电线杆上贴满小广告")
    await choose(officer, photos, "跳过，没有照片")
    await officer.send_location(*IN_JN01_1)
    summary = await officer.next_message()
    assert "🚶 巡查发现" in (summary.text or "")
    assert summary.buttons[1] == ["✏️ 修改", "🛠 当场处置"]
    done = await choose(officer, summary, "🛠 当场处置")
    assert done.text == "✅ 已登记为 JN-000001，并记录为当场处置、已办结。"
    [case] = await all_cases(street)
    assert (case.status, case.officer_found, case.verified_on_site) == (
        CaseStatus.CLOSED,
        True,
        True,
    )
    assert describe.text is not None
    resident = emulator.user(8307, "居民")
    refused = await resident.ask("/patrol")
    assert refused.text == "抱歉，您没有权限进行这个操作。"


async def test_a_reporter_may_choose_to_be_named(emulator: TelegramEmulator, street: App) -> None:
    resident = emulator.user(8308, "愿署名", username="named_resident")
    officer = emulator.user(8201, "李网格")
    emulator.user(8202, "王网格")
    summary = await fill_report(resident, place=IN_JN01_1, photos=0)
    await resident.press(summary, "👤 向网格员显示我的名字：否")
    await emulator.wait_for(lambda: "网格员可以看到您的名字" in (summary.text or ""), 5)
    await resident.press(summary, "✅ 提交")
    card = await card_of(officer)
    assert "反映人：愿署名 @named_resident（本人同意显示）" in (card.text or "")


async def test_a_patrol_find_is_worded_as_the_officers_own(
    emulator: TelegramEmulator, street: App
) -> None:
    officer, colleague = emulator.user(8201, "李网格"), emulator.user(8202, "王网格")
    await officer.ask("/patrol")
    categories = await officer.next_message()
    question = await step(officer, categories, "🧹 市容环境")
    await step(officer, question, "乱张贴小广告")
    photos = await officer.ask("电线杆上贴满小广告")
    await choose(officer, photos, "跳过，没有照片")
    await officer.send_location(*IN_JN01_1)
    summary = await officer.next_message()
    done = await choose(officer, summary, "✅ 提交")
    assert "已登记为您巡查发现的案件" in (done.text or "")
    assert "交给所在网格的网格员" not in (done.text or "")
    card = await card_of(colleague)
    assert "巡查发现：李网格" in (card.text or "")
    assert "的居民" not in (card.text or "")
