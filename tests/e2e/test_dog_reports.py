"""Reports meet the register, through the real bot: a report in a category that asks for it
asks the dog's registration number; a malformed or unknown number gets a polite answer and the
question again; a known one is recorded on the case, whose staff cards show the dog, and its
owner only to the dog's community's staff and admins, never to the reporter."""

from __future__ import annotations

from sqlalchemy import select

from app.wiring import App
from bot.dogs import registry
from bot.dogs.registry import Action
from handlers.common.callbacks import Nav, ReportNav
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.client import BotMessage, TestUser
from sandbox.emulator.files import make_image
from storage.models import Area, Dog, Person, Role
from tests.e2e.flows import all_cases, step
from tests.e2e.test_desk import card_of
from tests.e2e.test_dog_days import VACCINATED
from tests.e2e.test_dogs import IN_JN01_1, street  # noqa: F401  (the fixture)
from tests.storage.dog_street import details

SKIP = "⏭ 跳过，不知道登记号"


async def dog_in(app: App, emulator: TelegramEmulator, owner: TestUser, grid_code: str) -> Dog:
    """An approved dog of `owner` living in grid `grid_code`, approved by the admin."""
    await owner.ask("/start")
    async with app.database.sessions() as session:
        person = await session.scalar(select(Person).where(Person.tg_id == owner.id))
        grid = await session.scalar(select(Area).where(Area.code == grid_code))
    assert person is not None
    assert grid is not None
    async with app.database.transaction() as session:
        admin = await session.scalar(select(Person).where(Person.tg_id == 900001))
        if admin is None:
            admin = Person(tg_id=900001, name="管理员", role=Role.ADMIN)
            session.add(admin)
            await session.flush()
    photo = emulator.files.add_photo(make_image())[-1]
    form = details(grid.id, VACCINATED, "大黄")
    form.photo_file_id, form.photo_unique_id = photo.file_id, photo.file_unique_id
    outcome = await registry.register(app.database, person, form, restricted=False)
    return (await registry.act(app.database, outcome.dog.id, Action.APPROVE, admin)).dog


async def to_the_number(reporter: TestUser, kind: str) -> BotMessage:
    """/report in the dog category up to the question of the dog's number (one message)."""
    question = await reporter.ask("/report")
    await step(reporter, question, "🐕 犬只问题")
    await step(reporter, question, kind)
    return await step(reporter, question, "1 只")


async def test_a_report_names_a_registered_dog_and_staff_see_it_the_reporter_no_owner(
    emulator: TelegramEmulator,
    street: App,  # noqa: F811
) -> None:
    owner = emulator.user(8311, "养犬人老周")
    dog = await dog_in(street, emulator, owner, "JN05-1")  # lives in another community
    assert dog.number
    reporter = emulator.user(8399, "热心居民")
    officer, _ = emulator.user(8201, "李网格"), emulator.user(8202, "王网格")
    admin = emulator.user(900001, "管理员")

    question = await to_the_number(reporter, "遛狗不拴绳")
    assert "登记号" in (question.text or "")
    assert [SKIP] in question.buttons
    again = await reporter.ask("大黄狗")
    assert "不像是犬只登记号" in (again.text or "")
    assert [SKIP] in again.buttons  # retype, or skip
    again = await reporter.ask("JN-D999999")
    assert "没有编号为 JN-D999999" in (again.text or "")
    noted = await reporter.ask(dog.number.lower())
    assert dog.number in (noted.text or "")
    describe = await reporter.next_message()
    assert "描述问题" in (describe.text or "")
    photos = await reporter.ask("一只大黄狗在小区里不拴绳乱跑")
    await reporter.press(photos, "跳过，没有照片")
    await reporter.next_message()  # where?
    await reporter.send_location(*IN_JN01_1)
    summary = await reporter.next_message()
    assert f"登记犬只：{dog.number}" in (summary.text or "")
    assert "老周" not in (summary.text or "")
    await reporter.press(summary, "✅ 提交")
    assert "已登记" in ((await reporter.next_message()).text or "")
    [case] = await all_cases(street)
    assert case.dog_id == dog.id

    # the grid's officer (another community than the dog's): the dog, not its owner
    card = await card_of(officer)
    assert f"登记犬只：{dog.number} · 大黄" in (card.text or "")
    assert "老周" not in (card.text or "")
    # an admin's /case: the dog and its owner's contact
    shown = await admin.ask(f"/case {case.number}")
    assert f"登记犬只：{dog.number}" in (shown.text or "")
    assert "犬主：养犬人老周" in (shown.text or "")
    # the reporter never sees the owner
    mine = await reporter.ask("/mycases")
    assert "老周" not in (mine.text or "")
    texts = [str(record.get("text", "")) for _, record in reporter.chat.events]
    assert not any("老周" in text for text in texts)


async def test_the_dogs_community_sees_the_owner_and_a_skip_names_no_dog(
    emulator: TelegramEmulator,
    street: App,  # noqa: F811
) -> None:
    owner = emulator.user(8312, "养犬人老吴")
    dog = await dog_in(street, emulator, owner, "JN01-1")
    officer, _ = emulator.user(8201, "李网格"), emulator.user(8202, "王网格")
    reporter = emulator.user(8398, "邻居")

    await to_the_number(reporter, "犬吠扰民")
    await reporter.ask(dog.number or "")  # named, then back: asked again, then skipped
    describe = await reporter.next_message()
    await step(reporter, describe, "⬅ 返回")
    assert "登记号" in (describe.text or "")
    await step(reporter, describe, SKIP)
    assert "描述问题" in (describe.text or "")
    [draft] = await all_cases(street)
    assert draft.dog_id is None

    # the dog named this time: an officer of the dog's own community reads its owner
    await step(reporter, describe, "⬅ 返回")
    await reporter.ask(dog.number or "")
    await reporter.next_message()  # the description prompt
    photos = await reporter.ask("隔壁的狗每天夜里叫个不停")
    await reporter.press(photos, "跳过，没有照片")
    await reporter.next_message()
    await reporter.send_location(*IN_JN01_1)
    summary = await reporter.next_message()
    await reporter.press(summary, "✅ 提交")
    await reporter.next_message()
    card = await card_of(officer)
    assert f"登记犬只：{dog.number}" in (card.text or "")
    assert "犬主：养犬人老吴" in (card.text or "")


async def test_a_forged_skip_changes_nothing(
    emulator: TelegramEmulator,
    street: App,  # noqa: F811
) -> None:
    owner = emulator.user(8313, "养犬人")
    dog = await dog_in(street, emulator, owner, "JN01-1")
    reporter, other = emulator.user(8397, "甲"), emulator.user(8396, "乙")
    question = await to_the_number(reporter, "流浪犬")
    await reporter.ask(dog.number or "")
    await reporter.next_message()
    [draft] = await all_cases(street)
    assert draft.dog_id == dog.id
    forged = ReportNav(case_id=draft.id, action=Nav.DOG_SKIP).pack()
    elsewhere = await other.ask("/start")
    answer = await other.callback_answer(await other.press_data(elsewhere, forged))
    assert answer["text"]
    stale = await reporter.callback_answer(await reporter.press_data(question, forged))
    assert stale["text"]  # the question is answered: its old button does nothing
    [draft] = await all_cases(street)
    assert draft.dog_id == dog.id
