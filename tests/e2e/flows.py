"""Steps of the report flow that many tests take, and the officer side driven directly."""

from __future__ import annotations

from sqlalchemy import select

from app.wiring import App
from bot.cases import lifecycle as cases
from sandbox.emulator.client import BotMessage, TestUser
from sandbox.emulator.files import make_image
from storage.models import Case, Person, Role

FIRE = "🔥 火灾隐患"
FIRE_EXIT = "消防通道、楼道被堵"
HERE = (30.6586, 104.0648)


async def choose(user: TestUser, message: BotMessage, button: str) -> BotMessage:
    await user.press(message, button)
    return await user.next_message()


async def step(user: TestUser, message: BotMessage, button: str) -> BotMessage:
    """Press a report step's button: the bot asks the next step in that same message (edited
    in place); returns it, as it reads now."""
    before = edits(user, message)
    await user.press(message, button)
    await user.emu.wait_for(lambda: edits(user, message) > before or None, 20)
    return message


def edits(user: TestUser, message: BotMessage) -> int:
    """How many times the bot edited `message` so far."""
    return sum(
        1
        for kind, record in user.chat.events
        if kind == "edited" and record["message_id"] == message.message_id
    )


async def fill_report(
    user: TestUser,
    *,
    category: str = FIRE,
    answers: tuple[str, ...] = (FIRE_EXIT,),
    text: str = "楼道里堆满了纸箱，消防通道被堵住了",
    photos: int = 1,
    place: tuple[float, float] | None = HERE,
) -> BotMessage:
    """Go from /report to the summary; returns the summary message."""
    message = await user.ask("/report")
    await step(user, message, category)
    for answer in answers:
        await step(user, message, answer)
    prompt = await user.ask(text)
    for index in range(photos):
        await user.send_photo(make_image(color=(index, 10, 20)))
        prompt = await user.next_message()
    await user.press(prompt, "✅ 完成" if photos else "跳过，没有照片")
    await user.next_message()  # where?
    if place is None:
        await user.send("🏠 我现在不在现场")
    else:
        await user.send_location(*place)
    return await user.next_message()


async def report_danger(
    user: TestUser,
    *,
    category: str = FIRE,
    answer: str = "正在冒烟或起火",
    place: tuple[float, float] = HERE,
) -> BotMessage:
    """A danger-now answer: the place is asked first and the case filed at once; returns the
    confirmation."""
    message = await user.ask("/report")
    await step(user, message, category)
    await step(user, message, answer)  # the warning, in place
    where = await user.next_message()
    assert where.keyboard[0] == ["📍 发送我的位置"]
    await user.send_location(*place)
    return await user.next_message()


async def file_report(user: TestUser, **kwargs: object) -> BotMessage:
    """A whole report, submitted; returns the bot's confirmation."""
    summary = await fill_report(user, **kwargs)  # type: ignore[arg-type]
    return await choose(user, summary, "✅ 提交")


async def all_cases(app: App) -> list[Case]:
    async with app.database.sessions() as session:
        return list((await session.scalars(select(Case).order_by(Case.id))).all())


async def make_staff(app: App, tg_id: int, role: Role = Role.OFFICER) -> Person:
    async with app.database.transaction() as session:
        person = Person(tg_id=tg_id, name=f"staff {tg_id}", role=role)
        session.add(person)
        await session.flush()
        return person


async def officer_does(
    app: App, case_id: int, action: cases.Action, officer: Person, note: str | None = None
) -> cases.Outcome:
    """What the officer's buttons will do (their issue): the lifecycle, then the notices."""
    return await app.desk.act(case_id, action, officer, note=note)
