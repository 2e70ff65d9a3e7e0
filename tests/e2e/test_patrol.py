"""Patrol tracks through the real bot: a duty that requires a track cannot be finished without
one; the live location an officer shares while doing it (the first message and its edits) is
kept as the track and measured in the finish summary; a live location with no duty started is
answered once and its edits not at all; /map … patrol shows the month's tracks with each grid's
coverage, and /duties stats counts patrol finds against resident reports."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from app.admin_cli import DEMO_FILE
from app.wiring import App
from bot.duties.watch import DutyWatch
from bot.people import staff
from bot.places.areas import import_file
from sandbox.emulator import TelegramEmulator
from storage.models import DutyTrackPoint, Role
from storage.types import utcnow
from tests.e2e.flows import choose, step
from tests.e2e.test_duties import next_thursday, refused, said, tick
from tests.helpers import eventually

ADMIN, OFFICER, COLLEAGUE, LEAD = 900001, 8211, 8212, 8213
DUTIES = """/duties import
duties:
  - name: 幸福一网格巡查
    who: officer
    area: JN01-1
    rhythm: weekly
    day: 4
    deadline_hours: 24
    track: true
    checklist:
      - {zh: 消防通道畅通, en: Fire lanes clear}
"""
# North along the middle of 幸福社区第一网格 (104.000-104.005 E, 30.600-30.610 N): 890 m.
WALK = [(30.601 + 0.002 * step, 104.0025) for step in range(5)]


async def points(app: App) -> int:
    async with app.database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(DutyTrackPoint)) or 0)


async def street(emulator: TelegramEmulator, app: App) -> DutyWatch:
    await import_file(app.database, DEMO_FILE)
    await staff.appoint(app.database, OFFICER, Role.OFFICER, "JN01-1")
    await staff.appoint(app.database, COLLEAGUE, Role.OFFICER, "JN01-1")
    await staff.appoint(app.database, LEAD, Role.LEAD, "JN01")
    await staff.appoint(app.database, ADMIN, Role.ADMIN)
    imported = await emulator.user(ADMIN, "街道管理员").ask(DUTIES)
    assert imported.text == "已导入 1 项例行任务：幸福一网格巡查"
    return DutyWatch(app.database, app.bot, app.catalogue, app.settings.tz)


async def test_a_patrol_is_kept_as_a_track_and_covers_the_grid(
    emulator: TelegramEmulator, bot_app: App, clock: Callable[[timedelta], datetime]
) -> None:
    clock(next_thursday() + timedelta(hours=2) - utcnow())
    watch = await street(emulator, bot_app)
    officer, colleague = emulator.user(OFFICER, "李网格"), emulator.user(COLLEAGUE, "王网格")
    assert await watch.tick() == 1
    await said(officer, "新的例行任务")
    await said(colleague, "新的例行任务")

    # No duty started: the live location is answered once, its edits not at all.
    shared = await colleague.send_live_location(*WALK[0])
    assert "还没有开始例行任务" in ((await colleague.next_message()).text or "")
    await colleague.move_live_location(shared, *WALK[1])
    await colleague.expect_silence(2)
    assert await points(bot_app) == 0

    listed = await officer.ask("/duties")
    card = await choose(officer, listed, listed.buttons[0][0])
    assert "需要巡查轨迹" in (card.text or "")
    await tick(officer, card, "☐ 消防通道畅通")
    assert "需要巡查轨迹" in await refused(officer, card, card.callback_data("✅ 完成"))

    shared = await officer.send_live_location(*WALK[0])
    assert "正在记录巡查轨迹" in ((await officer.next_message()).text or "")
    for count, (latitude, longitude) in enumerate(WALK[1:], 2):
        clock(timedelta(minutes=2))
        shared = await officer.move_live_location(shared, latitude, longitude)
        assert await eventually(lambda n=count: _have(bot_app, n), within=30)
    await officer.expect_silence()  # the walk's edits are kept without a word

    ask = await choose(officer, card, "✅ 完成")
    assert "小结" in (ask.text or "")
    finished = await officer.ask("沿主路巡查一遍，未见异常")
    assert "已按期完成" in (finished.text or "")
    assert "巡查轨迹：890 米，用时 8 分钟" in (finished.text or "")

    lead = emulator.user(LEAD, "社区张")
    patrol_map = await lead.ask("/map JN01-1 patrol")  # the word in either language
    assert patrol_map.photo
    assert "巡查轨迹：1 条" in (patrol_map.caption or "")
    assert "平均 18%" in (patrol_map.caption or "")
    plain_map = await lead.ask("/map JN01-1")
    assert "巡查" not in (plain_map.caption or "")
    stats = await lead.ask("/duties stats")
    assert "幸福社区第一网格：应完成 1，按期 1" in (stats.text or "")
    assert "幸福社区第一网格：巡查发现 0，居民上报 0，巡查覆盖率 18%" in (stats.text or "")


async def _have(app: App, count: int) -> bool:
    return await points(app) >= count


async def test_a_live_location_in_another_conversation_is_left_to_it(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    """No duty started and a report under way: the live location is the report's place; the
    find counts as found by patrol in /stats."""
    await street(emulator, bot_app)
    officer = emulator.user(OFFICER, "李网格")
    await officer.ask("/patrol")
    categories = await officer.next_message()
    question = await step(officer, categories, "🧹 市容环境")
    await step(officer, question, "乱张贴小广告")
    photos = await officer.ask("电线杆上贴满小广告")
    await choose(officer, photos, "跳过，没有照片")
    await officer.send_live_location(*WALK[2])
    summary = await officer.next_message()
    assert "🚶 巡查发现" in (summary.text or "")
    assert await points(bot_app) == 0
    await choose(officer, summary, "✅ 提交")
    lead = emulator.user(LEAD, "社区张")
    await lead.send("/stats")  # this month: patrol finds against resident reports too
    patrols = await said(lead, "巡查发现与居民上报")
    assert "幸福社区第一网格：巡查发现 1，居民上报 0，巡查覆盖率 0%" in (patrols.text or "")


async def test_queued_moves_keep_the_times_telegram_gave_them(
    emulator: TelegramEmulator, bot_app: App, clock: Callable[[timedelta], datetime]
) -> None:
    """A backlog of live-location edits (the bot was down while the officer walked) arrives at
    once: each point keeps its edit's date, so the walk is whole and its duration true."""
    clock(next_thursday() + timedelta(hours=2) - utcnow())
    watch = await street(emulator, bot_app)
    officer = emulator.user(OFFICER, "李网格")
    assert await watch.tick() == 1
    await said(officer, "新的例行任务")
    listed = await officer.ask("/duties")
    card = await choose(officer, listed, listed.buttons[0][0])
    await tick(officer, card, "☐ 消防通道畅通")
    shared = await officer.send_live_location(*WALK[0])
    assert "正在记录巡查轨迹" in ((await officer.next_message()).text or "")
    started = int(shared["date"])
    for minutes, (latitude, longitude) in enumerate(WALK[1:], 1):
        edit_date = started + 120 * minutes  # two minutes apart, all delivered now
        shared = await officer.move_live_location(shared, latitude, longitude, edit_date)
    assert await eventually(lambda: _have(bot_app, len(WALK)), within=30)
    async with bot_app.database.sessions() as session:
        times = (await session.scalars(select(DutyTrackPoint.at).order_by(DutyTrackPoint.at))).all()
    assert [int(at.timestamp()) - started for at in times] == [0, 120, 240, 360, 480]

    await choose(officer, card, "✅ 完成")
    finished = await officer.ask("沿主路巡查一遍，未见异常")
    assert "巡查轨迹：890 米，用时 8 分钟" in (finished.text or "")


async def test_a_community_without_grids_has_no_coverage_to_show(
    emulator: TelegramEmulator, bot_app: App, tmp_path: Path
) -> None:
    """Nothing to measure is no data: the patrol map of a community without grids says "—"
    for the grids' average coverage, not 0 %."""
    await street(emulator, bot_app)
    square = [[104.04, 30.62], [104.05, 30.62], [104.05, 30.63], [104.04, 30.63], [104.04, 30.62]]
    new = {"code": "JN13", "name": "新建社区", "level": "community", "parent": "JN"}
    feature = {"type": "Feature", "properties": new}
    feature["geometry"] = {"type": "Polygon", "coordinates": [square]}
    path = tmp_path / "new.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    await import_file(bot_app.database, path)
    admin = emulator.user(ADMIN, "街道管理员")
    await said(admin, "已导入 1 项例行任务")  # what `street` asked
    patrol_map = await admin.ask("/map JN13 patrol")
    assert patrol_map.photo
    assert "巡查轨迹：0 条" in (patrol_map.caption or "")
    assert "平均 —" in (patrol_map.caption or "")
