"""The oversight and admin commands: who may use them, /help per role, /people, /revoke, /ban and
/unban, through the real bot and the emulator."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.admin_cli import DEMO_FILE
from app.wiring import App
from bot.cases.lifecycle import Action
from bot.people import staff
from bot.places.areas import import_file
from bot.telegram.commands import ADMIN_COMMANDS, COMMANDS, OVERSIGHT_COMMANDS
from sandbox.emulator import TelegramEmulator
from storage.models import CaseStatus, Person, Role
from tests.e2e.flows import FIRE, all_cases, file_report, fill_report, officer_does
from tests.e2e.test_desk import IN_JN01_1, card_of

NOT_ALLOWED = "抱歉，您没有权限进行这个操作。"
ADMIN, SECOND_ADMIN, LEAD, OFFICER, BACKUP, FAR_OFFICER = 900001, 8605, 8603, 8601, 8602, 8604
NAMES = {
    SECOND_ADMIN: "赵管理",
    LEAD: "社区张",
    OFFICER: "李网格",
    BACKUP: "备岗王",
    FAR_OFFICER: "青松刘",
}


async def _appoint(
    app: App, tg_id: int, role: Role, area: str | None, backup: bool = False
) -> None:
    await staff.appoint(app.database, tg_id, role, area, backup)
    async with app.database.transaction() as session:
        await session.execute(update(Person).where(Person.tg_id == tg_id).values(name=NAMES[tg_id]))


async def _person(app: App, tg_id: int) -> Person:
    async with app.database.sessions() as session:
        person = await session.scalar(select(Person).where(Person.tg_id == tg_id))
    assert person is not None
    return person


@pytest.fixture
async def street(bot_app: App) -> App:
    """The demo street: two officers (one a backup) in JN01-1, its lead, one in JN05-1."""
    await import_file(bot_app.database, DEMO_FILE)
    await _appoint(bot_app, OFFICER, Role.OFFICER, "JN01-1")
    await _appoint(bot_app, BACKUP, Role.OFFICER, "JN01-1", backup=True)
    await _appoint(bot_app, LEAD, Role.LEAD, "JN01")
    await _appoint(bot_app, FAR_OFFICER, Role.OFFICER, "JN05-1")
    await _appoint(bot_app, SECOND_ADMIN, Role.ADMIN, None)
    return bot_app


@pytest.mark.parametrize("command", OVERSIGHT_COMMANDS + ADMIN_COMMANDS)
async def test_oversight_and_admin_commands_are_refused_to_residents_and_officers(
    emulator: TelegramEmulator, street: App, command: str
) -> None:
    resident = emulator.user(8610, "居民")
    officer = emulator.user(OFFICER, NAMES[OFFICER])
    for user in (resident, officer):
        assert (await user.ask(f"/{command}")).text == NOT_ALLOWED
        assert (await user.ask(f"/{command} {ADMIN} JN01")).text == NOT_ALLOWED
    assert (await _person(street, OFFICER)).role == Role.OFFICER  # /revoke did nothing


async def test_leads_are_refused_admin_commands(emulator: TelegramEmulator, street: App) -> None:
    lead = emulator.user(LEAD, NAMES[LEAD])
    for command in ADMIN_COMMANDS:
        assert (await lead.ask(f"/{command} {OFFICER}")).text == NOT_ALLOWED
    assert (await lead.ask("/categories fire accept 10m")).text == NOT_ALLOWED
    assert (await _person(street, OFFICER)).role == Role.OFFICER


async def test_help_shows_each_role_exactly_its_commands(
    emulator: TelegramEmulator, street: App
) -> None:
    users = {
        Role.RESIDENT: emulator.user(8611, "居民"),
        Role.OFFICER: emulator.user(OFFICER, NAMES[OFFICER]),
        Role.LEAD: emulator.user(LEAD, NAMES[LEAD]),
        Role.ADMIN: emulator.user(ADMIN, "管理员"),
    }
    for role, user in users.items():
        text = (await user.ask("/help")).text or ""
        listed = [line.split()[0][1:] for line in text.splitlines() if line.startswith("/")]
        assert listed == list(COMMANDS[role]), role
        assert "119" in text
        assert ("您的身份" in text) is (role != Role.RESIDENT)
        assert ("发送 .geojson 文件" in text) is (role == Role.ADMIN)
    lead_help = (await users[Role.LEAD].ask("/help")).text or ""
    assert "您的身份：社区负责人" in lead_help
    assert "/people [区域] — 网格员、社区负责人和管理员" in lead_help.splitlines()


async def test_people_by_area_for_admins_and_leads(emulator: TelegramEmulator, street: App) -> None:
    await emulator.user(OFFICER, NAMES[OFFICER]).ask("/offduty")
    admin, lead = emulator.user(ADMIN, "管理员"), emulator.user(LEAD, NAMES[LEAD])
    everyone = (await admin.ask("/people")).text or ""
    lines = everyone.splitlines()
    assert lines[0] == "人员：全街道"
    assert lines[1] == "街道管理员"
    assert lines[2] == "    • 街道管理员 赵管理 · ID 8605"  # appointed first
    assert lines[3] == "    • 街道管理员 管理员 · ID 900001"
    assert lines[4] == "江南街道 JN"
    assert lines[5] == "    幸福社区 JN01"
    assert lines[6] == "        • 社区负责人 社区张 · ID 8603"
    assert lines[7] == "        幸福社区第一网格 JN01-1"
    assert lines[8] == "            • 网格员 李网格 · ID 8601 · 离岗"
    assert lines[9] == "            • 网格员 备岗王 · ID 8602 · 在岗 · 备岗"
    assert lines[10] == "        幸福社区第二网格 JN01-2"
    assert lines[11] == "            ⚠️ 还没有网格员"
    assert "                • 网格员 青松刘 · ID 8604 · 在岗" not in lines
    assert "            • 网格员 青松刘 · ID 8604 · 在岗" in lines
    community = (await lead.ask("/people")).text or ""
    assert community.splitlines() == [
        "人员：幸福社区",
        "幸福社区 JN01",
        "    • 社区负责人 社区张 · ID 8603",
        "    幸福社区第一网格 JN01-1",
        "        • 网格员 李网格 · ID 8601 · 离岗",
        "        • 网格员 备岗王 · ID 8602 · 在岗 · 备岗",
        "    幸福社区第二网格 JN01-2",
        "        ⚠️ 还没有网格员",
    ]
    grid = (await admin.ask("/people JN05-1")).text or ""
    assert grid.splitlines() == [
        "人员：青松社区第一网格",
        "青松社区第一网格 JN05-1",
        "    • 网格员 青松刘 · ID 8604 · 在岗",
    ]
    assert (await lead.ask("/people JN05")).text == NOT_ALLOWED
    assert (
        await admin.ask("/people 火星")
    ).text == "没有找到区域“火星”。发送 /areas 查看区域编号。"


async def test_revoke_makes_staff_residents_with_a_residents_menu(
    emulator: TelegramEmulator, street: App
) -> None:
    admin = emulator.user(SECOND_ADMIN, NAMES[SECOND_ADMIN])
    officer = emulator.user(OFFICER, NAMES[OFFICER], username="li_grid")
    await officer.ask("/start")  # registers the username
    done = await admin.ask("/revoke @LI_grid")
    assert done.text == "已撤销 李网格 的网格员职务，对方现在是普通居民，菜单也已恢复为居民菜单。"
    revoked = await _person(street, OFFICER)
    assert (revoked.role, revoked.area_id, revoked.backup) == (Role.RESIDENT, None, False)
    menu = [c["command"] for c in emulator.commands[(f"chat:{OFFICER}", "")]]
    assert menu == list(COMMANDS[Role.RESIDENT])
    assert (await officer.ask("/queue")).text == NOT_ALLOWED

    assert (await admin.ask(f"/revoke {OFFICER}")).text == "李网格 是普通居民，没有可以撤销的职务。"
    await emulator.user(ADMIN, "管理员").ask("/start")
    founding = await admin.ask(f"/revoke {ADMIN}")
    assert founding.text == (
        "管理员 是配置文件 ADMIN_IDS 里的管理员，不能在对话中撤销。"
        "如需撤销，请修改 ADMIN_IDS 并重启机器人。"
    )
    assert (await _person(street, ADMIN)).role == Role.ADMIN
    assert (
        await admin.ask(f"/revoke {SECOND_ADMIN}")
    ).text == "不能撤销您自己的职务，请让另一位管理员操作。"
    assert (
        await admin.ask("/revoke")
    ).text == "用法：/revoke ID或@用户名 —— 撤销这个人的职务，让他成为普通居民。"
    unknown = await admin.ask("/revoke @nobody_here")
    assert (unknown.text or "").startswith("没有找到“@nobody_here”。")
    lead = await admin.ask(f"/revoke {LEAD}")
    assert (
        lead.text == "已撤销 社区张 的社区负责人职务，对方现在是普通居民，菜单也已恢复为居民菜单。"
    )


async def test_a_banned_resident_files_nothing_new_but_their_case_is_still_handled(
    emulator: TelegramEmulator, street: App
) -> None:
    admin = emulator.user(ADMIN, "管理员")
    resident = emulator.user(8612, "钱居民", username="qian")
    officer = emulator.user(OFFICER, NAMES[OFFICER])
    await file_report(resident, place=IN_JN01_1, photos=0)
    await card_of(officer)
    [case] = await all_cases(street)

    assert (await admin.ask("/ban @qian 反复恶意举报")).text == (
        "已禁止 钱居民 提交新的反映。对方已提交的案件会继续办理。"
    )
    assert (await _person(street, 8612)).banned
    refusal = await resident.ask("/report")
    assert (refusal.text or "").startswith("抱歉，您的账号目前不能提交新的反映。")
    assert (await admin.ask("/ban 8612")).text == "钱居民 已经被禁止提交反映了。"

    # The open case goes on: the officer handles it, the lead closes it; the banned reporter is
    # still told, but may no longer confirm it (a lead's verification or the timeout closes it).
    staff_member = await _person(street, OFFICER)
    await officer_does(street, case.id, Action.ACCEPT, staff_member)
    await resident.next_message()
    await officer_does(street, case.id, Action.RESOLVE, staff_member, note="已清理")
    resolved = await resident.next_message()
    pressed = await resident.press(resolved, "👍 已解决")
    assert (await resident.callback_answer(pressed))[
        "text"
    ] == "抱歉，您不能对这个案件进行这个操作。"
    await officer_does(street, case.id, Action.CLOSE, await _person(street, LEAD))
    assert "JN-000001 已办结" in ((await resident.next_message()).text or "")
    [case] = await all_cases(street)
    assert case.status == CaseStatus.CLOSED

    assert (await admin.ask("/unban @qian")).text == "已恢复 钱居民 提交反映。"
    assert (await admin.ask("/unban @qian")).text == "钱居民 没有被禁止，无需恢复。"
    assert not (await _person(street, 8612)).banned
    assert [FIRE] in (await resident.ask("/report")).buttons  # may report again
    assert (
        await admin.ask(f"/ban {LEAD}")
    ).text == "社区张 是工作人员，不能禁止。请先用 /revoke 撤销其职务。"
    assert (await admin.ask("/ban")).text == (
        "用法：/ban ID或@用户名 [原因] —— 禁止这位居民提交新的反映，已提交的案件照常办理。"
    )
    assert (await admin.ask("/unban")).text == "用法：/unban ID或@用户名"
    assert not (await _person(street, LEAD)).banned


async def test_a_resident_banned_while_writing_cannot_submit(
    emulator: TelegramEmulator, street: App
) -> None:
    admin = emulator.user(ADMIN, "管理员")
    resident = emulator.user(8613, "孙居民")
    summary = await fill_report(resident, place=IN_JN01_1, photos=0)
    await admin.ask("/ban 8613")
    pressed = await resident.press(summary, "✅ 提交")
    answer = await resident.callback_answer(pressed)
    assert (answer["text"] or "").startswith("抱歉，您的账号目前不能提交新的反映。")
    [draft] = await all_cases(street)
    assert draft.status == CaseStatus.DRAFT
