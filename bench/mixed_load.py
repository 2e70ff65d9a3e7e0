"""The people of the scale-out benchmark: residents filing whole reports at distinct places of
the demo street, and each grid's officer accepting and resolving some of them from the card.

Every wait is bounded. An officer works one case at a time (their chat holds one dialog), while
cards of other cases keep arriving into the same chat.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from shapely.geometry import Point, shape

from app import admin_cli
from bot.places import areas
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.client import BotMessage, TestUser
from storage.models import AreaLevel
from tests.e2e.flows import file_report

STEP_TIMEOUT_S = 60.0
PLACE_SPACING = (0.0008, 0.001)  # degrees of latitude and longitude: about 90 m, past the
# duplicate radius (50 m), so no report is taken for a repeat of its neighbour's
ACCEPT_EVERY = 2  # every 2nd report is accepted by its officer
RESOLVE_EVERY = 4  # every 4th is also resolved (note, no photo, location)
CASE_NUMBER = re.compile(r"\b[A-Z]{1,6}-\d{6}\b")
ACCEPT, RESOLVE, NO_PHOTO = "✅ 受理", "✔️ 办结", "没有照片，直接办结"


class LoadError(Exception):
    """A simulated person did not get what the flow expects."""


class PatientUser(TestUser):
    """A user who waits longer than the tests' 5 s for each answer: under load the bot's
    throttle (30 messages/s per instance) queues replies."""

    __test__ = False

    async def next_message(self, timeout: float = STEP_TIMEOUT_S) -> BotMessage:  # noqa: ASYNC109
        return await super().next_message(timeout)

    async def ask(self, text: str, timeout: float = STEP_TIMEOUT_S) -> BotMessage:  # noqa: ASYNC109
        return await super().ask(text, timeout)


@dataclass(frozen=True)
class Grid:
    officer_id: int
    places: list[tuple[float, float]]


@dataclass(frozen=True)
class Task:
    number: str
    place: tuple[float, float]
    resolve: bool


async def demo_grids() -> list[Grid]:
    """The demo street's grids with their officer (as `demo-data` appoints them) and places
    inside each, far enough apart not to count as duplicates."""
    features = await areas.read_file(admin_cli.DEMO_FILE)
    grids = [f for f in features if f.level == AreaLevel.GRID]
    return [
        Grid(admin_cli.DEMO_OFFICER_IDS + number, _places(shape(grid.boundary)))
        for number, grid in enumerate(grids, start=1)
    ]


def _places(polygon: object) -> list[tuple[float, float]]:
    west, south, east, north = polygon.bounds  # type: ignore[attr-defined]
    step_lat, step_lon = PLACE_SPACING
    found = []
    lat = south + step_lat / 2
    while lat < north:
        lon = west + step_lon / 2
        while lon < east:
            if polygon.contains(Point(lon, lat)):  # type: ignore[attr-defined]
                found.append((round(lat, 6), round(lon, 6)))
            lon += step_lon
        lat += step_lat
    return found


def assign_places(grids: list[Grid], residents: int) -> list[tuple[int, tuple[float, float]]]:
    """Resident n reports in grid n mod G, at that grid's next free place: (grid index, place)."""
    capacity = min(len(g.places) for g in grids) * len(grids)
    if residents > capacity:
        raise LoadError(f"the demo street holds {capacity} distinct places, not {residents}")
    return [
        (n % len(grids), grids[n % len(grids)].places[n // len(grids)]) for n in range(residents)
    ]


async def resident(
    user: TestUser, index: int, place: tuple[float, float], desk: asyncio.Queue[Task | None]
) -> str:
    """File a whole report; hand some of them to the grid's officer. Returns the case number."""
    confirmation = await file_report(user, place=place)
    found = CASE_NUMBER.search(confirmation.text or "")
    if found is None:
        raise LoadError(f"resident {user.id} got {confirmation.text!r}, not a case number")
    if index % ACCEPT_EVERY == 0:
        await desk.put(Task(found.group(), place, resolve=index % RESOLVE_EVERY == 0))
    return found.group()


class Officer:
    """A grid officer who reads their own chat: cards by case number, replies in order."""

    def __init__(self, emu: TelegramEmulator, user: TestUser) -> None:
        self.emu = emu
        self.user = user
        self._cursor = 0

    async def work(self, tasks: asyncio.Queue[Task | None]) -> int:
        """Until told to stop (None): accept each case handed over, resolve some; returns how
        many cases were acted on."""
        done = 0
        while (task := await tasks.get()) is not None:
            card = await self._card(task.number, ACCEPT)
            await self._press_and_confirm(card, ACCEPT)
            if task.resolve:
                await self._resolve(task)
            done += 1
        return done

    async def _card(self, number: str, button: str) -> BotMessage:
        """The case's card once it shows `button` (cards are edited in place)."""

        def find() -> BotMessage | None:
            for record in self.user.chat.sent:
                card = BotMessage(record)
                if (card.text or "").startswith(f"📋 {number} ") and [button] in card.buttons:
                    return card
            return None

        return await self._wait(find, f"the card of {number} with {button}")

    async def _press_and_confirm(self, card: BotMessage, button: str) -> None:
        query = await self.user.press(card, button)
        await self.user.callback_answer(query, STEP_TIMEOUT_S)

    async def _resolve(self, task: Task) -> None:
        card = await self._card(task.number, RESOLVE)
        self._cursor = len(self.user.chat.sent)
        await self.user.press(card, RESOLVE)
        await self._reply()  # what was done?
        await self.user.send("已现场清理，通道畅通")
        photo_prompt = await self._reply()
        await self.user.press(photo_prompt, NO_PHOTO)
        await self._reply()  # where are you?
        await self.user.send_location(*task.place)
        resolved = await self._reply()
        if task.number not in (resolved.text or ""):
            raise LoadError(f"officer {self.user.id} got {resolved.text!r} resolving {task.number}")

    async def _reply(self) -> BotMessage:
        """The next message of the dialog: not a card, nor the photo or map sent with one."""

        def find() -> BotMessage | None:
            for position in range(self._cursor, len(self.user.chat.sent)):
                message = BotMessage(self.user.chat.sent[position])
                if message.photo or message.location or (message.text or "").startswith("📋"):
                    continue
                self._cursor = position + 1
                return message
            return None

        return await self._wait(find, "the next step of resolving")

    async def _wait(self, probe: object, what: str) -> BotMessage:
        try:
            return await self.emu.wait_for(probe, STEP_TIMEOUT_S)
        except TimeoutError:
            raise LoadError(f"officer {self.user.id} waited in vain for {what}") from None
