"""The pictures of /stats and /map in chat: both still come as images, and a category keeps
its own colour in both (keyed by the category, not by its place in one chart)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from app.admin_cli import DEMO_FILE
from app.wiring import App
from bot.figures.colours import category_colour
from bot.places.areas import import_file
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.client import BotMessage, TestUser
from storage.models import Area, Case, CaseStatus, Category, Person
from storage.types import utcnow

ADMIN = 900001


@pytest.fixture
async def street(bot_app: App) -> App:
    """The demo street, with this week's dog and sanitation cases in 幸福社区: a dog case
    closed on time in its first grid, and a new sanitation case in the second, not due yet."""
    await import_file(bot_app.database, DEMO_FILE)
    now = utcnow()
    async with bot_app.database.transaction() as session:
        reporter = Person(tg_id=8520, name="居民")
        session.add(reporter)
        await session.flush()
        areas = {a.code: a.id for a in (await session.scalars(select(Area))).all()}
        kinds = {c.code: c.id for c in (await session.scalars(select(Category))).all()}
        common = {"reporter_id": reporter.id, "submitted_at": now - timedelta(minutes=30)}
        session.add_all(
            [
                Case(
                    status=CaseStatus.CLOSED, category_id=kinds["dog"], area_id=areas["JN01-1"],
                    latitude=30.607, longitude=104.002, accept_due_at=now + timedelta(hours=1),
                    resolve_due_at=now + timedelta(days=1), accepted_at=now,
                    resolved_at=now, **common,
                ),
                Case(
                    status=CaseStatus.NEW, category_id=kinds["sanitation"],
                    area_id=areas["JN01-2"], latitude=30.605, longitude=104.0075,
                    accept_due_at=now + timedelta(hours=1), resolve_due_at=now + timedelta(days=2),
                    **common,
                ),
                Case(
                    status=CaseStatus.NEW, category_id=kinds["dog"], area_id=areas["JN01-2"],
                    latitude=30.606, longitude=104.0075, accept_due_at=now + timedelta(hours=1),
                    resolve_due_at=now + timedelta(days=2), **common,
                ),
            ]
        )  # fmt: skip
    return bot_app


def picture(emulator: TelegramEmulator, message: BotMessage) -> Image.Image:
    assert message.photo is not None
    stored = emulator.files.get(message.photo[-1]["file_id"])
    assert stored is not None
    image = Image.open(io.BytesIO(stored.data))
    assert image.format == "PNG"
    return image.convert("RGB")


def colours(image: Image.Image) -> set[str]:
    found = image.getcolors(maxcolors=1 << 22) or []
    return {"#{:02x}{:02x}{:02x}".format(*colour) for _, colour in found}


async def photo_after_text(user: TestUser) -> BotMessage:
    for _ in range(5):
        message = await user.next_message(20)
        if message.photo is not None:
            return message
    raise AssertionError("no picture")


async def test_a_category_keeps_its_colour_in_the_chart_and_on_the_map(
    emulator: TelegramEmulator, street: App
) -> None:
    """Before, the chart coloured categories by their order in it: the dog bars took the
    first colour (blue) and sanitation the second, while the map drew them in others."""
    async with street.database.sessions() as session:
        kinds = {c.code: c.id for c in (await session.scalars(select(Category))).all()}
    dog, sanitation = category_colour(kinds["dog"]), category_colour(kinds["sanitation"])
    admin = emulator.user(ADMIN, "街道管理员")
    await admin.send("/stats week JN01")
    chart = picture(emulator, await photo_after_text(admin))
    assert chart.width >= 800
    assert {dog, sanitation} <= colours(chart)
    shown = await admin.ask("/map JN01")
    assert {dog, sanitation} <= colours(picture(emulator, shown))
