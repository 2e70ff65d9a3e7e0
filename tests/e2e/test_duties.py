"""Routine duties through the real bot: an admin defines them in chat, the clock creates each
period's occurrence once and tells its officers; an officer does one (checklist ticked in one
message, a find filed from inside it, photos and a summary); forged presses are refused; a
missed one is reminded, then escalated to the community lead and then to the street, once
each."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.wiring import App
from bot.duties.watch import DutyWatch
from bot.people import staff
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.client import BotMessage, TestUser
from sandbox.emulator.files import make_image
from storage.models import Case, DutyFind, DutyOccurrence, Role
from storage.types import utcnow
from tests.e2e.flows import choose, edits, step
from tests.e2e.test_desk import IN_JN01_1, street

__all__ = ["street"]  # the demo street with officers, on SQLite and PostgreSQL

ADMIN, OFFICER, COLLEAGUE, LEAD, OTHER_GRID = 900001, 8201, 8202, 8203, 8204
DUTIES = """/duties import
duties:
  - name: 幸福一网格周查
    who: officer
    area: JN01-1
    rhythm: weekly
    day: 4
    deadline_hours: 24
    photos: true
    checklist:
      - {zh: 消防通道畅通, en: Fire lanes clear}
      - {zh: 无违章搭建, en: No illegal building}
"""
SHANGHAI = ZoneInfo("Asia/Shanghai")


def next_thursday() -> datetime:
    """01:00 in Shanghai on a Thursday ahead (the 20th at the latest, so its week's deadline and
    escalations fall in its month): that week's occurrence is due by Friday 00:00."""
    day = (utcnow() + timedelta(days=7)).astimezone(SHANGHAI).date()
    while day.isoweekday() != 4 or day.day > 20:
        day += timedelta(days=1)
    return datetime.combine(day, time(1), SHANGHAI)


async def define(emulator: TelegramEmulator, app: App) -> DutyWatch:
    await staff.appoint(app.database, ADMIN, Role.ADMIN)
    imported = await emulator.user(ADMIN, "街道管理员").ask(DUTIES)
    assert imported.text == "已导入 1 项例行任务：幸福一网格周查"
    return DutyWatch(app.database, app.bot, app.catalogue, app.settings.tz)


async def said(user: TestUser, words: str) -> BotMessage:
    while True:
        message = await user.next_message()
        if words in (message.text or ""):
            return message


async def refused(user: TestUser, message: BotMessage | int, data: str) -> str:
    answer = await user.callback_answer(await user.press_data(message, data))
    return str(answer.get("text") or "")


async def tick(user: TestUser, message: BotMessage, item: str) -> None:
    before = edits(user, message)
    await user.press(message, item)
    await user.emu.wait_for(lambda: edits(user, message) > before or None, 20)


async def test_a_duty_done_with_its_checklist_and_a_find(
    emulator: TelegramEmulator, street: App, clock: Callable[[timedelta], datetime]
) -> None:
    clock(next_thursday() + timedelta(hours=2) - utcnow())  # within the week's deadline
    watch = await define(emulator, street)
    officer, colleague = emulator.user(OFFICER, "李网格"), emulator.user(COLLEAGUE, "王网格")
    other = emulator.user(OTHER_GRID, "别的网格")
    assert await asyncio.gather(watch.tick(), watch.tick()) in ([1, 0], [0, 1])
    for person in (officer, colleague):
        assert "新的例行任务：<b>幸福一网格周查</b>" in ((await person.next_message()).html or "")

    listed = await officer.ask("/duties")
    [[start]] = listed.buttons
    assert start.startswith("▶️ 幸福一网格周查")
    card = await choose(officer, listed, start)
    assert card.buttons[:2] == [["☐ 消防通道畅通"], ["☐ 无违章搭建"]]
    assert "已完成 0/2 项" in (card.text or "")
    await tick(officer, card, "☐ 消防通道畅通")
    assert card.buttons[0] == ["☑ 消防通道畅通"]
    assert "已完成 1/2 项" in (card.text or "")

    # Another grid's officer, and a colleague once it is started: refused on the server.
    tick_data = card.callback_data("☐ 无违章搭建")
    assert "不是您的任务" in await refused(other, 1, tick_data)
    assert "已由其他同事开始" in await refused(colleague, 1, tick_data)
    assert "不是您的任务" in await refused(officer, 1, tick_data.replace(":t:1", ":t:7"))
    assert "请先勾选" in await refused(officer, card, card.callback_data("✅ 完成"))

    # A find from inside the duty: the patrol report, marked as the officer's own find.
    await officer.press(card, "📝 报告发现的问题")
    assert "计入这项任务" in ((await officer.next_message()).text or "")
    categories = await officer.next_message()
    question = await step(officer, categories, "🧹 市容环境")
    await step(officer, question, "乱张贴小广告")
    photos = await officer.ask("电线杆上贴满小广告")
    await choose(officer, photos, "跳过，没有照片")
    await officer.send_location(*IN_JN01_1)
    summary = await officer.next_message()
    done = await choose(officer, summary, "✅ 提交")
    assert "已登记为您巡查发现的案件" in (done.text or "")

    await officer.send("/duties")
    resumed = await said(officer, "您的待办例行任务")  # after the find's own card
    assert resumed.buttons[0][0].startswith("⏩ 继续：幸福一网格周查")
    await tick(officer, card, "☐ 无违章搭建")
    assert "已完成 2/2 项" in (card.text or "")
    ask = await choose(officer, card, "✅ 完成")
    assert "请先发送现场照片" in (ask.text or "")
    assert "需要照片" in ((await officer.ask("一切正常")).text or "")
    await officer.send_photo(make_image(color=(5, 50, 90)))
    assert "共 1 张" in ((await officer.next_message()).text or "")
    finished = await officer.ask("两处检查完毕，发现小广告一处已上报")
    assert "已按期完成，报告发现 1 件" in (finished.text or "")
    assert "已经完成" in await refused(officer, card, card.callback_data("☑ 无违章搭建"))

    async with street.database.sessions() as session:
        occurrence = await session.scalar(select(DutyOccurrence))
        find = await session.scalar(select(DutyFind))
        case = await session.scalar(select(Case).where(Case.officer_found.is_(True)))
    assert occurrence is not None
    assert occurrence.done_at is not None
    assert (occurrence.checked, len(occurrence.photo_ids)) == ([0, 1], 1)
    assert occurrence.summary == "两处检查完毕，发现小广告一处已上报"
    assert case is not None
    assert find is not None
    assert find.case_id == case.id
    assert (await officer.ask("/duties")).text == "您目前没有待办的例行任务。"
    stats = await emulator.user(LEAD, "社区张").ask("/duties stats")
    assert "幸福社区第一网格：应完成 1，按期 1，逾期完成 0，未完成 0，履职率 100%" in (
        stats.text or ""
    )
    await staff.appoint(street.database, 8206, Role.LEAD, "JN02")  # another community's lead
    elsewhere = await emulator.user(8206, "和平社区").ask("/duties stats")
    assert elsewhere.text == "本月还没有到期的例行任务。"


async def test_a_missed_duty_is_escalated_a_level_up_each_once(
    emulator: TelegramEmulator, street: App, clock: Callable[[timedelta], datetime]
) -> None:
    thursday = next_thursday()
    due = f"{thursday + timedelta(days=1):%m-%d} 00:00"
    watch = await define(emulator, street)
    officer, colleague = emulator.user(OFFICER, "李网格"), emulator.user(COLLEAGUE, "王网格")
    lead, admin = emulator.user(LEAD, "社区张"), emulator.user(ADMIN, "街道管理员")
    assert await watch.tick(thursday) == 1
    await said(officer, "新的例行任务")
    await said(colleague, "新的例行任务")

    assert await watch.tick(thursday + timedelta(hours=18)) == 1  # 75% of the time: reminded
    assert f"还未完成，截止 {due}" in ((await officer.next_message()).text or "")
    await said(colleague, "还未完成")

    late = thursday + timedelta(hours=24)
    assert sorted(await asyncio.gather(watch.tick(late), watch.tick(late))) == [0, 1]
    escalated = await lead.next_message()
    assert f"<b>幸福一网格周查</b> 已超过截止时间（{due}）" in (escalated.html or "")
    await officer.expect_silence()

    later = late + timedelta(hours=24)
    assert sorted(await asyncio.gather(watch.tick(later), watch.tick(later))) == [0, 1]
    await said(admin, "已上报给您督办")
    assert await watch.tick(later + timedelta(days=1)) == 0
    await lead.expect_silence()

    clock(later - utcnow())
    stats = await admin.ask("/duties stats")
    assert "幸福社区第一网格：应完成 1，按期 0，逾期完成 0，未完成 1，履职率 0%" in (
        stats.text or ""
    )


async def test_only_admins_define_duties_and_a_bad_file_saves_nothing(
    emulator: TelegramEmulator, street: App
) -> None:
    officer = emulator.user(OFFICER, "李网格")
    assert "只有管理员" in ((await officer.ask(DUTIES)).text or "")
    await staff.appoint(street.database, ADMIN, Role.ADMIN)
    admin = emulator.user(ADMIN, "街道管理员")
    wrong_area = await admin.ask(DUTIES.replace("area: JN01-1", "area: JN01"))
    assert wrong_area.text == "任务文件有误（幸福一网格周查）：area JN01。未导入任何内容。"
    listed = await admin.ask("/duties")
    assert "还没有设定例行任务" in (listed.text or "")
    await said(admin, "您目前没有待办的例行任务")
    defined = await admin.ask(DUTIES)
    assert defined.text == "已导入 1 项例行任务：幸福一网格周查"
    listed = await admin.ask("/duties")
    assert listed.text == (
        "已设定的例行任务\n• 幸福一网格周查：网格员，JN01-1，每周四，开始后 24 小时内完成"
    )
