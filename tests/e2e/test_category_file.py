"""An admin sends the categories file in chat; residents then report in the new categories.

Through the real bot and the emulator: the answer says what was added, changed and left alone;
a bad file changes nothing and names the category and field; a new category's danger-now answer
takes the fast path; a resident's categories file is not an import."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from sqlalchemy import select

from app.wiring import App
from bot.people import staff
from sandbox.emulator import TelegramEmulator
from storage.models import CaseStatus, Category, Role
from tests.e2e.flows import all_cases, report_danger
from tests.e2e.test_desk import card_of
from tests.e2e.test_report_bad_input import add_areas

ADMIN, RESIDENT = 900001, 5301
DEMO = (Path(__file__).parents[2] / "app" / "demo" / "categories.yaml").read_bytes()
YAML = "application/x-yaml"


async def _codes(app: App) -> dict[str, bool]:
    async with app.database.sessions() as session:
        return {c.code: c.active for c in await session.scalars(select(Category))}


async def test_an_admin_sends_the_categories_file_and_hears_what_changed(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    admin = emulator.user(ADMIN, "管理员")
    await admin.send_document(DEMO, "categories.yaml", YAML)
    done = await admin.next_message()
    assert done.text == (
        "分类已导入：新增 4 个，修改 1 个，停用 0 个，未变 4 个。\n"
        "新增：safety, dispute, scrap, living\n"
        "修改：other\n"
        "停用（文件中没有，已有的案件仍保留）：—"
    )
    await admin.send_document(DEMO, "categories.yml", YAML)
    again = await admin.next_message()
    assert again.text == "分类文件与现有分类完全一致，没有任何改动（9 个分类未变）。"

    content = yaml.safe_load(DEMO)
    content["categories"] = [c for c in content["categories"] if c["code"] != "land"]
    as_json = json.dumps(content, ensure_ascii=False).encode()
    await admin.send_document(as_json, "categories.json", "application/json")
    shorter = await admin.next_message()
    assert "停用（文件中没有，已有的案件仍保留）：land" in (shorter.text or "")
    assert (await _codes(bot_app))["land"] is False


async def test_a_bad_file_changes_nothing_and_names_category_and_field(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    admin = emulator.user(ADMIN, "管理员")
    content = yaml.safe_load(DEMO)
    content["categories"][4]["accept"] = "soon"  # safety
    content["categories"][5]["questions"][0]["answers"][0]["en"] = ""  # dispute
    await admin.send_document(yaml.safe_dump(content).encode(), "categories.yaml", YAML)
    refused = await admin.next_message()
    assert refused.text == (
        "分类文件有 2 处问题，没有导入，现有分类没有任何改动：\n"
        "• 分类 safety · accept：“soon”不是有效的时限：写分钟数，或 30m、4h、3d 的形式（1 分钟到 1 年）\n"
        "• 分类 dispute · questions[1].answers[1].en：不能为空"
    )
    await admin.send_document(b"categories: [", "categories.yaml", YAML)
    unreadable = await admin.next_message()
    assert "文件不是有效的 YAML 或 JSON" in (unreadable.text or "")
    assert set(await _codes(bot_app)) == {"fire", "dog", "land", "sanitation", "other"}


async def test_a_resident_reports_danger_now_in_a_new_category(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    await add_areas(bot_app)
    officer = emulator.user(5302, "网格员")
    await staff.appoint(bot_app.database, 5302, Role.OFFICER, "JN01-1")
    admin = emulator.user(ADMIN, "管理员")
    await admin.send_document(DEMO, "categories.yaml", YAML)
    await admin.next_message()

    resident = emulator.user(RESIDENT, "居民")
    choices = await resident.ask("/report")
    assert ["⚠️ 安全生产"] in choices.buttons
    await resident.ask("/cancel")
    done = await report_danger(
        resident,
        category="⚠️ 安全生产",
        answer="正在泄漏、坍塌或有人受伤",
        place=(30.5005, 104.0005),
    )
    assert "已作为紧急情况登记" in (done.text or "")
    [case] = await all_cases(bot_app)
    assert (case.status, case.urgent) == (CaseStatus.NEW, True)
    assert case.accept_due_at is not None
    assert case.submitted_at is not None
    assert (case.accept_due_at - case.submitted_at).total_seconds() == 30 * 60
    card = await card_of(officer)
    assert "安全生产" in (card.text or "")
    assert "🚨" in (card.text or "")


async def test_a_resident_cannot_send_a_categories_file(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    resident = emulator.user(RESIDENT, "居民")
    await resident.send_document(DEMO, "categories.yaml", YAML)
    answer = await resident.next_message()
    assert answer.text == "抱歉，我没看懂这条消息。发送 /help 查看我能做什么。"
    assert set(await _codes(bot_app)) == {"fire", "dog", "land", "sanitation", "other"}
