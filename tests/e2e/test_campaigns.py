"""Campaigns as the office runs them: /notices shows a campaign as one entry with its phases'
dates and states; its author or an admin stops one phase or the whole campaign; a plan hidden
among many campaigns is still found and paused; each phase gets its own notice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.admin_cli import DEMO_FILE
from app.wiring import App
from bot.notices import campaigns
from bot.notices.audience import Audience, Kind
from bot.notices.campaigns import Phase
from bot.people import staff
from bot.places.areas import import_file
from handlers.common.callbacks import CampaignAction, CampaignManage, Compose, Step
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.client import BotMessage, TestUser
from storage.models import Campaign, NoticePlan, Person, PlanStatus, Role
from storage.types import utcnow
from tests.e2e.test_notices import ADMIN, STALE, flat

LEAD, OTHER_LEAD, RESIDENT = 7401, 7402, 7403
STAGES = ("动员部署", "排查摸底", "集中整治", "检查验收", "巩固提高")
NOT_FOUND = "找不到这条通知"


@pytest.fixture
async def street(bot_app: App) -> App:
    await import_file(bot_app.database, DEMO_FILE)
    return bot_app


def today(app: App) -> date:
    return utcnow().astimezone(app.settings.tz).date()


async def person(app: App, tg_id: int) -> Person:
    async with app.database.sessions() as session:
        found = await session.scalar(select(Person).where(Person.tg_id == tg_id))
    assert found is not None
    return found


async def five_phases(app: App, author: Person, name: str, areas: tuple[int, ...] = ()) -> int:
    """A campaign of five phases of three days, the first starting today."""
    start = today(app)
    phases = [
        Phase(stage, start + timedelta(days=3 * n), start + timedelta(days=3 * n + 2)).to_json()
        for n, stage in enumerate(STAGES)
    ]
    t = app.catalogue.translator("zh")
    audience = Audience(Kind.RESIDENTS, areas)
    made = await campaigns.create(
        app.database, author, name, "dog", audience, phases, app.settings.tz, t
    )
    return made.id


async def statuses(app: App, campaign_id: int) -> list[PlanStatus]:
    async with app.database.sessions() as session:
        found = await session.scalars(
            select(NoticePlan.status)
            .where(NoticePlan.campaign_id == campaign_id)
            .order_by(NoticePlan.id)
        )
        return list(found.all())


async def cron_plan(app: App, author: Person, text: str) -> int:
    async with app.database.transaction() as session:
        plan = NoticePlan(
            author_id=author.id, text=text, audience={"kind": "staff", "areas": [], "topic": None},
            repeat="cron", schedule="* * * * *", status=PlanStatus.ACTIVE,
        )  # fmt: skip
        session.add(plan)
        await session.flush()
        return plan.id


async def open_campaign(user: TestUser, listing: BotMessage, name: str) -> BotMessage:
    await user.press(listing, f"🗂 {name}")
    return await user.next_message()


async def test_a_campaign_is_one_entry_and_an_every_minute_plan_is_still_found(
    emulator: TelegramEmulator, street: App
) -> None:
    """Before: two five-phase campaigns (twenty plans) and eight notices buried the oldest plan,
    an every-minute cron to all staff, on a third page of plans listed one by one."""
    admin = emulator.user(ADMIN, "街道管理员")
    await admin.ask("/start")
    author = await person(street, ADMIN)
    buried = await cron_plan(street, author, "每分钟提醒")
    await five_phases(street, author, "犬只专项整治")
    await five_phases(street, author, "消防专项整治")
    for n in range(8):
        await cron_plan(street, author, f"例行通知{n}")
    listing = await admin.ask("/notices")
    text = listing.text or ""
    assert "共 11 个" in text  # eight notices, two campaigns, the buried plan
    assert text.count("专项行动“犬只专项整治”") == 1
    assert f"▸ 集中整治：{(today(street) + timedelta(days=6)):%m-%d}" in text
    assert "⏳ 进行中" in text
    assert "🕓 未开始" in text
    assert ["🗂 消防专项整治", "🗂 犬只专项整治"] in listing.buttons
    assert listing.buttons[-2] == ["1/2", "▶"]
    await admin.press(listing, "▶")
    await emulator.wait_for(lambda: f"#{buried}" in flat(listing), 10)
    await admin.press(listing, f"#{buried}")
    details = await admin.next_message()
    await admin.press(details, "⏸ 暂停")
    await emulator.wait_for(lambda: "已暂停" in (details.text or ""), 10)


async def test_the_author_stops_one_phase_then_the_whole_campaign(
    emulator: TelegramEmulator, street: App
) -> None:
    await staff.appoint(street.database, LEAD, Role.LEAD, "JN01")
    await staff.appoint(street.database, OTHER_LEAD, Role.LEAD, "JN02")
    lead = emulator.user(LEAD, "社区张")
    await lead.ask("/start")
    author = await person(street, LEAD)
    campaign_id = await five_phases(street, author, "文明养犬", (author.area_id or 0,))
    listing = await lead.ask("/notices")
    shown = await open_campaign(lead, listing, "文明养犬")
    assert "▸ 动员部署：" in (shown.text or "")
    assert "⏳ 进行中" in (shown.text or "")
    assert ["⏹ 停止“集中整治”"] in shown.buttons
    assert ["⏹ 停止整个专项行动"] in shown.buttons
    assert sum(len(row) for row in shown.buttons if row[0].startswith("#")) == 10  # every plan

    # Another lead, a resident, an out-of-range phase: refused, nothing stopped.
    other, resident = emulator.user(OTHER_LEAD, "社区李"), emulator.user(RESIDENT, "居民")
    await other.ask("/start")
    assert "文明养犬" not in ((await other.ask("/notices")).text or "")
    stop_all = CampaignManage(campaign_id=campaign_id, action=CampaignAction.STOP).pack()
    beyond = CampaignManage(campaign_id=campaign_id, action=CampaignAction.STOP_PHASE, phase=5)
    for user, data in ((other, stop_all), (resident, stop_all), (lead, beyond.pack())):
        query = await user.press_data(shown, data)
        assert NOT_FOUND in ((await user.callback_answer(query))["text"] or "")
    assert set(await statuses(street, campaign_id)) == {PlanStatus.ACTIVE}

    query = await lead.press(shown, "⏹ 停止“集中整治”")
    assert (await lead.callback_answer(query))["text"] == "已停止 2 个通知计划。"
    await emulator.wait_for(
        lambda: "集中整治：" in (shown.text or "") and "⏹ 已停止" in (shown.text or ""), 10
    )
    assert ["⏹ 停止“集中整治”"] not in shown.buttons
    found = await statuses(street, campaign_id)
    assert found[4:6] == [PlanStatus.CANCELLED] * 2
    assert found[:4] + found[6:] == [PlanStatus.ACTIVE] * 8
    again = await lead.press_data(shown, shown.callback_data("⏹ 停止整个专项行动"))
    assert (await lead.callback_answer(again))["text"] == "已停止 8 个通知计划。"
    await emulator.wait_for(lambda: not any("停止" in b for b in flat(shown)), 10)
    assert set(await statuses(street, campaign_id)) == {PlanStatus.CANCELLED}
    listing = await lead.ask("/notices")
    assert "✖ 已取消" in (listing.text or "")
    # An admin may stop anybody's; a stopped campaign has nothing left to stop.
    admin = emulator.user(ADMIN, "街道管理员")
    await admin.ask("/start")
    late = await admin.press_data(shown, stop_all)
    assert "没有可以停止" in ((await admin.callback_answer(late))["text"] or "")


async def test_each_phase_gets_its_own_notice(emulator: TelegramEmulator, street: App) -> None:
    """A suggestion for each phase's kind of stage, taken with one tap or replaced by typing;
    before, every phase's residents got the same sentence with another name."""
    admin = emulator.user(ADMIN, "街道管理员")
    await admin.ask("/start")
    await admin.ask("/campaign")
    scope = await admin.ask("犬只专项整治")
    await admin.press(scope, "🏙 全街道")
    await admin.press(await admin.next_message(), "犬只问题")
    await admin.next_message()
    first = await admin.ask(
        "动员部署 2099-01-01 2099-01-07\n集中整治 2099-01-08 2099-01-31\n巩固提升 2099-02-01 2099-02-10"
    )
    assert "阶段 1/3“动员部署”（2099-01-01 至 2099-01-07）" in (first.text or "")
    assert "【犬只专项整治】今天起进入“动员部署”阶段" in (first.text or "")
    taken = first.callback_data("✅ 用这段文字")
    await admin.press(first, "✅ 用这段文字")
    second = await admin.next_message()
    assert "集中整治全面开展" in (second.text or "")
    assert "建议文字" in (second.text or "")
    third = await admin.ask("1月8日起集中整治<b>未拴绳</b>遛狗，请各位主人配合。")
    stale = await admin.press_data(first, taken)  # the first phase's, pressed again
    assert (await admin.callback_answer(stale))["text"] == STALE
    assert "巩固整治成果" in (third.text or "")
    await admin.press(third, "✅ 用这段文字")
    preview = await admin.next_message()
    text = preview.text or ""
    assert "“【犬只专项整治】今天起进入“动员部署”阶段" in text
    assert "“1月8日起集中整治<b>未拴绳</b>遛狗" in text  # typed characters, not markup
    await admin.press(preview, "✅ 确认发布")
    await emulator.wait_for(lambda: "已安排" in (preview.text or ""), 5)
    async with street.database.sessions() as session:
        campaign = await session.scalar(select(Campaign))
        residents = (
            await session.scalars(
                select(NoticePlan.text)
                .where(NoticePlan.ack.is_(False))
                .order_by(NoticePlan.campaign_phase)
            )
        ).all()
    assert campaign is not None
    assert residents[0].startswith(
        "【犬只专项整治】今天起进入“动员部署”阶段（2099-01-01 至 2099-01-07）"
    )
    assert residents[1] == "1月8日起集中整治&lt;b&gt;未拴绳&lt;/b&gt;遛狗，请各位主人配合。"
    assert "巩固整治成果" in residents[2]
    assert [phase.get("text") for phase in campaign.phases] == residents


async def test_an_english_author_gets_suggestions_in_english(
    emulator: TelegramEmulator, street: App
) -> None:
    admin = emulator.user(ADMIN, "Office admin", language_code="en")
    await admin.ask("/start")
    await admin.ask("/campaign")
    scope = await admin.ask("Dog <control>")
    await admin.press(scope, scope.buttons[0][0])
    topic = await admin.next_message()
    await admin.press(topic, topic.buttons[0][0])
    await admin.next_message()
    first = await admin.ask("Mobilisation 2099-01-01 2099-01-07")
    assert "[Dog <control>] The “Mobilisation” phase begins (2099-01-01 to 2099-01-07)" in (
        first.text or ""
    )
    await admin.press(first, "✅ Use this text")
    preview = await admin.next_message()
    assert "“[Dog <control>] The “Mobilisation” phase begins" in (preview.text or "")


@pytest.mark.parametrize("way", ["button", "command"])
async def test_cancelling_while_a_phase_text_is_asked(
    emulator: TelegramEmulator, street: App, way: str
) -> None:
    admin = emulator.user(ADMIN, "街道管理员")
    await admin.ask("/start")
    await admin.ask("/campaign")
    scope = await admin.ask("犬只专项整治")
    await admin.press(scope, "🏙 全街道")
    await admin.press(await admin.next_message(), "犬只问题")
    await admin.next_message()
    asked = await admin.ask("动员部署 2099-01-01 2099-01-07")
    if way == "button":
        await admin.press(asked, "✖ 取消")
        await emulator.wait_for(lambda: "已取消" in (asked.text or ""), 5)
    else:
        assert "已取消" in ((await admin.ask("/cancel")).text or "")
    forged = await admin.press_data(asked, Compose(step=Step.PHASE_TEXT, value="0").pack())
    assert (await admin.callback_answer(forged))["text"] == STALE
    async with street.database.sessions() as session:
        assert (await session.scalar(select(Campaign))) is None
