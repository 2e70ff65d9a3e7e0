"""Volunteers of a residents' group through the real bot: a community lead sets up the group
and its leader, the leader adds a volunteer; the volunteer does the group's daily check and
files a find from inside it, and is refused everything staff do; a missed group duty goes to
the group's leader, then to the community's lead; a removed volunteer is a resident again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select

from app.wiring import App
from bot.duties.watch import DutyWatch
from bot.people import staff
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.client import TestUser
from storage.models import Case, DutyFind, Role
from tests.e2e.flows import choose, step
from tests.e2e.test_command_matrix import NOT_ALLOWED
from tests.e2e.test_desk import IN_JN01_1, street
from tests.e2e.test_duties import ADMIN, LEAD, OFFICER, next_thursday, refused, said, tick

__all__ = ["street"]  # the demo street with officers, on SQLite and PostgreSQL

LEADER, VOLUNTEER, RESIDENT = 8601, 8602, 8603
GROUP_DUTY = """/duties import
duties:
  - name: 幸福第一居民小组日巡
    who: volunteer
    group: JN01-G1
    rhythm: daily
    deadline_hours: 20
    checklist:
      - {zh: 楼道无堆物, en: Stairwells clear}
"""


NAMES = {
    LEAD: "社区张",
    LEADER: "组长王",
    VOLUNTEER: "志愿李",
    RESIDENT: "居民赵",
    OFFICER: "李网格",
}


async def _team(emulator: TelegramEmulator, app: App) -> tuple[DutyWatch, dict[int, TestUser]]:
    """Group JN01-G1 of community JN01, led by LEADER, with VOLUNTEER; the duty defined."""
    users = {tg_id: emulator.user(tg_id, name) for tg_id, name in NAMES.items()}
    lead, leader = users[LEAD], users[LEADER]
    for tg_id in (LEADER, VOLUNTEER, RESIDENT):
        await users[tg_id].ask("/start")
    set_up = await lead.ask("/volunteers group JN01-G1 JN01 幸福第一居民小组")
    assert set_up.text == "居民小组“幸福第一居民小组”（JN01-G1）已建立。"
    assert (await lead.ask("/volunteers group JN05-G1 JN05 别的小组")).text == NOT_ALLOWED
    named = await lead.ask(f"/volunteers leader {LEADER} JN01-G1")
    assert named.text == "组长王 现在是居民小组“幸福第一居民小组”的组长。"
    await said(leader, "志愿巡防队")
    added = await leader.ask(f"/volunteers add {VOLUNTEER}")
    assert added.text == "志愿李 已成为居民小组“幸福第一居民小组”的志愿巡防队员。"
    await said(users[VOLUNTEER], "发送 /duties")
    await staff.appoint(app.database, ADMIN, Role.ADMIN)
    imported = await emulator.user(ADMIN, "街道管理员").ask(GROUP_DUTY)
    assert imported.text == "已导入 1 项例行任务：幸福第一居民小组日巡"
    return DutyWatch(app.database, app.bot, app.catalogue, app.settings.tz), users


async def test_a_volunteer_does_the_groups_check_and_files_a_find(
    emulator: TelegramEmulator, street: App, clock: Callable[[timedelta], datetime]
) -> None:
    morning = next_thursday() + timedelta(hours=7)
    clock(morning - datetime.now(morning.tzinfo))
    watch, users = await _team(emulator, street)
    volunteer, leader, resident = users[VOLUNTEER], users[LEADER], users[RESIDENT]

    # Only a manager of the group changes it; a volunteer is refused every staff command.
    assert (await resident.ask(f"/volunteers add {RESIDENT}")).text == NOT_ALLOWED
    assert "没有权限" in ((await volunteer.ask(f"/volunteers add {RESIDENT} JN01-G1")).text or "")
    for command in ("/queue", "/case 1", "/stats", "/patrol", "/people"):
        assert (await volunteer.ask(command)).text == NOT_ALLOWED, command
    team = await leader.ask("/volunteers")
    assert "组长：组长王，志愿者 2 人" in (team.text or "")
    assert f"志愿李（{VOLUNTEER}）" in (team.text or "")

    assert await watch.tick() == 1
    for person in (volunteer, leader):
        assert "新的例行任务：<b>幸福第一居民小组日巡</b>" in (
            (await said(person, "新的")).html or ""
        )
    listed = await volunteer.ask("/duties")
    [[start]] = listed.buttons
    card = await choose(volunteer, listed, start)
    officer = users[OFFICER]  # not a volunteer of the group: refused
    assert "不是您的任务" in await refused(officer, 1, card.callback_data("☐ 楼道无堆物"))

    await volunteer.press(card, "📝 报告发现的问题")
    assert "计入这项任务" in ((await volunteer.next_message()).text or "")
    categories = await volunteer.next_message()
    question = await step(volunteer, categories, "🧹 市容环境")
    await step(volunteer, question, "乱张贴小广告")
    photos = await volunteer.ask("楼道里贴满小广告")
    await choose(volunteer, photos, "跳过，没有照片")
    await volunteer.send_location(*IN_JN01_1)
    summary = await volunteer.next_message()
    done = await choose(volunteer, summary, "✅ 提交")
    assert "巡查发现" in (done.text or "")

    await tick(volunteer, card, "☐ 楼道无堆物")
    await choose(volunteer, card, "✅ 完成")
    finished = await volunteer.ask("楼道检查完毕")
    assert "已按期完成，报告发现 1 件" in (finished.text or "")
    async with street.database.sessions() as session:
        find = await session.scalar(select(DutyFind))
        case = await session.scalar(select(Case).where(Case.officer_found.is_(True)))
    assert case is not None
    assert find is not None
    assert find.case_id == case.id

    removed = await leader.ask(f"/volunteers remove {VOLUNTEER}")
    assert removed.text == "志愿李 已不再是居民小组“幸福第一居民小组”的志愿者。"
    assert "感谢" in ((await said(volunteer, "不再是")).text or "")
    assert (await volunteer.ask("/duties")).text == NOT_ALLOWED
    assert "组长" in ((await leader.ask(f"/volunteers remove {LEADER}")).text or "")


async def test_a_missed_group_duty_goes_to_the_leader_then_the_lead(
    emulator: TelegramEmulator, street: App
) -> None:
    watch, users = await _team(emulator, street)
    leader, lead = users[LEADER], users[LEAD]
    day = next_thursday()
    assert await watch.tick(day) == 1
    await said(leader, "新的例行任务")
    due = day - timedelta(hours=1) + timedelta(hours=20)  # midnight + 20 hours
    await watch.tick(due)
    assert "<b>幸福第一居民小组日巡</b> 已超过截止时间" in (
        (await said(leader, "已超过")).html or ""
    )
    await watch.tick(due + timedelta(hours=20))
    assert "已上报给您督办" in ((await said(lead, "已超过")).text or "")


async def test_the_sub_words_work_in_chinese(emulator: TelegramEmulator, street: App) -> None:
    """A Chinese-speaking lead and leader type the sub-words in Chinese: 小组, 组长, 添加, 列表,
    移除; the Chinese help shows them."""
    users = {tg_id: emulator.user(tg_id, name) for tg_id, name in NAMES.items()}
    lead, leader, volunteer = users[LEAD], users[LEADER], users[VOLUNTEER]
    for user in (leader, volunteer):
        await user.ask("/start")
    set_up = await lead.ask("/volunteers 小组 JN01-G1 JN01 幸福第一居民小组")
    assert set_up.text == "居民小组“幸福第一居民小组”（JN01-G1）已建立。"
    named = await lead.ask(f"/volunteers 组长 {LEADER} JN01-G1")
    assert named.text == "组长王 现在是居民小组“幸福第一居民小组”的组长。"
    await said(leader, "志愿巡防队")
    added = await leader.ask(f"/volunteers 添加 {VOLUNTEER}")
    assert added.text == "志愿李 已成为居民小组“幸福第一居民小组”的志愿巡防队员。"
    team = await leader.ask("/volunteers 列表")
    assert "组长：组长王，志愿者 2 人" in (team.text or "")
    removed = await leader.ask(f"/volunteers 移除 {VOLUNTEER}")
    assert removed.text == "志愿李 已不再是居民小组“幸福第一居民小组”的志愿者。"
    assert "/volunteers 添加 ID" in ((await leader.ask("/volunteers 删掉 1")).text or "")
    assert "/volunteers [列表|添加|移除 ID [小组]]" in ((await lead.ask("/help")).text or "")
