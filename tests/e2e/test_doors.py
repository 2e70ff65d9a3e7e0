"""Doors into the bot: a case's link lets anyone follow it (seeing only its public view), and a
grid's poster (a PNG with a QR code) starts a report whose grid and category are known."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from app.admin_cli import DEMO_FILE
from app.wiring import App
from bot.cases.lifecycle import Action
from bot.config import Settings
from bot.people import staff
from bot.places.areas import import_file
from bot.reports import posters
from handlers.common.callbacks import CaseFollow, PosterMake
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.client import BotMessage, TestUser
from sandbox.emulator.files import make_image
from storage.models import Area, CaseFollower, CaseStatus, Category, Person, Role
from tests.conftest import StartBot
from tests.e2e.flows import FIRE, FIRE_EXIT, all_cases, choose, file_report, step

IN_JN01_1 = (30.605, 104.0025)  # inside 幸福社区第一网格
BOT = "test_minqing_bot"
NOT_ALLOWED = "抱歉，您没有权限进行这个操作。"
PRIVATE = "张三家楼道，电话 13812345678"


@pytest.fixture
async def street(
    make_settings: Callable[..., Settings], checked_bot: StartBot
) -> AsyncIterator[App]:
    """The demo street: officers of JN01-1 and JN05-1, the lead of JN01; the invariants after."""
    async with checked_bot(make_settings()) as app:
        await import_file(app.database, DEMO_FILE)
        await staff.appoint(app.database, 8601, Role.OFFICER, "JN01-1")
        await staff.appoint(app.database, 8602, Role.LEAD, "JN01")
        await staff.appoint(app.database, 8603, Role.OFFICER, "JN05-1")
        yield app


async def _area(app: App, code: str) -> Area:
    async with app.database.sessions() as session:
        area = await session.scalar(select(Area).where(Area.code == code))
    assert area is not None
    return area


async def _person(app: App, tg_id: int) -> Person:
    async with app.database.sessions() as session:
        person = await session.scalar(select(Person).where(Person.tg_id == tg_id))
    assert person is not None
    return person


async def _fire(app: App) -> Category:
    async with app.database.sessions() as session:
        category = await session.scalar(select(Category).where(Category.code == "fire"))
    assert category is not None
    return category


async def _card(officer: TestUser) -> BotMessage:
    while True:
        message = await officer.next_message()
        if message.buttons:
            return message


async def test_a_case_link_lets_a_neighbour_follow_it_and_hear_its_news(
    emulator: TelegramEmulator, street: App
) -> None:
    reporter, neighbour = emulator.user(8701, "甲"), emulator.user(8702, "乙")
    officer = emulator.user(8601, "网格员")
    confirmation = await file_report(reporter, text=PRIVATE, place=IN_JN01_1)
    link = f"https://t.me/{BOT}?start=c_JN-000001"
    assert link in (confirmation.text or "")  # the reporter's "share this case", in one line
    await _card(officer)

    offer = await neighbour.ask("/start c_JN-000001")
    text = offer.text or ""
    for public in ("JN-000001", "火灾隐患", "幸福社区第一网格", "待受理"):
        assert public in text, public
    for private in ("张三", "13812345678", "甲"):
        assert private not in text, private
    assert offer.photo is None
    assert offer.buttons == [["👁 关注此案件"]]
    await neighbour.press(offer, "👁 关注此案件")
    await emulator.wait_for(lambda: "您已关注案件" in (offer.text or ""), 5)
    assert offer.buttons == []  # edited in place: no new message, no second press
    async with street.database.sessions() as session:
        followers = (await session.scalars(select(CaseFollower.person_id))).all()
    assert followers == [(await _person(street, 8702)).id]

    again = await neighbour.ask("/start c_JN-000001")
    assert "您已关注此案件" in (again.text or "")
    assert again.buttons == []
    own = await reporter.ask("/start c_JN-000001")
    assert "这是您自己反映的案件" in (own.text or "")

    [case] = await all_cases(street)
    await street.desk.act(case.id, Action.ACCEPT, await _person(street, 8601))
    news = await neighbour.next_message()
    assert "JN-000001" in (news.text or "")
    assert "受理" in (news.text or "")

    listing = await neighbour.ask("/mycases")
    assert listing.buttons[0][0].startswith("👁 JN-000001")
    details = await choose(neighbour, listing, listing.buttons[0][0])
    assert ["📤 分享此案件"] in details.buttons
    share = details.record["reply_markup"]["inline_keyboard"]
    [url] = [b["url"] for row in share for b in row if "url" in b]
    assert url.startswith("https://t.me/share/url?")
    assert "start%3Dc_JN-000001" in url
    staff_view = await officer.ask("/case 1")
    assert link in (staff_view.text or "")


async def test_unknown_draft_and_forged_links_get_a_polite_answer(
    emulator: TelegramEmulator, street: App
) -> None:
    resident, stranger = emulator.user(8711, "丙"), emulator.user(8712, "丁")
    unknown = "这个链接没有对应的案件"
    for payload in ("c_JN-000042", "c_JN-1", "c_' OR 1=1 --", "c_"):
        answer = await stranger.ask(f"/start {payload}")
        assert unknown in (answer.text or ""), payload
        assert answer.buttons == []
    draft = await resident.ask("/report")  # a draft: it has no number, no link reaches it
    assert draft.buttons
    [case] = await all_cases(street)
    assert case.status == CaseStatus.DRAFT
    forged = await stranger.press_data(draft.message_id, CaseFollow(case_id=case.id).pack())
    refusal = await stranger.callback_answer(forged)
    assert refusal["text"] == "找不到这个案件。"
    async with street.database.sessions() as session:
        assert (await session.scalars(select(CaseFollower))).all() == []

    odd = await stranger.ask("/start something_else")
    assert "这个链接无法识别" in (odd.text or "")
    assert "您好" in (odd.text or "")
    gone = await stranger.ask("/start p_999999_1")
    assert "这张海报的二维码已失效" in (gone.text or "")
    street_area = await _area(street, "JN01")  # a community, not a grid
    not_grid = await stranger.ask(f"/start {posters.payload(street_area.id)}")
    assert "这张海报的二维码已失效" in (not_grid.text or "")


async def test_a_lead_gets_posters_of_their_community_only(
    emulator: TelegramEmulator, street: App
) -> None:
    lead = emulator.user(8602, "社区张")
    refused = await lead.ask("/poster JN05-1")
    assert refused.text == NOT_ALLOWED
    assert refused.document is None
    other = await _area(street, "JN05-1")
    forged = await lead.press_data(refused.message_id, PosterMake(grid_id=other.id).pack())
    assert (await lead.callback_answer(forged))["text"] == NOT_ALLOWED
    community = await lead.ask("/poster JN01")
    assert "不是网格" in (community.text or "")
    unknown = await lead.ask("/poster JN01-1 nonsense")
    assert "没有找到类别" in (unknown.text or "")

    own = await lead.ask("/poster JN01-1")
    assert own.document is not None
    assert own.document["file_name"] == "poster-JN01-1.png"
    grid = await _area(street, "JN01-1")
    assert posters.link(BOT, grid.id) in (own.caption or "")
    assert ["🖨 火灾隐患", "🖨 犬只问题"] in own.buttons  # a topic poster per category
    await lead.press(own, "🖨 火灾隐患")
    topic = await lead.next_message()
    fire = await _fire(street)
    assert topic.document is not None
    assert posters.link(BOT, grid.id, fire.id) in (topic.caption or "")
    officer = emulator.user(8601, "网格员")
    assert (await officer.ask("/poster JN01-1")).text == NOT_ALLOWED


def _qr_link(emulator: TelegramEmulator, message: BotMessage) -> str:
    """The poster is a PNG of A4 proportions whose QR code reads back as one link."""
    assert message.document is not None
    stored = emulator.files.get(message.document["file_id"])
    assert stored is not None
    assert stored.data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(stored.data))
    assert image.format == "PNG"
    assert image.size == (1240, 1754)
    [code] = zxingcpp.read_barcodes(image.convert("RGB"))
    return code.text


DESCRIPTION = "楼道里堆满了纸箱，消防通道被堵住了"


async def _photo_then_place(user: TestUser) -> BotMessage:
    """One photo, "done"; returns the place question."""
    await user.send_photo(make_image(color=(9, 9, 9)))
    await user.press(await user.next_message(), "✅ 完成")
    return await user.next_message()


async def _usual_report(user: TestUser) -> list[str]:
    """/report up to its summary, as every resident files it; returns the questions asked."""
    message = await user.ask("/report")
    asked = [message.text or ""]
    for button in (FIRE, FIRE_EXIT):
        await step(user, message, button)
        asked.append(message.text or "")
    asked.append((await user.ask(DESCRIPTION)).text or "")
    asked.append((await _photo_then_place(user)).text or "")
    await user.send_location(*IN_JN01_1)
    assert "请核对" in ((await user.next_message()).text or "")
    return asked


async def test_an_admins_poster_starts_a_report_with_its_grid_and_category(
    emulator: TelegramEmulator, street: App
) -> None:
    admin = emulator.user(900001, "管理员")
    poster = await admin.ask("/poster 幸福社区第一网格 火灾隐患")
    link = _qr_link(emulator, poster)
    grid, fire = await _area(street, "JN01-1"), await _fire(street)
    assert link == posters.link(BOT, grid.id, fire.id)
    assert link in (poster.caption or "")

    usual, scanner = emulator.user(8721, "常规"), emulator.user(8722, "扫码")
    officer = emulator.user(8601, "网格员")
    asked_usually = await _usual_report(usual)
    question = await scanner.ask(f"/start {link.split('start=', 1)[1]}")
    asked = [question.text or ""]
    assert "火灾隐患" in asked[0]  # the category is known: its quick question comes first
    await step(scanner, question, FIRE_EXIT)
    asked.append(question.text or "")
    asked.append((await scanner.ask(DESCRIPTION)).text or "")
    where = await _photo_then_place(scanner)
    asked.append(where.text or "")
    assert "幸福社区第一网格" in (where.text or "")
    assert ["⏭ 就在海报所在网格"] in where.keyboard
    await scanner.send("⏭ 就在海报所在网格")  # no location, no community question
    summary = await scanner.next_message()
    assert "请核对" in (summary.text or "")
    assert "幸福社区第一网格" in (summary.text or "")
    assert "请选择问题类型" in asked_usually[0]
    assert not any("请选择问题类型" in text or "所在的社区" in text for text in asked)
    assert len(asked) == len(asked_usually) - 1
    assert len(scanner.chat.sent) <= len(usual.chat.sent)  # and no more messages
    done = await choose(scanner, summary, "✅ 提交")
    assert "JN-" in (done.text or "")
    case = (await all_cases(street))[-1]
    assert (case.area_id, case.category_id, case.latitude) == (grid.id, fire.id, None)
    assert case.status == CaseStatus.NEW
    card = await _card(officer)  # routed by the poster's grid to its officer
    assert case.number in (card.text or "")


async def test_a_poster_report_sent_from_outside_the_street_keeps_the_posters_grid(
    emulator: TelegramEmulator, street: App
) -> None:
    grid = await _area(street, "JN01-1")
    resident = emulator.user(8731, "戊")
    first = await resident.ask(f"/start {posters.payload(grid.id)}")
    assert "请选择问题类型" in (first.text or "")  # no category on this poster: it is asked
    await step(resident, first, "🔥 火灾隐患")
    await step(resident, first, FIRE_EXIT)
    photos = await resident.ask("纸箱堵住了楼道")
    assert "照片" in (photos.text or "")
    await resident.press(photos, "跳过，没有照片")
    where = await resident.next_message()
    assert "幸福社区第一网格" in (where.text or "")
    await resident.send_location(39.9, 116.4)  # Beijing: outside the street
    told = await resident.next_message()
    assert "已按海报所在的" in (told.text or "")
    summary = await resident.next_message()
    assert "请选择问题所在的社区" not in (summary.text or "")
    assert "幸福社区第一网格" in (summary.text or "")
    await choose(resident, summary, "✅ 提交")
    case = (await all_cases(street))[-1]
    assert (case.area_id, case.latitude) == (grid.id, None)
    assert case.answers  # the quick question was asked and answered
