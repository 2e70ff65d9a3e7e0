"""Micro fire stations through the real bot: a fire now alerts the nearest station at once;
出发 and an arrival within 100 m tell the resident and show on the case card; nobody setting off
within 60 s brings in the backup station and the community lead, once; forged presses and an
arrival too far away count for nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.admin_cli import DEMO_FILE
from app.wiring import App
from bot.people import staff
from bot.places.areas import import_file
from handlers.common.callbacks import FireGo
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.client import BotMessage, TestUser
from storage.models import FireResponse, Role, StationAlert
from tests.e2e.flows import report_danger
from tests.e2e.test_desk import IN_JN01_1, card_of

ADMIN, LEAD, OWN, BACKUP, FAR, RESIDENT = 900001, 8602, 8611, 8612, 8613, 8620


@pytest.fixture
async def street(bot_app: App, emulator: TelegramEmulator) -> App:
    """Demo street; 幸福站 in 幸福社区 (JN01), 和平站 next door (JN02) and 文化站 farther on,
    registered by the admin in chat."""
    await import_file(bot_app.database, DEMO_FILE)
    await staff.appoint(bot_app.database, LEAD, Role.LEAD, "JN01")
    admin = emulator.user(ADMIN, "管理员")
    saved = await admin.ask("/station add 幸福站 JN01 30.6052 104.0027")
    assert "幸福站" in (saved.text or "")
    await admin.ask("/station add 和平站 JN02 30.605 104.015")
    await admin.ask("/station add 文化站 JN03 30.605 104.025")
    for name, member in (("幸福站", OWN), ("和平站", BACKUP), ("文化站", FAR)):
        added = await admin.ask(f"/station member {name} {member}")
        assert str(member) in (added.text or "")
    return bot_app


async def alert_of(member: TestUser) -> BotMessage:
    """The alert: a location to navigate to, then the words with 出发."""
    location = await member.next_message()
    assert location.location is not None
    alert = await member.next_message()
    assert alert.buttons == [["🚒 出发"]]
    return alert


async def said(user: TestUser, words: str) -> BotMessage:
    """The next message of the chat that says `words` (others skipped)."""
    while True:
        message = await user.next_message()
        if words in (message.text or ""):
            return message


async def response_of(app: App) -> FireResponse:
    async with app.database.sessions() as session:
        response = await session.scalar(select(FireResponse))
    assert response is not None
    return response


async def test_an_alert_answered_in_time(emulator: TelegramEmulator, street: App) -> None:
    own, backup = emulator.user(OWN, "队员甲"), emulator.user(BACKUP, "队员乙")
    lead = emulator.user(LEAD, "社区长")
    resident = emulator.user(RESIDENT, "居民")
    await report_danger(resident, place=IN_JN01_1)
    alert = await alert_of(own)
    assert "幸福站" in (alert.text or "")
    assert "正在冒烟或起火" in (alert.text or "")  # the resident's answer
    lead_card = await card_of(lead)  # an urgent case reaches the lead too

    await own.press(alert, "🚒 出发")
    prompt = await said(own, "到场后")
    assert prompt.keyboard == [["📍 已到场，发送位置"]]
    assert "已出发" in (await said(resident, "已出发")).text

    await own.send_location(IN_JN01_1[0] + 0.003, IN_JN01_1[1])  # about 330 m away
    assert "还不算到场" in ((await own.next_message()).text or "")
    assert (await response_of(street)).arrived_at is None

    await own.send_location(IN_JN01_1[0] + 0.0003, IN_JN01_1[1])  # about 33 m away
    assert "已到场" in ((await own.next_message()).text or "")
    told = await said(resident, "已到达现场")
    assert "用时" in (told.text or "")
    response = await response_of(street)
    assert response.started_at is not None
    assert response.arrived_at is not None
    assert response.arrival_m is not None
    assert 20 < response.arrival_m < 50
    await emulator.wait_for(lambda: "到场（" in (lead_card.text or "") or None, 10)
    timeline = lead_card.text or ""
    assert "已通知“幸福站”" in timeline
    assert "队员甲 出发" in timeline
    await street.desk.stations.tick(datetime.now().astimezone() + timedelta(minutes=5))
    await backup.expect_silence(0.3)  # set off in time: no backup

    admin = emulator.user(ADMIN, "管理员")
    await admin.send("/stations")
    figures = await said(admin, "微型消防站 ·")
    assert "火警 1 次" in (figures.text or "")
    assert "3 分钟内到场 100%" in (figures.text or "")


async def test_no_one_sets_off_so_backup_and_lead_are_alerted_once(
    emulator: TelegramEmulator, street: App, clock: Callable[[timedelta], datetime]
) -> None:
    own, backup, far = (emulator.user(i, n) for i, n in ((OWN, "甲"), (BACKUP, "乙"), (FAR, "丙")))
    lead = emulator.user(LEAD, "社区长")
    await report_danger(emulator.user(RESIDENT, "居民"), place=IN_JN01_1)
    await alert_of(own)
    await card_of(lead)
    stations = street.desk.stations
    assert stations is not None
    assert await stations.tick() == 0  # within 60 s: nothing yet
    clock(timedelta(seconds=61))
    assert sorted(await asyncio.gather(stations.tick(), stations.tick())) == [0, 1]
    help_call = await alert_of(backup)
    assert "支援" in (help_call.text or "")
    assert "幸福站" in (help_call.text or "")
    assert "60 秒内无人出发" in (await said(lead, "60 秒内无人出发")).text
    await own.expect_silence(0.2)
    assert "支援" in ((await alert_of(far)).text or "")  # the two nearest stations back up
    assert await stations.tick() == 0
    async with street.database.sessions() as session:
        alerts = (await session.scalars(select(StationAlert))).all()
    assert len(alerts) == 3
    assert all(alert.sent_at for alert in alerts)

    await backup.press(help_call, "🚒 出发")  # the backup station may answer it
    await said(backup, "到场后")
    assert (await response_of(street)).started_at is not None


async def test_forged_go_is_refused(emulator: TelegramEmulator, street: App) -> None:
    own = emulator.user(OWN, "甲")
    await report_danger(emulator.user(RESIDENT, "居民"), place=IN_JN01_1)
    await alert_of(own)
    response = await response_of(street)
    stranger, backup = emulator.user(8699, "路人"), emulator.user(BACKUP, "乙")
    await stranger.ask("/start")
    for presser in (stranger, backup):  # not alerted: a stranger, a station not yet called
        query = await presser.press_data(1, FireGo(response_id=response.id).pack())
        answer = await presser.callback_answer(query)
        assert "没有权限" in answer.get("text", "")
    await stranger.send_location(*IN_JN01_1)  # a location without 出发: no arrival
    assert (await response_of(street)).started_at is None
    assert (await response_of(street)).arrived_at is None


async def test_member_goes_off_duty_and_is_not_alerted(
    emulator: TelegramEmulator, street: App
) -> None:
    own = emulator.user(OWN, "甲")
    answer = await own.ask("/offduty")
    assert "幸福站" in (answer.text or "")
    await report_danger(emulator.user(RESIDENT, "居民"), place=IN_JN01_1)
    await own.expect_silence(0.5)
