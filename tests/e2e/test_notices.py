"""Notices in chat: residents subscribe; an admin or a lead composes, previews and confirms;
the audience gets it, acknowledges it; the author follows progress and manages the plan."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.admin_cli import DEMO_FILE
from app.wiring import App
from bot.people import staff
from bot.places.areas import import_file
from handlers.common.callbacks import Compose, PlanAction, PlanManage, Step
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.client import BotMessage, TestUser
from sandbox.emulator.files import make_image
from storage.models import NoticePlan, Person, PlanStatus, Role
from storage.types import utcnow
from tests.e2e.test_desk import IN_JN01_1

ADMIN = 900001
STALE = "这个按钮已经失效，请重新打开菜单。"


@pytest.fixture
async def street(bot_app: App) -> App:
    await import_file(bot_app.database, DEMO_FILE)
    return bot_app


async def subscribe(user: TestUser, *communities: str) -> BotMessage:
    menu = await user.ask("/subscribe")
    assert "还没有订阅" in (menu.text or "")
    for name in communities:
        await user.press(menu, name)
        await user.emu.wait_for(lambda n=name: f"✓ {n}" in flat(menu), 5)
    return menu


async def compose(author: TestUser, text: str, *choices: str) -> BotMessage:
    """/notice, the text, then a button on each following message; returns the last message."""
    await author.ask("/notice")
    message = await author.ask(text)
    for choice in choices:
        await author.press(message, choice)
        message = await author.next_message()
    return message


def flat(message: BotMessage) -> list[str]:
    return [text for row in message.buttons for text in row]


async def take_suggestions(author: TestUser, prompt: BotMessage, phases: int) -> BotMessage:
    """Take the suggested notice of each of a campaign's phases; returns the preview."""
    for _ in range(phases):
        assert "建议文字" in (prompt.text or "")
        await author.press(prompt, "✅ 用这段文字")
        prompt = await author.next_message()
    return prompt


async def until_reported(author: TestUser) -> BotMessage:
    """The author's messages until the final report of a send (progress comes before it)."""
    for _ in range(6):
        message = await author.next_message(10)
        if "发送完毕" in (message.text or ""):
            return message
    raise AssertionError("no final report")


async def test_subscribing_by_community_topic_and_location(
    emulator: TelegramEmulator, street: App
) -> None:
    resident = emulator.user(7001, "居民甲")
    assert "/subscribe" in ((await resident.ask("/start")).text or "")  # offered at /start
    menu = await subscribe(resident, "幸福社区")
    await resident.press(menu, "🏷 选择主题")
    await emulator.wait_for(lambda: "哪些主题" in (menu.text or ""), 5)
    await resident.press(menu, "犬只问题")
    await emulator.wait_for(lambda: any("✓ 犬只问题" in b for b in flat(menu)), 5)
    await resident.press(menu, "✅ 完成")
    await emulator.wait_for(lambda: "您订阅了：幸福社区" in (menu.text or ""), 5)
    assert "主题：犬只问题" in (menu.text or "")
    assert "/start" not in ((await resident.ask("/start")).text or "/subscribe")

    again = await resident.ask("/subscribe")
    await resident.press(again, "📍 按我的位置订阅")
    await resident.next_message()
    await resident.send_location(*IN_JN01_1)
    assert (await resident.next_message()).text == "好的，您已订阅幸福社区第一网格的通知。"
    await resident.ask("/subscribe")
    await resident.press(again, "📍 按我的位置订阅")
    await resident.next_message()
    await resident.send_location(10.0, 10.0)  # far from every grid
    assert "不在本街道的任何网格内" in ((await resident.next_message()).text or "")
    assert "已退订全部通知" in ((await resident.ask("/unsubscribe")).text or "")
    assert "还没有订阅" in ((await resident.ask("/unsubscribe")).text or "")


async def test_an_admin_notice_reaches_exactly_its_audience(
    emulator: TelegramEmulator, street: App
) -> None:
    here = [emulator.user(7100 + n, f"幸福{n}") for n in range(3)]
    there = emulator.user(7110, "和平居民")
    elsewhere = emulator.user(7111, "别处居民")
    for user in here:
        await subscribe(user, "幸福社区")
    await subscribe(there, "和平社区")
    await subscribe(elsewhere, "文化社区")
    admin = emulator.user(ADMIN, "街道管理员")
    await admin.ask("/start")
    pick = await compose(
        admin, "周六 9:00–16:00 在兽医站开展<b>犬只免疫登记</b>", "👥 订阅的居民", "选择社区…"
    )
    for name in ("幸福社区", "和平社区"):
        await admin.press(pick, name)
        await emulator.wait_for(lambda n=name: f"✓ {n}" in flat(pick), 5)
    await admin.press(pick, "✅ 选好了")
    topic = await admin.next_message()
    await admin.press(topic, "全部订阅者")
    when = await admin.next_message()
    await admin.press(when, "⚡ 立即发送")
    preview = await admin.next_message()
    assert "收件人数：4" in (preview.text or "")
    assert "幸福社区、和平社区" in (preview.text or "")
    assert "犬只免疫登记" in (preview.text or "")
    await admin.press(preview, "✅ 确认发布")
    await emulator.wait_for(lambda: "开始发送" in (preview.text or ""), 5)

    for user in [*here, there]:
        received = await user.next_message()
        # typed markup is not markup: it arrives as the characters the author typed
        assert received.text == "📢 通知\n\n周六 9:00–16:00 在兽医站开展<b>犬只免疫登记</b>"
        assert "&lt;b&gt;" in (received.html or "")
    await elsewhere.expect_silence(0.3)
    report = await until_reported(admin)
    assert "送达 4 人" in (report.text or "")

    for user in here[:1]:
        recent = await user.ask("/notices")
        assert "犬只免疫登记" in (recent.text or "")
    nothing = (await elsewhere.ask("/notices")).text or ""
    assert nothing == "最近一个月没有您订阅的区域的通知。有新通知时会直接发给您。"  # not /subscribe


async def test_officers_acknowledge_and_the_author_sees_who_has_not(
    emulator: TelegramEmulator, street: App
) -> None:
    await staff.appoint(street.database, 7201, Role.OFFICER, "JN01-1")
    await staff.appoint(street.database, 7202, Role.OFFICER, "JN01-2")
    lead_id = (await staff.appoint(street.database, 7203, Role.LEAD, "JN01")).person.id
    lead = emulator.user(7203, "社区张")
    one, two = emulator.user(7201, "李网格"), emulator.user(7202, "王网格")
    for officer in (one, two):
        await officer.ask("/start")
    preview = await compose(
        lead,
        "本周五前完成辖区电动车充电隐患排查",
        "🧑‍💼 网格员和社区负责人",
        "🏘 本社区",
        "⚡ 立即发送",
    )
    assert "收件人数：3" in (preview.text or "")  # two officers and the lead
    assert "✓ 需要确认“已阅”" in flat(preview)  # on by default for staff
    await lead.press(preview, "✅ 确认发布")
    task = await one.next_message()
    await two.next_message()
    assert task.buttons == [["✅ 已阅"]]
    query = await one.press(task, "✅ 已阅")
    assert (await one.callback_answer(query))["text"] == "已确认，谢谢！"
    await emulator.wait_for(lambda: task.buttons == [], 5)

    async with street.database.sessions() as session:
        plan = await session.scalar(select(NoticePlan).where(NoticePlan.author_id == lead_id))
    assert plan is not None
    await until_reported(lead)
    listing = await lead.ask("/notices")
    assert f"#{plan.id}" in (listing.text or "")
    await lead.press(listing, f"#{plan.id}")
    details = await lead.next_message()
    assert "已确认：1/3" in (details.text or "")
    assert "王网格" in (details.text or "")
    assert "李网格" not in (details.text or "").split("未确认")[1]

    resident = emulator.user(7204, "居民")
    for forged, answer in (
        (PlanManage(plan_id=plan.id, action=PlanAction.CANCEL), "无权管理"),
        (Compose(step=Step.SEND), "失效"),
    ):
        query = await resident.press_data(task.message_id, forged.pack())
        assert answer in ((await resident.callback_answer(query))["text"] or "")
    async with street.database.sessions() as session:
        stored = await session.get(NoticePlan, plan.id)
    assert stored is not None
    assert stored.status == PlanStatus.DONE  # not cancelled by the forged button


async def test_scheduled_repeating_notice_can_be_paused_resumed_and_cancelled(
    emulator: TelegramEmulator, street: App
) -> None:
    admin = emulator.user(ADMIN, "街道管理员")
    await admin.ask("/start")
    when = await compose(
        admin, "每月15日是消防安全宣传日", "👥 订阅的居民", "🏙 全街道", "全部订阅者"
    )
    await admin.press(when, "每月")
    assert "小月在当月最后一天" in ((await admin.next_message()).text or "")
    assert "没看懂" in ((await admin.ask("32 09:00")).text or "")
    preview = await admin.ask("15 09:00")
    assert "每月（日期 时间）15 09:00" in (preview.text or "")
    await admin.press(preview, "✅ 确认发布")
    await emulator.wait_for(lambda: "已安排" in (preview.text or ""), 5)

    listing = await admin.ask("/notices")
    assert "⏳ 进行中" in (listing.text or "")
    [button] = listing.buttons[0]  # the one plan, above the filters
    await admin.press(listing, button)
    details = await admin.next_message()
    assert "下次发送" in (details.text or "")
    await admin.press(details, "⏸ 暂停")
    await emulator.wait_for(lambda: "⏸ 已暂停" in (details.text or ""), 5)
    await admin.press(details, "▶️ 继续")
    await emulator.wait_for(lambda: "⏳ 进行中" in (details.text or ""), 5)
    await admin.press(details, "✖ 取消")
    await emulator.wait_for(lambda: "✖ 已取消" in (details.text or ""), 5)
    assert details.buttons == []
    async with street.database.sessions() as session:
        plan = await session.scalar(select(NoticePlan))
    assert plan is not None
    assert plan.status == PlanStatus.CANCELLED


async def test_bad_input_while_composing(emulator: TelegramEmulator, street: App) -> None:
    admin = emulator.user(ADMIN, "街道管理员")
    await admin.ask("/start")
    await admin.ask("/notice")
    assert "太长" in ((await admin.ask("通" * 3600)).text or "")
    await admin.send_sticker()
    assert "请发送文字" in ((await admin.next_message()).text or "")
    await admin.send_photo(make_image(), caption="犬只登记点位图")
    kind = await admin.next_message()
    await admin.press(kind, "👥 订阅的居民")
    scope = await admin.next_message()
    assert "使用上面的按钮" in ((await admin.ask("随便说一句")).text or "")
    await admin.press(scope, "🏙 全街道")
    topic = await admin.next_message()
    await admin.press(topic, "全部订阅者")
    when = await admin.next_message()
    await admin.press(when, "📅 指定时间")
    await admin.next_message()
    assert "已经过去" in ((await admin.ask("2020-01-01 09:00")).text or "")
    preview = await admin.ask("2099-01-01 09:00")
    assert "附图片" in (preview.text or "")
    assert (await admin.ask("/cancel")).text == "已取消，没有发送任何内容。"
    stale = await admin.press(preview, "✅ 确认发布")  # the composer was cancelled
    assert (await admin.callback_answer(stale))["text"] == STALE
    async with street.database.sessions() as session:
        assert (await session.scalar(select(NoticePlan))) is None

    await admin.ask("/notice")
    kind = await admin.ask("消防通道清理")
    forged = await admin.press_data(kind, Compose(step=Step.KIND, value="everyone").pack())
    assert (await admin.callback_answer(forged))["text"] == STALE

    resident = emulator.user(7301, "居民")
    assert "权限" in ((await resident.ask("/notice")).text or "")
    assert "权限" in ((await resident.ask("/campaign")).text or "")


async def test_a_campaign_schedules_its_phases(emulator: TelegramEmulator, street: App) -> None:
    admin = emulator.user(ADMIN, "街道管理员")
    await admin.ask("/start")
    await admin.ask("/campaign")
    scope = await admin.ask("犬只专项整治")
    await admin.press(scope, "🏙 全街道")
    category = await admin.next_message()
    await admin.press(category, "犬只问题")
    await admin.next_message()
    assert "没看懂" in ((await admin.ask("动员部署 明天")).text or "")
    assert "日期不对" in ((await admin.ask("集中整治 2099-02-01 2099-01-01")).text or "")
    first = await admin.ask(
        "动员部署 2099-01-01 2099-01-07\n集中整治 2099-01-08 2099-01-31\n检查验收 2099-02-01 2099-02-10"
    )
    preview = await take_suggestions(admin, first, 3)
    assert "• 集中整治：2099-01-08 至 2099-01-31" in (preview.text or "")
    await admin.press(preview, "✅ 确认发布")
    await emulator.wait_for(lambda: "已安排" in (preview.text or ""), 5)
    async with street.database.sessions() as session:
        plans = (await session.scalars(select(NoticePlan).order_by(NoticePlan.id))).all()
    assert len(plans) == 6  # per phase: the residents' notice and the officers' reminders
    assert {p.audience["kind"] for p in plans} == {"residents", "staff"}
    assert all(p.campaign_id is not None for p in plans)
    assert [p.campaign_phase for p in plans] == [0, 0, 1, 1, 2, 2]
    assert [p.ack for p in plans[:2]] == [False, True]


async def test_campaign_dates_as_clerks_write_them(emulator: TelegramEmulator, street: App) -> None:
    admin = emulator.user(ADMIN, "街道管理员")
    await admin.ask("/start")
    await admin.ask("/campaign")
    scope = await admin.ask("文明养犬宣传月")
    await admin.press(scope, "🏙 全街道")
    await admin.press(await admin.next_message(), "犬只问题")
    await admin.next_message()
    year = utcnow().astimezone(street.settings.tz).year + 1  # the coming year: never past
    first = await admin.ask(
        f"动员部署 {year}年3月1日至3月7日\n集中整治 3/8-3/31\n检查验收 {year}/4/1 {year}/4/10\n"
        "巩固提高 4月11日到30日"
    )
    preview = await take_suggestions(admin, first, 4)
    text = preview.text or ""
    assert f"• 动员部署：{year}-03-01 至 {year}-03-07" in text
    assert f"• 集中整治：{year}-03-08 至 {year}-03-31" in text
    assert f"• 检查验收：{year}-04-01 至 {year}-04-10" in text
    assert f"• 巩固提高：{year}-04-11 至 {year}-04-30" in text
    # A campaign's phases set acknowledgement themselves: no toggles that would do nothing.
    assert preview.buttons == [["✅ 确认发布"], ["✖ 取消"]]


async def test_every_plan_is_reachable_paged_and_filtered(
    emulator: TelegramEmulator, street: App
) -> None:
    """Twelve current plans and three finished ones: none is hidden, the current ones can be
    paused from chat however many there are, and finished ones are listed apart."""
    admin = emulator.user(ADMIN, "街道管理员")
    await admin.ask("/start")
    async with street.database.transaction() as session:
        author = await session.scalar(select(Person).where(Person.tg_id == ADMIN))
        assert author is not None
        audience = {"kind": "staff", "areas": [], "topic": None}
        for n in range(12):
            session.add(
                NoticePlan(
                    author_id=author.id, text=f"计划{n}", audience=audience, repeat="cron",
                    schedule="* * * * *", status=PlanStatus.ACTIVE,
                )
            )  # fmt: skip
        for n in range(3):
            session.add(
                NoticePlan(
                    author_id=author.id, text=f"旧{n}", audience=audience, repeat="cron",
                    schedule="0 9 * * 1", status=PlanStatus.DONE,
                )
            )  # fmt: skip
    listed = await admin.ask("/notices")
    assert "全部" in (listed.text or "")
    assert "共 15 个" in (listed.text or "")
    assert listed.buttons[-2] == ["1/2", "▶"]
    assert listed.buttons[-1] == ["✓ 全部", "进行中", "已结束"]
    await admin.press(listed, "进行中")
    await emulator.wait_for(lambda: "共 12 个" in (listed.text or ""), 10)
    assert listed.buttons[-1] == ["全部", "✓ 进行中", "已结束"]
    await admin.press(listed, "▶")
    await emulator.wait_for(lambda: listed.buttons[-2] == ["◀", "2/2"], 10)
    oldest = listed.buttons[0][0]  # the first plan, on the second page
    await admin.press(listed, oldest)
    details = await admin.next_message()
    await admin.press(details, "⏸ 暂停")
    await emulator.wait_for(lambda: "已暂停" in (details.text or ""), 10)
    await admin.press(listed, "已结束")
    await emulator.wait_for(lambda: "共 3 个" in (listed.text or ""), 10)
    assert "旧" in (listed.text or "")
    resident = emulator.user(8799, "居民")
    query = await resident.press_data(listed, listed.callback_data("全部"))
    assert "没有权限" in (await resident.callback_answer(query)).get("text", "")
