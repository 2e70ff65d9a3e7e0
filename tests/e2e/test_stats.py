"""/stats in chat on the hand-computed October of tests/stats_seed.py: the figures and the chart
for an admin, a lead's own community only, refusals and bad input; the monthly red/black list
sent to admins and leads and published once as a notice."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.clock import create_scheduler
from app.wiring import App, create_app
from bot.config import Settings
from bot.figures import ranking
from bot.notices import subscriptions
from bot.people import staff
from bot.people.registration import set_language
from handlers.admin.stats import publish_button
from handlers.common.callbacks import RankingPublish
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.client import BotMessage, TestUser
from storage.models import Area, NoticePlan, Person, Role
from tests.stats_seed import at, seed_october

ADMIN, LEAD, OFFICER, RESIDENT = 900001, 8601, 8602, 8603
REFUSED = "抱歉，您没有权限进行这个操作。"
PUBLISH = "📢 作为通知发布"


@pytest.fixture
async def street(bot_app: App) -> App:
    await seed_october(bot_app.database)
    await staff.appoint(bot_app.database, LEAD, Role.LEAD, "C1")
    await staff.appoint(bot_app.database, OFFICER, Role.OFFICER, "C1-1")
    return bot_app


def image_of(emulator: TelegramEmulator, message: BotMessage) -> Image.Image:
    assert message.photo is not None
    stored = emulator.files.get(message.photo[-1]["file_id"])
    assert stored is not None
    return Image.open(io.BytesIO(stored.data))


async def test_an_admin_gets_the_figures_and_the_chart(
    emulator: TelegramEmulator, street: App
) -> None:
    admin = emulator.user(ADMIN, "街道管理员")
    text = (await admin.ask("/stats 2026-10")).text or ""
    # totals and communities: see the comments in tests/storage/test_stats.py
    expected = [
        "📊 统计 2026-10-01 – 2026-10-31 · 全街道",
        "合计\n立案 10 · 派遣 9 · 受理 6\n"
        "按期处置率 57% · 结案率 50% · 按期结案率 38% · 返工率 20%\n"
        "受理用时中位数 25 分钟 · 处置用时中位数 24 小时\n满意度 4.0（评价率 75%）",
        "东风社区\n立案 8 · 派遣 7 · 受理 5\n"
        "按期处置率 50% · 结案率 50% · 按期结案率 33% · 返工率 25%\n"
        "受理用时中位数 30 分钟 · 处置用时中位数 24 小时\n满意度 4.0（评价率 100%）",
        "西湖社区\n立案 2 · 派遣 2 · 受理 1\n"
        "按期处置率 100% · 结案率 50% · 按期结案率 50% · 返工率 0%\n"
        "受理用时中位数 5 分钟 · 处置用时中位数 2 天\n满意度 —（评价率 0%）",
        "火灾隐患\n立案 3 · 派遣 3 · 受理 2\n"
        "按期处置率 50% · 结案率 67% · 按期结案率 33% · 返工率 50%\n"
        "受理用时中位数 30 分钟 · 处置用时中位数 27 小时",
        "其他\n立案 1 · 派遣 0 · 受理 0\n"
        "按期处置率 0% · 结案率 0% · 按期结案率 0% · 返工率 —\n"
        "受理用时中位数 — · 处置用时中位数 —\n满意度 —（评价率 —）",
    ]
    for part in expected:
        assert part in text
    assert "东风一网格" not in text  # the street's report lists communities
    chart = await admin.next_message(15)
    assert chart.caption == "📈 2026-10-01 – 2026-10-31 · 全街道"
    image = image_of(emulator, chart)
    assert image.width >= 800
    assert image.height >= 600
    assert len(image.convert("RGB").getcolors(1 << 24) or []) > 10  # drawn, not one colour


async def test_a_lead_sees_only_their_community(emulator: TelegramEmulator, street: App) -> None:
    lead = emulator.user(LEAD, "社区张")
    text = (await lead.ask("/stats 2026-10")).text or ""
    assert text.startswith("📊 统计 2026-10-01 – 2026-10-31 · 东风社区")
    assert "合计\n立案 8 · 派遣 7 · 受理 5" in text
    assert "东风一网格\n立案 4 · 派遣 4 · 受理 3" in text
    assert "东风二网格\n立案 3 · 派遣 3 · 受理 2" in text
    assert "西湖" not in text
    assert (await lead.next_message(15)).photo is not None
    assert (await lead.ask("/stats 2026-10 C2")).text == REFUSED
    assert (await lead.ask("/stats 2026-10 西湖一网格")).text == REFUSED
    grid = (await lead.ask("/stats 2026-10 C1-2")).text or ""
    assert grid.startswith("📊 统计 2026-10-01 – 2026-10-31 · 东风二网格")
    assert "合计\n立案 3 · 派遣 3 · 受理 2" in grid


async def test_residents_and_officers_are_refused(emulator: TelegramEmulator, street: App) -> None:
    for user_id in (RESIDENT, OFFICER):
        user = emulator.user(user_id, "某人")
        assert (await user.ask("/stats 2026-10")).text == REFUSED
        await user.expect_silence(0.2)


async def test_bad_input_and_empty_answers(emulator: TelegramEmulator, street: App) -> None:
    admin = emulator.user(ADMIN, "街道管理员")
    bad = await admin.ask("/stats 2026-13")
    assert (bad.text or "").startswith("没看懂时间段“2026-13”")
    assert "没看懂时间段“2026-10-01”" in ((await admin.ask("/stats 2026-10-01")).text or "")
    unknown = await admin.ask("/stats 2026-10 XX99")
    assert (unknown.text or "").startswith("没有找到区域“XX99”")
    empty = await admin.ask("/stats 2026-08")
    assert empty.text == "2026-08-01 – 2026-08-31 · 全街道：没有案件。"
    empty_grid = await admin.ask("/stats 2026-10 C2-2")
    assert empty_grid.text == "2026-10-01 – 2026-10-31 · 西湖二网格：没有案件。"
    await admin.expect_silence(0.3)  # no chart for nothing


async def subscribed(app: App, user: TestUser, community: str) -> None:
    await user.ask("/start")
    async with app.database.sessions() as session:
        person = await session.scalar(select(Person).where(Person.tg_id == user.id))
        area = await session.scalar(select(Area.id).where(Area.code == community))
    assert person is not None
    assert area is not None
    await subscriptions.toggle_area(app.database, person, area)


async def test_the_monthly_list_is_sent_and_published_once(
    emulator: TelegramEmulator, street: App
) -> None:
    admin, other_admin = emulator.user(ADMIN, "街道管理员"), emulator.user(8604, "另一位管理员")
    lead = emulator.user(LEAD, "社区张")
    residents = [emulator.user(8611, "居民甲"), emulator.user(8612, "居民乙")]
    await admin.ask("/start")
    await staff.appoint(street.database, 8604, Role.ADMIN)
    lead_person = (await staff.appoint(street.database, LEAD, Role.LEAD, "C1")).person
    await set_language(street.database, lead_person.id, "en")
    for resident in residents:
        await subscribed(street, resident, "C1")
    app = street
    sent = await ranking.send_monthly(
        app.database, app.bot, app.catalogue, app.settings.tz, publish_button, now=at(11, 1, 9)
    )
    assert sent == 3  # two admins and the lead
    assert (
        await ranking.send_monthly(
            app.database, app.bot, app.catalogue, app.settings.tz, publish_button, now=at(11, 1, 9)
        )
        == 0
    )  # claimed once
    listed = await admin.next_message()
    assert listed.text == (
        "🏆 2026-10 网格红黑榜\n按按期结案率排名，相同时比满意度。\n\n🔴 红榜\n"
        "第 1 名 东风二网格：按期结案率 50% · 满意度 4.0 · 有效案件 2\n"
        "第 2 名 西湖一网格：按期结案率 50% · 满意度 — · 有效案件 2\n"
        "第 3 名 东风一网格：按期结案率 33% · 满意度 4.0 · 有效案件 3\n\n"
        "有效案件少于 2 件、未排名的网格：西湖二网格"
    )
    assert listed.buttons == [[PUBLISH]]
    for_lead = await lead.next_message()  # in the lead's own language
    assert (for_lead.text or "").startswith("🏆 Grid red/black list, 2026-10\n")
    assert "#3 东风一网格: on-time closure 33% · satisfaction 4.0 · valid cases 3" in (
        for_lead.text or ""
    )
    assert for_lead.buttons == []
    forged = await lead.press_data(for_lead, RankingPublish(year=2026, month=10).pack())
    assert (await lead.callback_answer(forged))["text"] == "Sorry, you are not allowed to do that."

    pressed = await admin.press(listed, PUBLISH)
    assert (await admin.callback_answer(pressed))["text"] == "已发布给订阅的居民。"
    for resident in residents:
        notice = await resident.next_message(10)
        assert "网格红黑榜" in (notice.text or "")
        assert "第 1 名 东风二网格" in (notice.text or "")
    late = await other_admin.press(await other_admin.next_message(), PUBLISH)
    answer = await other_admin.callback_answer(late)
    assert answer["text"] == "这个月的红黑榜已经发布过了。"
    async with app.database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(NoticePlan)) == 1
    for resident in residents:
        await resident.expect_silence(0.3)


async def test_the_list_is_sent_from_the_first_at_nine_and_a_missed_first_is_caught_up(
    emulator: TelegramEmulator, street: App, make_settings: Callable[..., Settings]
) -> None:
    lead = emulator.user(LEAD, "社区张")
    app = street

    async def send(now: datetime) -> int:
        return await ranking.send_monthly(
            app.database, app.bot, app.catalogue, app.settings.tz, publish_button, now=now
        )

    assert await send(at(11, 1, 8, 59)) == 0  # not before 09:00 on the 1st
    assert await send(at(11, 3, 14)) == 1  # the bot was down on the 1st: sent when back
    assert "2026-10" in ((await lead.next_message()).text or "")
    assert await send(at(11, 3, 14, 30)) == 0  # once a month
    other = await create_app(make_settings())  # not started: only its clock is looked at
    try:
        scheduler = create_scheduler(
            other.database, other.desk, other.media, other.settings, publish_button
        )
        job = scheduler.get_job("monthly_ranking")
        assert job is not None
        assert job.trigger.interval <= timedelta(minutes=30)  # asked often: a 1st is not missed
    finally:
        await other.close()


async def test_a_lead_asks_for_any_months_list(emulator: TelegramEmulator, street: App) -> None:
    lead = emulator.user(LEAD, "社区张")
    listed = await lead.ask("/ranking 2026-10")
    assert (listed.text or "").startswith("🏆 2026-10 网格红黑榜")
    assert "有效案件少于 2 件、未排名的网格" in (listed.text or "")
    assert listed.buttons == []  # publishing is for admins
    assert "看不懂月份" in ((await lead.ask("/ranking 十月")).text or "")
    assert "还没有结束" in ((await lead.ask("/ranking 2099-01")).text or "")
    resident = emulator.user(8699, "居民")  # answered as /stats is: nothing of staff
    refused = (await resident.ask("/ranking 2026-10")).text
    assert refused == (await resident.ask("/stats")).text
    assert "红黑榜" not in (refused or "")
