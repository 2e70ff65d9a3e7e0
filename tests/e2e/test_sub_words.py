"""Commands' sub-words in Chinese through the real bot, one mechanism for all (the catalogues'
`<command>.word_<name>`): /duties 导入 · 统计 · 报告, /categories CODE 紧急 开 · 部门 无 ·
受理时限 30m, /invite 网格员, /dogs 统计 (and /volunteers, /station in their own files); the
Chinese help shows the words, English ones keep working."""

from __future__ import annotations

from sqlalchemy import select

from app.wiring import App
from bot.people import staff
from sandbox.emulator import TelegramEmulator
from storage.models import Category, Role
from tests.e2e.test_desk import street
from tests.e2e.test_duties import ADMIN, LEAD

__all__ = ["street"]  # the demo street with officers, on SQLite and PostgreSQL

DUTY = """/duties 导入
duties:
  - name: 幸福一网格周查
    who: officer
    area: JN01-1
    rhythm: weekly
    day: 4
    deadline_hours: 24
    checklist:
      - {zh: 消防通道畅通, en: Fire lanes clear}
"""


async def _category(app: App, code: str) -> Category:
    async with app.database.sessions() as session:
        found = await session.scalar(select(Category).where(Category.code == code))
    assert found is not None
    return found


async def test_chinese_sub_words(emulator: TelegramEmulator, street: App) -> None:
    await staff.appoint(street.database, ADMIN, Role.ADMIN)
    admin, lead = emulator.user(ADMIN, "街道管理员"), emulator.user(LEAD, "社区张")

    assert (await admin.ask(DUTY)).text == "已导入 1 项例行任务：幸福一网格周查"
    assert (await lead.ask("/duties 统计")).text == "本月还没有到期的例行任务。"
    assert (await lead.ask("/duties 报告 2026-11")).text == "2026-11 还没有上报的报告数字。"
    assert "/duties 报告 2026-12" in ((await lead.ask("/duties 报告 2026-13")).text or "")

    changed = await admin.ask("/categories sanitation 紧急 开")
    assert (changed.text or "").startswith("已修改：")
    await admin.ask("/categories sanitation 受理时限 30m")
    await admin.ask("/categories sanitation 部门 城管")
    sanitation = await _category(street, "sanitation")
    assert (sanitation.urgent, sanitation.accept_minutes) == (True, 30)
    assert sanitation.department == "城管"
    await admin.ask("/categories sanitation 部门 无")
    await admin.ask("/categories sanitation urgent off")  # the code words still work
    sanitation = await _category(street, "sanitation")
    assert (sanitation.urgent, sanitation.department) == (False, None)
    assert "请写 开 或 关" in ((await admin.ask("/categories sanitation 紧急 是")).text or "")

    invite = await lead.ask("/invite 网格员 JN01-1")
    assert "start=inv_" in (invite.text or "")
    assert "/invite 网格员 JN01-1" in ((await lead.ask("/invite 组员 JN01-1")).text or "")
    assert "犬类管理统计" in ((await lead.ask("/dogs 统计")).text or "")

    help_text = (await admin.ask("/help")).text or ""
    assert "/duties [导入|报告 [年-月]|统计]" in help_text
    assert "/dogs [过期|统计]" in help_text
