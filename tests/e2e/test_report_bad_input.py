"""Bad input and abuse during a report: each gets a clear, polite answer and nothing is lost."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select, update

from app.wiring import App
from bot.config import Settings
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.client import BotMessage, TestUser
from sandbox.emulator.files import make_image
from storage.models import Area, AreaLevel, CaseMedia, CaseStatus, Person
from tests.conftest import StartBot
from tests.e2e.flows import FIRE, FIRE_EXIT, all_cases, choose, file_report, fill_report, step
from tests.helpers import sqlite_locked


async def at_description(user: TestUser) -> BotMessage:
    message = await user.ask("/report")
    await step(user, message, FIRE)
    return await step(user, message, FIRE_EXIT)


async def at_photos(user: TestUser) -> BotMessage:
    await at_description(user)
    return await user.ask("楼道被纸箱堵住了")


async def test_description_too_long_or_too_short(emulator: TelegramEmulator, bot_app: App) -> None:
    user = emulator.user(6001, "甲")
    await at_description(user)
    too_long = await user.ask("堵" * 1001)
    assert too_long.text == "描述太长了（1001 字），请精简到 1000 字以内再发送。"
    assert (await user.ask("堵")).text == "请多写几个字，让网格员看得明白。"
    [draft] = await all_cases(bot_app)
    assert draft.description == ""
    photos = await user.ask("堵" * 1000)  # exactly the limit is fine
    assert "现场照片" in (photos.text or "")


async def test_a_sticker_or_a_forward_instead_of_words(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    user = emulator.user(6002, "乙")
    neighbour = emulator.user(6003, "丙")
    await at_description(user)
    await user.send_sticker()
    assert (await user.next_message()).text == "请用文字描述问题。"
    await user.send("楼道被堵了", forwarded_from=neighbour)
    assert "请不要转发消息" in ((await user.next_message()).text or "")
    [draft] = await all_cases(bot_app)
    assert draft.description == ""


async def test_words_where_photos_are_asked_are_told_to_send_a_photo(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    """Not "use the buttons above": the step wants photos, and says so."""
    user = emulator.user(6010, "戊")
    await at_photos(user)
    hint = (await user.ask("照片等会儿发")).text
    assert hint == "请发送现场照片（📎）；没有照片请点上方“跳过，没有照片”，发完请点“✅ 完成”。"


async def test_at_most_five_photos(emulator: TelegramEmulator, bot_app: App) -> None:
    user = emulator.user(6004, "丁")
    await at_photos(user)
    await user.send_album([make_image(color=(i, i, i)) for i in range(5)])
    await user.next_message()
    await user.send_photo(make_image(color=(99, 0, 0)))
    refusal = await user.next_message()
    assert refusal.text == "最多只能上传 5 张照片，这张没有保存。"
    await user.send_photo(make_image(color=(1, 1, 1)))  # the same photo again is not counted
    [draft] = await all_cases(bot_app)
    async with bot_app.database.sessions() as session:
        count = await session.scalar(select(func.count()).where(CaseMedia.case_id == draft.id))
    assert count == 5


async def test_videos_voice_pdfs_and_huge_files_are_refused(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    user = emulator.user(6005, "戊")
    await at_photos(user)
    photos_only = "这里只能保存照片：可以发送照片、一次发多张，或以文件形式发送图片。视频、语音、音频和 PDF 无法保存。"
    await user.send_video()
    assert (await user.next_message()).text == photos_only
    await user.send_voice()
    assert (await user.next_message()).text == photos_only
    await user.send_document(b"%PDF-1.4 report", "report.pdf", "application/pdf")
    assert (await user.next_message()).text == photos_only
    await user.send_document(b"\xff\xd8" + b"0" * (20 * 1024 * 1024), "big.jpg", "image/jpeg")
    assert "超过 20 MB" in ((await user.next_message()).text or "")
    # A name and a type that say image, bytes that are a program: refused, nothing kept.
    await user.send_document(b"MZ\x90\x00" + b"\x00" * 200, "photo.jpg.exe", "image/jpeg")
    assert (await user.next_message()).text == photos_only
    async with bot_app.database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(CaseMedia)) == 0
    await user.send_document(make_image(), "scan.png", "image/png")  # an image as a file: kept
    kept = await user.next_message()
    assert "已收到 1 张照片" in (kept.text or "")


async def test_a_place_outside_every_area(emulator: TelegramEmulator, bot_app: App) -> None:
    await add_areas(bot_app)
    user = emulator.user(6006, "己")
    await at_photos(user)
    await user.send_photo(make_image())
    await user.press(await user.next_message(), "✅ 完成")
    await user.next_message()
    await user.send_location(20.0, 120.0)  # in the sea
    outside = await user.next_message()
    assert outside.text == "这个位置不在本街道的服务范围内。"
    assert outside.keyboard[0] == ["📍 发送我的位置"]  # the report's keyboard, not the main menu
    offer = await user.next_message()
    assert offer.text == "您可以重新发送位置，或选择问题所在的社区："
    assert offer.buttons[0] == ["幸福社区", "和平社区"]
    summary = await step(user, offer, "和平社区")
    assert "和平社区" in (summary.text or "")
    await choose(user, summary, "✅ 提交")
    [case] = await all_cases(bot_app)
    assert case.area_id is not None
    assert (case.latitude, case.longitude) == (None, None)  # the point in the sea is not kept


async def test_a_place_inside_a_grid_is_routed_to_it(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    grid_id = await add_areas(bot_app)
    user = emulator.user(6007, "庚")
    await file_report(user, place=(30.5005, 104.0005))
    [case] = await all_cases(bot_app)
    assert case.area_id == grid_id
    assert case.number == "JN-000001"  # the street's code


async def add_areas(app: App) -> int:
    def square(lat: float, lon: float, size: float) -> dict:
        ring = [
            [lon, lat],
            [lon + size, lat],
            [lon + size, lat + size],
            [lon, lat + size],
            [lon, lat],
        ]
        return {"type": "Polygon", "coordinates": [ring]}

    async with app.database.transaction() as session:
        street = Area(
            code="JN", name="江南街道", level=AreaLevel.STREET, boundary=square(30.5, 104.0, 0.02)
        )
        session.add(street)
        await session.flush()
        happy = Area(
            code="JN01",
            name="幸福社区",
            level=AreaLevel.COMMUNITY,
            parent_id=street.id,
            boundary=square(30.5, 104.0, 0.01),
        )
        peace = Area(
            code="JN02",
            name="和平社区",
            level=AreaLevel.COMMUNITY,
            parent_id=street.id,
            boundary=square(30.51, 104.0, 0.01),
        )
        session.add_all([happy, peace])
        await session.flush()
        grid = Area(
            code="JN01-1",
            name="幸福一网格",
            level=AreaLevel.GRID,
            parent_id=happy.id,
            boundary=square(30.5, 104.0, 0.005),
        )
        session.add(grid)
        await session.flush()
        return grid.id


async def test_an_old_summary_and_a_double_tap_file_one_case(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    user = emulator.user(6008, "辛")
    summary = await fill_report(user)
    submit, edit = summary.callback_data("✅ 提交"), summary.callback_data("✏️ 修改")
    first = await user.press_data(summary, submit)
    second = await user.press_data(summary, submit)  # the double tap
    done = await user.next_message()
    assert "已登记" in (done.text or "")
    answer = await user.callback_answer(second)
    assert answer["text"] == "这条反映已经提交过了（编号 MQ-000001），不会重复登记。"
    assert answer["show_alert"]
    assert await user.callback_answer(first)
    later = await user.press_data(summary, edit)  # a button of the old summary
    assert "已经提交过了" in (await user.callback_answer(later))["text"]
    assert [c.status for c in await all_cases(bot_app)] == [CaseStatus.NEW]
    await user.expect_silence()


async def test_forged_buttons_are_refused(emulator: TelegramEmulator, bot_app: App) -> None:
    owner = emulator.user(6009, "壬")
    intruder = emulator.user(6010, "癸")
    categories = await owner.ask("/report")
    [draft] = await all_cases(bot_app)
    stolen = await intruder.press_data(categories, f"v1rc:{draft.id}:1")
    assert (await intruder.callback_answer(stolen))["text"] == "这个按钮已经失效，请重新打开菜单。"
    bogus = await owner.press_data(categories, f"v1rc:{draft.id}:999")
    assert (await owner.callback_answer(bogus))["text"] == "这个选项不可用，请从按钮中选择。"
    question = await step(owner, categories, FIRE)
    made_up = await owner.press_data(question, f"v1ra:{draft.id}:kind:explode")
    assert (await owner.callback_answer(made_up))["text"] == "这个选项不可用，请从按钮中选择。"
    [draft] = await all_cases(bot_app)
    assert draft.answers == {}


async def test_too_many_reports_in_an_hour(
    emulator: TelegramEmulator, make_settings: Callable[..., Settings], checked_bot: StartBot
) -> None:
    async with checked_bot(make_settings(reports_per_hour=2)) as app:
        user = emulator.user(6011, "子")
        for _ in range(2):
            await file_report(user, place=None)
        refusal = await user.ask("/report")
        assert refusal.text is not None
        assert refusal.text.startswith("您一小时内已经提交了 2 条反映，请在 ")
        assert len(await all_cases(app)) == 2


async def test_a_banned_resident_cannot_report(emulator: TelegramEmulator, bot_app: App) -> None:
    user = emulator.user(6012, "丑")
    await user.ask("/start")
    async with bot_app.database.transaction() as session:
        await session.execute(update(Person).where(Person.tg_id == 6012).values(banned=True))
    refusal = await user.ask("/report")
    assert "不能提交新的反映" in (refusal.text or "")
    await user.send_photo(make_image())
    assert "不能提交新的反映" in ((await user.next_message()).text or "")
    assert await all_cases(bot_app) == []


async def test_a_briefly_locked_database_loses_no_report(
    emulator: TelegramEmulator, bot_app: App, tmp_path: Path
) -> None:
    user = emulator.user(6013, "寅")
    summary = await fill_report(user)
    with sqlite_locked(tmp_path / "bot.db", seconds=1.5) as released:
        await user.press(summary, "✅ 提交")
        done = await user.next_message(timeout=10)
        assert released.is_set()
    assert "已登记" in (done.text or "")
    assert [c.status for c in await all_cases(bot_app)] == [CaseStatus.NEW]


async def test_a_failed_photo_download_never_blocks_the_report(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    bot_app.retry.backoff_s = 0.01
    user = emulator.user(6014, "卯")
    emulator.fail_next("getFile", status=500, count=bot_app.retry.attempts)
    done = await file_report(user)
    assert "已登记" in (done.text or "")
    await bot_app.media.wait()
    async with bot_app.database.sessions() as session:
        [media] = (await session.scalars(select(CaseMedia))).all()
    assert (media.sha256, media.download_attempts) == (None, 1)
    assert media.file_id  # the Telegram file id is kept
    assert await bot_app.media.download_pending() == (1, 0)  # the scheduler's retry


async def test_a_location_not_on_earth_is_refused_and_not_stored(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    user = emulator.user(6091, "坐标")
    photos = await at_photos(user)
    where = await choose(user, photos, "跳过，没有照片")
    assert "问题在哪里" in (where.text or "")
    for latitude, longitude in ((1e308, 104.06), (91.0, 104.06), (30.65, -181.0)):
        await user.send_location(latitude, longitude)
        refused = await user.next_message()
        assert refused.text == "这个位置无效。请重新发送位置，或直接输入地址。"
        [draft] = await all_cases(bot_app)
        assert (draft.latitude, draft.longitude) == (None, None)
        assert draft.status == CaseStatus.DRAFT
