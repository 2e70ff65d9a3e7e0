"""A monthly report duty through the real bot: the community lead finishes it, each figure is
asked (bad input answered politely: not a number, negative, too large), Back and Cancel work,
the figures are confirmed and filed with the occurrence; admins read them per community for a
month; a forged or stale press files nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.wiring import App
from bot.duties.watch import DutyWatch
from bot.people import staff
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.client import BotMessage, TestUser
from storage.models import DutyOccurrence, Role
from storage.types import utcnow
from tests.e2e.flows import choose
from tests.e2e.test_desk import street
from tests.e2e.test_duties import ADMIN, LEAD, SHANGHAI, refused, said, tick

__all__ = ["street"]  # the demo street with officers, on SQLite and PostgreSQL

REPORT = """/duties import
duties:
  - name: 幸福社区月度安全检查报告
    who: lead
    area: JN01
    rhythm: monthly
    day: 1
    deadline_hours: 72
    checklist:
      - {zh: 汇总本月检查情况, en: Sum up the month's checks}
    report:
      - {name: places, zh: 检查场所数, en: Places checked, type: int, most: 500}
      - {name: found, zh: 发现隐患数, en: Hazards found, type: int}
      - {name: fixed, zh: 整改隐患数, en: Hazards fixed, type: int}
"""


def first_of_next_month() -> datetime:
    today = utcnow().astimezone(SHANGHAI).date()
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return datetime.combine(first, time(1), SHANGHAI)


async def answer(user: TestUser, text: str) -> BotMessage:
    return await user.ask(text)


async def test_a_monthly_report_asks_each_figure_and_files_them(
    emulator: TelegramEmulator, street: App
) -> None:
    await staff.appoint(street.database, ADMIN, Role.ADMIN)
    admin, lead = emulator.user(ADMIN, "街道管理员"), emulator.user(LEAD, "社区张")
    assert (await admin.ask(REPORT)).text == "已导入 1 项例行任务：幸福社区月度安全检查报告"
    watch = DutyWatch(street.database, street.bot, street.catalogue, street.settings.tz)
    assert await watch.tick(first_of_next_month()) == 1  # due on the 4th: done on time
    await said(lead, "新的例行任务")
    listed = await lead.ask("/duties")
    card = await choose(lead, listed, listed.buttons[0][0])
    await tick(lead, card, "☐ 汇总本月检查情况")
    assert "小结" in ((await choose(lead, card, "✅ 完成")).text or "")

    first = await lead.ask("本月检查 12 处，发现隐患 3 处，已整改 2 处")
    assert "报告数字 1/3：请输入检查场所数" in (first.text or "")
    assert first.buttons == [["⬅️ 返回", "✖️ 取消"]]
    assert (await lead.ask("十二")).text == "请只输入一个整数，例如 12。"
    assert (await lead.ask("-3")).text == "数字不能是负数，请重新输入。"
    assert "最多 500" in ((await lead.ask("100000")).text or "")
    second = await lead.ask("12")
    assert "2/3：请输入发现隐患数" in (second.text or "")
    again = await choose(lead, second, "⬅️ 返回")  # a step back: the first figure again
    assert "1/3：请输入检查场所数" in (again.text or "")
    assert "2/3" in ((await lead.ask("12")).text or "")
    assert "3/3：请输入整改隐患数" in ((await lead.ask("3")).text or "")
    confirm = await lead.ask("2")
    assert confirm.text == (
        "请确认 幸福社区月度安全检查报告 的报告数字：\n· 检查场所数：12\n· 发现隐患数：3\n"
        "· 整改隐患数：2"
    )
    assert confirm.buttons == [["✅ 确认上报"], ["⬅️ 返回", "✖️ 取消"]]
    assert "3/3" in ((await choose(lead, confirm, "⬅️ 返回")).text or "")
    confirm = await lead.ask("2")
    stale = confirm.callback_data("✅ 确认上报")
    filed = await choose(lead, confirm, "✅ 确认上报")
    assert filed.text == "✅ 幸福社区月度安全检查报告 的报告已按期上报，谢谢！"
    assert "失效" in await refused(lead, confirm, stale)  # pressed again: nothing twice

    async with street.database.sessions() as session:
        occurrence = await session.scalar(select(DutyOccurrence))
    assert occurrence is not None
    assert occurrence.figures == {"places": 12, "found": 3, "fixed": 2}
    assert occurrence.summary == "本月检查 12 处，发现隐患 3 处，已整改 2 处"
    month = occurrence.starts_at.astimezone(SHANGHAI).strftime("%Y-%m")
    reports = await admin.ask(f"/duties reports {month}")
    assert "幸福社区 · 幸福社区月度安全检查报告" in (reports.text or "")
    assert "检查场所数 12，发现隐患数 3，整改隐患数 2" in (reports.text or "")
    await staff.appoint(street.database, 8206, Role.LEAD, "JN02")  # another community's lead
    elsewhere = await emulator.user(8206, "和平社区").ask(f"/duties reports {month}")
    assert elsewhere.text == f"{month} 还没有上报的报告数字。"
    assert "用法" in ((await admin.ask("/duties reports 2026-13")).text or "")


async def test_cancel_keeps_the_duty_open_and_files_nothing(
    emulator: TelegramEmulator, street: App
) -> None:
    await staff.appoint(street.database, ADMIN, Role.ADMIN)
    admin, lead = emulator.user(ADMIN, "街道管理员"), emulator.user(LEAD, "社区张")
    await admin.ask(REPORT)
    watch = DutyWatch(street.database, street.bot, street.catalogue, street.settings.tz)
    assert await watch.tick(first_of_next_month()) == 1
    await said(lead, "新的例行任务")
    listed = await lead.ask("/duties")
    card = await choose(lead, listed, listed.buttons[0][0])
    await tick(lead, card, "☐ 汇总本月检查情况")
    await choose(lead, card, "✅ 完成")
    first = await lead.ask("小结")
    back = await choose(lead, first, "⬅️ 返回")  # before the first figure: the summary again
    assert back.text == "请发送一段简短的小结。"
    first = await lead.ask("新的小结")
    await lead.ask("7")
    second = await lead.ask("1")
    cancelled = await choose(lead, second, "✖️ 取消")
    assert "已取消上报" in (cancelled.text or "")
    assert "失效" in await refused(lead, first, first.callback_data("⬅️ 返回"))
    async with street.database.sessions() as session:
        occurrence = await session.scalar(select(DutyOccurrence))
    assert occurrence is not None
    assert (occurrence.done_at, occurrence.figures) == (None, None)
    resumed = await lead.ask("/duties")
    assert resumed.buttons[0][0].startswith("⏩ 继续：幸福社区月度安全检查报告")
