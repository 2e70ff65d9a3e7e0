"""Dog management through the real bot: an owner registers a dog step by step, the community's
staff approve it or return it with a reason, forged reviews are refused, and the owner keeps the
dog up to date (a newer vaccination, lost)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.admin_cli import DEMO_FILE
from app.wiring import App
from bot.config import Settings
from bot.dogs import registry
from bot.dogs.registry import Action
from bot.dogs.reminders import queue_reminders
from bot.people import staff
from bot.places.areas import import_file
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.client import BotMessage, TestUser
from sandbox.emulator.files import make_image
from storage.models import Area, Dog, DogEvent, DogStatus, Person, Role
from storage.types import utcnow
from tests.conftest import StartBot, reset_postgres
from tests.storage.dog_street import details

IN_JN01_1 = (30.605, 104.0025)  # inside 幸福社区第一网格
LAST_SPRING = (date.today() - timedelta(days=100)).isoformat()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def street(
    request: pytest.FixtureRequest,
    make_settings: Callable[..., Settings],
    checked_bot: StartBot,
) -> AsyncIterator[App]:
    """The demo street: two officers of JN01-1, the lead of JN01, an officer and a lead of
    another community, and an admin (900001); after the test, the promises of
    tests/invariants.py, as `bot_app` checks them."""
    settings = make_settings()
    if request.param == "postgres":
        settings = make_settings(database_url=await reset_postgres())
    async with checked_bot(settings) as app:
        await import_file(app.database, DEMO_FILE)
        await staff.appoint(app.database, 8201, Role.OFFICER, "JN01-1")
        await staff.appoint(app.database, 8202, Role.OFFICER, "JN01-1")
        await staff.appoint(app.database, 8203, Role.LEAD, "JN01")
        await staff.appoint(app.database, 8205, Role.OFFICER, "JN05-1")
        await staff.appoint(app.database, 8206, Role.LEAD, "JN05")
        yield app


async def register_dog(owner: TestUser, *, name: str = "旺财", breed: str = "柯基") -> BotMessage:
    """From /mydogs to the confirmation; returns the bot's "submitted"."""
    listing = await owner.ask("/mydogs")
    if listing.buttons == [["➕ 登记新犬只"]]:  # no dog yet
        assert listing.text == "您还没有登记犬只。养犬请先登记，并按时接种狂犬疫苗。"
    await owner.press(listing, "➕ 登记新犬只")
    assert "犬只登记" in ((await owner.next_message()).text or "")
    assert "名字" in ((await owner.next_message()).text or "")
    breeds = await owner.ask(name)
    listed = any(breed in row for row in breeds.buttons)
    await (owner.press(breeds, breed) if listed else owner.send(breed))
    assert "毛色" in ((await owner.next_message()).text or "")
    size = await owner.ask("黄白")
    sex = await choose(owner, size, "小型犬")
    photo_prompt = await choose(owner, sex, "公")
    assert "照片" in (photo_prompt.text or "")
    await owner.send_photo(make_image(color=(200, 150, 50)))
    when = await owner.next_message()
    certificate = await owner.ask(LAST_SPRING)
    assert "免疫证" in (certificate.text or "")
    await owner.send("CD-2026-00123")
    place = await owner.next_message()
    assert place.keyboard  # the location button
    await owner.next_message()  # the communities
    await owner.send_location(*IN_JN01_1)
    assert "网格" in ((await owner.next_message()).text or "")
    summary = await owner.next_message()
    assert summary.photo is not None
    assert name in (summary.caption or "")
    assert when.text
    return await choose(owner, summary, "✅ 提交审核")


async def edited(
    emulator: TelegramEmulator,
    user: TestUser,
    message: BotMessage,
    ready: Callable[[BotMessage], bool],
) -> BotMessage:
    """The message as the bot edited it, once `ready` holds."""

    def current() -> BotMessage | None:
        now = BotMessage(user.chat.messages[message.message_id])
        return now if ready(now) else None

    return await emulator.wait_for(current, 5)


async def choose(user: TestUser, message: BotMessage, button: str) -> BotMessage:
    await user.press(message, button)
    return await user.next_message()


async def dogs(app: App) -> list[Dog]:
    async with app.database.sessions() as session:
        return list((await session.scalars(select(Dog).order_by(Dog.id))).all())


async def test_an_owner_registers_a_dog_and_the_communitys_staff_approve_it(
    emulator: TelegramEmulator, street: App
) -> None:
    owner = emulator.user(8301, "养犬人")
    first, second = emulator.user(8201, "李网格"), emulator.user(8202, "王网格")
    lead, far_lead = emulator.user(8203, "社区张"), emulator.user(8206, "外社区")
    done = await register_dog(owner)
    assert "已提交" in (done.text or "")
    [dog] = await dogs(street)
    assert dog.status == DogStatus.PENDING
    assert dog.number is None
    cards = {who.id: await who.next_message() for who in (first, second, lead)}
    card = cards[8203]
    assert card.photo is not None
    caption = card.caption or ""
    assert "旺财" in caption
    assert "柯基" in caption
    assert "幸福社区" in caption
    assert "养犬人" in caption  # the community's staff see the owner
    assert card.buttons == [["✅ 通过", "↩️ 退回"]]
    await far_lead.expect_silence(0.2)

    # someone else's community and a resident forge the approval: refused, nothing changes
    for intruder in (far_lead, emulator.user(8302, "邻居"), owner):
        query = await intruder.press_data(card, card.callback_data("✅ 通过"))
        assert "不能" in (await intruder.callback_answer(query))["text"]
    assert (await dogs(street))[0].status == DogStatus.PENDING

    query = await first.press(cards[8201], "✅ 通过")
    assert (await first.callback_answer(query))["text"] == "已通过登记。"
    told = await owner.next_message()
    assert "JN-D000001" in (told.text or "")
    [dog] = await dogs(street)
    assert dog.status == DogStatus.APPROVED
    assert dog.number == "JN-D000001"
    late = await lead.press(card, "✅ 通过")  # a second reviewer, too late
    assert "已经有人处理" in (await lead.callback_answer(late))["text"]


async def test_staff_return_a_dog_with_a_reason_and_the_owner_sends_it_again(
    emulator: TelegramEmulator, street: App
) -> None:
    owner, lead = emulator.user(8301, "养犬人"), emulator.user(8203, "社区张")
    await register_dog(owner, breed="藏獒")
    card = await lead.next_message()
    assert "限养犬种" in (card.caption or "")  # a restricted breed is flagged
    await lead.press(card, "↩️ 退回")
    card = await edited(emulator, lead, card, lambda m: ["照片看不清犬只"] in m.buttons)
    query = await lead.press(card, "照片看不清犬只")
    assert (await lead.callback_answer(query))["text"] == "已退回犬主。"
    told = await owner.next_message()
    assert "照片看不清犬只" in (told.text or "")
    [dog] = await dogs(street)
    assert dog.status == DogStatus.RETURNED
    assert dog.return_reason == "photo"

    await owner.press(told, "✏️ 修改后重新提交")
    await owner.next_message()  # the intro
    assert "名字" in ((await owner.next_message()).text or "")
    breeds = await owner.ask("旺财")
    colour = await choose(owner, breeds, "柯基")
    assert colour.text
    size = await owner.ask("黄白")
    sex = await choose(owner, size, "小型犬")
    await choose(owner, sex, "公")
    await owner.send_photo(make_image(color=(10, 150, 50)))
    await owner.next_message()
    await owner.ask(LAST_SPRING)
    await owner.send("CD-2026-00123")
    await owner.next_messages(2)
    await owner.send_location(*IN_JN01_1)
    await owner.next_message()
    summary = await owner.next_message()
    await choose(owner, summary, "✅ 提交审核")
    [dog] = await dogs(street)
    assert dog.status == DogStatus.PENDING
    assert not dog.restricted
    card = await lead.next_message()
    assert "限养" not in (card.caption or "")
    async with street.database.sessions() as session:
        actions = list(await session.scalars(select(DogEvent.action).order_by(DogEvent.id)))
    assert actions == ["register", "return", "resubmit"]


async def test_bad_input_at_each_step_gets_a_clear_answer_and_back_and_cancel_work(
    emulator: TelegramEmulator, street: App
) -> None:
    owner = emulator.user(8301, "养犬人")
    listing = await owner.ask("/mydogs")
    await owner.press(listing, "➕ 登记新犬只")
    await owner.next_messages(2)
    assert "20" in ((await owner.ask("长" * 21)).text or "")  # too long
    breeds = await owner.ask("旺财")
    assert "没有识别出这个品种" in ((await owner.ask("123!!")).text or "")
    colour = await owner.ask("西伯利亚 雪橇犬")  # a breed of the owner's words
    assert "毛色" in (colour.text or "")
    breeds = await choose(owner, colour, "⬅️ 上一步")  # back to the breed
    assert "品种" in (breeds.text or "")
    colour = await choose(owner, breeds, "柯基")
    size = await owner.ask("黄")
    await owner.send("大")  # typed where buttons are asked
    assert "按钮" in ((await owner.next_message()).text or "")
    sex = await choose(owner, size, "中型犬")
    photo = await choose(owner, sex, "母")
    await owner.send_document(b"%PDF-1.4 not an image", "dog.pdf", "application/pdf")
    assert "只能保存照片" in ((await owner.next_message()).text or "")
    await owner.send_document(b"not really a png", "dog.png", "image/png")
    assert "只能保存照片" in ((await owner.next_message()).text or "")
    assert photo.text
    await owner.send_photo(make_image())
    await owner.next_message()
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    assert "不能晚于今天" in ((await owner.ask(tomorrow)).text or "")
    assert "没看懂" in ((await owner.ask("上个月")).text or "")
    certificate = await owner.ask(LAST_SPRING)
    assert "免疫证" in (certificate.text or "")
    assert "至少有一位数字" in ((await owner.ask("ABCDEF")).text or "")
    await owner.send("CD1")
    assert "4–32" in ((await owner.next_message()).text or "")
    cancelled = await owner.ask("/cancel")
    assert "已取消" in (cancelled.text or "")
    assert await dogs(street) == []


async def test_the_owner_updates_the_vaccination_and_reports_the_dog_lost(
    emulator: TelegramEmulator, street: App
) -> None:
    owner, first = emulator.user(8301, "养犬人"), emulator.user(8201, "李网格")
    await register_dog(owner)
    await first.press(await first.next_message(), "✅ 通过")
    await owner.next_message()
    listing = await owner.ask("/mydogs")
    page = await choose(owner, listing, "🐕 旺财 · 已登记")
    assert page.photo is not None
    assert "JN-D000001" in (page.caption or "")
    assert "养犬人" not in (page.caption or "")
    assert page.buttons == [["💉 更新疫苗接种"], ["走失了"], ["已死亡"], ["已送养"]]
    ask = await choose(owner, page, "💉 更新疫苗接种")
    assert "接种日期" in (ask.text or "")
    assert "晚于已登记" not in ((await owner.ask(date.today().isoformat())).text or "")
    assert "照片" in ((await owner.ask("CD-2027-00001")).text or "")
    await owner.send_photo(make_image(color=(9, 90, 9)))
    assert "交给社区核对" in ((await owner.next_message()).text or "")
    claim = await first.next_message()
    await first.press(claim, "✅ 核对无误")
    assert "已核对" in ((await owner.next_message(timeout=10)).text or "")
    sure = await choose(owner, page, "走失了")
    assert "走失了吗" in (sure.text or "")
    done = await choose(owner, sure, "确认")
    assert "走失" in (done.text or "")
    [dog] = await dogs(street)
    assert dog.status == DogStatus.LOST
    assert dog.vaccinated_on == date.today()
    # someone else presses the owner's buttons: refused
    neighbour = emulator.user(8302, "邻居")
    query = await neighbour.press_data(page, page.callback_data("已死亡"))
    assert "没有找到" in (await neighbour.callback_answer(query))["text"]
    query = await neighbour.press_data(listing, listing.callback_data("🐕 旺财 · 已登记"))
    assert "没有找到" in (await neighbour.callback_answer(query))["text"]
    async with street.database.sessions() as session:
        actions = list(await session.scalars(select(DogEvent.action).order_by(DogEvent.id)))
    assert actions == ["register", "approve", "vaccinate", "confirm_vaccination", "lost"]


async def test_the_form_survives_a_restart(
    emulator: TelegramEmulator, make_settings: Callable[..., Settings], checked_bot: StartBot
) -> None:
    settings = make_settings()
    owner = emulator.user(8301, "养犬人")
    async with checked_bot(settings) as app:
        await import_file(app.database, DEMO_FILE)
        listing = await owner.ask("/mydogs")
        await owner.press(listing, "➕ 登记新犬只")
        await owner.next_messages(2)
        breeds = await owner.ask("旺财")
    async with checked_bot(settings) as app:
        await choose(owner, breeds, "柯基")  # a button of the first process's message
        size = await owner.ask("黑")
        assert size.buttons[0] == ["小型犬", "中型犬", "大型犬"]
        sex = await choose(owner, size, "大型犬")
        back = await choose(owner, sex, "⬅️ 上一步")
        assert "体型" in (back.text or "")
        cancelled = await choose(owner, back, "✖ 取消")
        assert "已取消" in (cancelled.text or "")
        assert await dogs(app) == []


async def test_staff_read_and_export_their_register_and_owners_get_lapse_reminders(
    emulator: TelegramEmulator, street: App
) -> None:
    owner, lead = emulator.user(8301, "养犬人"), emulator.user(8203, "社区张")
    officer, resident = emulator.user(8201, "李网格"), emulator.user(8302, "邻居")
    await owner.ask("/start")
    async with street.database.sessions() as session:
        person = await session.scalar(select(Person).where(Person.tg_id == 8301))
        grid = await session.scalar(select(Area).where(Area.code == "JN01-1"))
        reviewer = await session.scalar(select(Person).where(Person.tg_id == 8203))
    assert person is not None
    assert grid is not None
    assert reviewer is not None
    given = date.today() - timedelta(days=340)  # lapses in 25 or 26 days
    photo = emulator.files.add_photo(make_image())[-1]
    for index in range(12):
        form = details(grid.id, given, f"狗{index}")
        form.photo_file_id, form.photo_unique_id = photo.file_id, photo.file_unique_id
        outcome = await registry.register(street.database, person, form, restricted=False)
        await registry.act(street.database, outcome.dog.id, Action.APPROVE, reviewer)

    listing = await lead.ask("/dogs")
    assert "犬只登记册（共 12 只）" in (listing.text or "")
    assert "幸福社区：已登记 12 只，疫苗过期 0 只" in (listing.text or "")
    assert listing.buttons[-1] == ["1/2", "▶"]
    await lead.press(listing, "▶")
    second = await edited(emulator, lead, listing, lambda m: m.buttons[-1] == ["◀", "2/2"])
    await lead.press(second, second.buttons[0][0])
    page = await lead.next_message()
    assert "养犬人" in (page.caption or "")  # staff of the community see the owner
    assert "没有权限" in ((await resident.ask("/dogs")).text or "")
    assert "没有权限" in ((await officer.ask("/dogexport")).text or "")
    sheet = await lead.ask("/dogexport")
    assert sheet.document is not None
    assert "共 12 只" in (sheet.caption or "")

    queued = await queue_reminders(
        street.database, street.catalogue, street.settings.tz, utcnow() + timedelta(days=20)
    )
    assert queued == 12
    reminder = await owner.next_message(timeout=10)
    assert "还有 7 天" in (reminder.text or "")
    assert (
        await queue_reminders(
            street.database, street.catalogue, street.settings.tz, utcnow() + timedelta(days=20)
        )
        == 0
    )
