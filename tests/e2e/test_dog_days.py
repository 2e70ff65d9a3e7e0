"""Immunisation days through the real bot: a lead announces one, owners get it from the outbox
with booking buttons, a full slot and a second booking are refused, owners are reminded the
day before by the clock's job, and staff mark who came, which renews the vaccination; the
figures in `/dogs stats` and the export."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import select, update

from app.wiring import App
from bot.dogs import registry
from bot.dogs.bookings import remind_bookers
from bot.dogs.registry import Action
from handlers.common.callbacks import DogBook, DogDayAct, DogDayDo
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.client import BotMessage, TestUser
from sandbox.emulator.files import make_image
from storage.models import Area, Dog, DogBooking, DogEvent, Owed, Person
from storage.types import utcnow
from tests.e2e.test_dogs import edited, street  # noqa: F401  (the fixture: the demo street and its staff)
from tests.e2e.test_export import file_bytes
from tests.storage.dog_street import details

VACCINATED = date.today() - timedelta(days=200)


async def owned_dogs(
    app: App, emulator: TelegramEmulator, owner: TestUser, names: list[str]
) -> list[Dog]:
    """Approved dogs of a resident in JN01-1, registered as the form would."""
    tg_id = owner.id
    await owner.ask("/start")
    async with app.database.sessions() as session:
        person = await session.scalar(select(Person).where(Person.tg_id == tg_id))
        grid = await session.scalar(select(Area).where(Area.code == "JN01-1"))
        lead = await session.scalar(select(Person).where(Person.tg_id == 8203))
    assert person is not None
    assert grid is not None
    assert lead is not None
    photo = emulator.files.add_photo(make_image())[-1]
    dogs = []
    for name in names:
        form = details(grid.id, VACCINATED, name)
        form.photo_file_id, form.photo_unique_id = photo.file_id, photo.file_unique_id
        outcome = await registry.register(app.database, person, form, restricted=False)
        dogs.append((await registry.act(app.database, outcome.dog.id, Action.APPROVE, lead)).dog)
    # The form's handlers would have sent what these changes owe; nothing is left for a later
    # process (or the clock) to deliver.
    async with app.database.transaction() as session:
        await session.execute(update(Owed).where(Owed.done_at.is_(None)).values(done_at=utcnow()))
    return dogs


async def alert(user: TestUser, message: BotMessage, data: str) -> str:
    return str((await user.callback_answer(await user.press_data(message, data)))["text"])


async def test_a_lead_announces_owners_book_get_reminded_and_staff_mark_who_came(
    emulator: TelegramEmulator,
    street: App,  # noqa: F811
    clock: Callable[[timedelta], datetime],
) -> None:
    lead, officer = emulator.user(8203, "社区张"), emulator.user(8201, "李网格")
    far_lead, resident = emulator.user(8206, "外社区"), emulator.user(8399, "路人")
    owner, neighbour = emulator.user(8301, "养犬人8301"), emulator.user(8302, "养犬人8302")
    wangcai, xiaohei = await owned_dogs(street, emulator, owner, ["旺财", "小黑"])
    [dahuang] = await owned_dogs(street, emulator, neighbour, ["大黄"])
    tomorrow = utcnow().astimezone(street.settings.tz).date() + timedelta(days=1)
    plan = f"{tomorrow.isoformat()} 09:00-10:00 60 1 幸福社区广场"

    # bad input, and a lead outside their community, get a clear answer
    assert "不能早于今天" in (
        (await lead.ask("/dogday 2020-01-01 09:00-10:00 60 1 广场")).text or ""
    )
    assert "名额" in (
        (await lead.ask(f"/dogday {tomorrow.isoformat()} 09:00-10:00 60 0 广场")).text or ""
    )
    assert "不能" in ((await far_lead.ask(f"/dogday JN01 {plan}")).text or "")
    await resident.ask("/start")
    await resident.send(f"/dogday {plan}")
    assert "免疫日" not in ((await resident.next_message()).text or "")

    dropped = await lead.ask(f"/dogday {plan}")
    await lead.press(dropped, "✖ 取消")
    await edited(emulator, lead, dropped, lambda m: "已取消" in (m.text or ""))
    preview = await lead.ask(f"/dogday {plan}")
    assert "幸福社区广场" in (preview.text or "")
    assert preview.buttons == [["📣 发布", "✖ 取消"]]
    day_id = DogDayAct.unpack(preview.callback_data("📣 发布")).day_id
    assert "不能" in await alert(far_lead, preview, preview.callback_data("📣 发布"))
    assert "将通知 2 人" in await alert(lead, preview, preview.callback_data("📣 发布"))
    assert "已经发布" in await alert(lead, preview, preview.callback_data("📣 发布"))

    # the outbox brings the announcement, with a button per slot
    told = await owner.next_message(timeout=10)
    assert "集中免疫日" in (told.text or "")
    assert "剩余 1/1" in (told.text or "")
    assert told.buttons == [["📅 预约 09:00-10:00"]]
    other = await neighbour.next_message(timeout=10)
    # the author follows the run as with any notice: its progress, then its report
    assert "共 2" in ((await lead.next_message(timeout=10)).text or "")
    assert "#1" in ((await lead.next_message(timeout=10)).text or "")
    await far_lead.expect_silence(0.2)

    # a resident without a dog, and a forged look at the bookings, are refused
    book_button = told.callback_data("📅 预约 09:00-10:00")
    assert "先用 /mydogs 登记" in await alert(resident, told, book_button)
    bookings = DogDayAct(day_id=day_id, action=DogDayDo.BOOKINGS).pack()
    assert "权限" in await alert(resident, told, bookings)

    # two dogs: the owner picks one; it is booked
    await owner.press(told, "📅 预约 09:00-10:00")
    pick = await owner.next_message()
    assert pick.buttons == [["🐕 旺财"], ["🐕 小黑"]]
    await owner.press(pick, "🐕 旺财")
    booked = await owner.next_message()
    assert "已为“旺财”预约" in (booked.text or "")
    slot_id = DogBook.unpack(told.callback_data("📅 预约 09:00-10:00")).slot_id
    # the same dog again: refused; the full slot: refused for the neighbour
    again = DogBook(slot_id=slot_id, dog_id=wangcai.id).pack()
    assert "不能重复预约" in await alert(owner, told, again)
    assert "约满" in await alert(neighbour, other, other.callback_data("📅 预约 09:00-10:00"))
    # someone else's dog, forged
    forged = DogBook(slot_id=slot_id, dog_id=dahuang.id).pack()
    assert "没有找到这只犬" in await alert(owner, told, forged)
    async with street.database.sessions() as session:
        assert [b.dog_id for b in (await session.scalars(select(DogBooking))).all()] == [wangcai.id]
    assert xiaohei.id

    # the clock's job reminds the owner the day before, once
    assert await remind_bookers(street.database, street.catalogue, street.settings.tz) == 1
    reminder = await owner.next_message(timeout=10)
    assert "明天" in (reminder.text or "")
    assert "旺财 09:00-10:00" in (reminder.text or "")
    assert await remind_bookers(street.database, street.catalogue, street.settings.tz) == 0

    # before the day nobody can have come; on the day the officer marks it
    listing = await officer.ask("/dogday")
    await officer.press(listing, listing.buttons[0][0])
    names = await officer.next_message()
    assert "旺财" in (names.text or "")
    came = names.callback_data("✅ 到场：旺财（09:00）")
    assert "还没到" in await alert(officer, names, came)
    clock(timedelta(days=1))
    assert "不能" in await alert(far_lead, names, came)
    await officer.press_data(names, came)
    asked = await officer.next_message()
    assert "免疫证号" in (asked.text or "")
    wrong = await officer.ask("无")  # not a certificate number: asked again
    assert "证号" in (wrong.text or "")
    assert ["⬅️ 上一步", "✖ 取消"] in wrong.buttons
    await officer.press(wrong, "✖ 取消")
    cancelled = await edited(emulator, officer, wrong, lambda m: "已取消" in (m.text or ""))
    assert not cancelled.buttons
    await officer.press_data(names, came)
    asked = await officer.next_message()
    back = await officer.press(asked, "⬅️ 上一步")  # the day's bookings again
    assert await officer.callback_answer(back) is not None
    listed = await edited(emulator, officer, asked, lambda m: "旺财" in str(m.buttons))
    await officer.press_data(listed, came)
    asked = await officer.next_message()
    done = await officer.ask("CD-2026-0999")
    assert "已登记到场" in (done.text or "")
    assert "CD-2026-0999" in (done.text or "")
    renewed = await owner.next_message(timeout=10)
    assert tomorrow.isoformat() in (renewed.text or "")
    async with street.database.sessions() as session:
        dog = await session.get(Dog, wangcai.id)
        assert dog is not None
        assert dog.vaccinated_on == tomorrow
        assert dog.certificate == "CD-2026-0999"
        event = await session.scalar(select(DogEvent).where(DogEvent.action == "immunise"))
        assert event is not None

    # the figures
    stats = await lead.ask("/dogs stats")
    assert "幸福社区：已登记 3 只" in (stats.text or "")
    assert "预约 1/1，到场 1" in (stats.text or "")
    sheet = await lead.ask("/dogexport")
    assert sheet.document is not None
    book = load_workbook(io.BytesIO(file_bytes(emulator, sheet.document["file_id"])))
    assert book.sheetnames[1:] == ["各社区统计", "集中免疫日"]
    assert [c.value for c in book["集中免疫日"][2]][3:] == [1, 1, 1]
