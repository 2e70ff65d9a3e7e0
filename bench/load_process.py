"""The other side of `bench pipeline`, in a process of its own: the emulator and the simulated
people, so the bot's process spends its CPU on the bot alone.

`python -m bench.load_process MODE N`: starts the emulator (limits off) and prints
`{"url", "token"}`; after a line on stdin it runs the load and prints its figures as JSON (in
MODE `report`, after another line, the lone residents' figures too), and after another it stops.
MODE `report`: N residents file whole reports at once at distinct places of the demo street
(the demo officers' and leads' chats exist, so their cards arrive); then LONE_REPORTS more, one
after another. MODE `echo`: N users each send
`UPDATES_EACH` messages and wait for each answer (`UPDATES_EACH` from the environment).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections import Counter
from typing import Any

from app import admin_cli
from bench.mixed_load import CASE_NUMBER, PatientUser, assign_places, demo_grids
from bot.places import areas
from sandbox.emulator import BotMessage, TelegramEmulator
from storage.models import AreaLevel
from tests.e2e.flows import file_report

RESIDENT_IDS = 700_000
ECHO_IDS = 800_000
LONE_IDS = 750_000
# After the crowd, a few residents report one after another on the warm bot, each alone.
LONE_REPORTS = 5
LONE_PAUSE_S = 3.0  # for the crowd's photo downloads to finish first


async def _staff_chats(emu: TelegramEmulator) -> None:
    features = await areas.read_file(admin_cli.DEMO_FILE)
    grids = [f for f in features if f.level == AreaLevel.GRID]
    communities = [f for f in features if f.level == AreaLevel.COMMUNITY]
    for number in range(1, len(grids) + 1):
        emu.user(admin_cli.DEMO_OFFICER_IDS + number, f"officer {number}")
    for number in range(1, len(communities) + 1):
        emu.user(admin_cli.DEMO_LEAD_IDS + number, f"lead {number}")


async def _reports(emu: TelegramEmulator, residents: int) -> list[tuple[float, float]]:
    """The crowd's reports, at once; returns the places left for the lone residents."""
    places = [place for _, place in assign_places(await demo_grids(), residents + LONE_REPORTS)]
    users = [PatientUser(emu, RESIDENT_IDS + n, f"居民{n}") for n in range(residents)]
    first_update, first_call = emu._next_update_id, len(emu.calls)
    started = time.perf_counter()
    timed = await asyncio.gather(
        *(_timed_report(user, place) for user, place in zip(users, places, strict=False))
    )
    figures = {
        "seconds": time.perf_counter() - started,
        "filed": sum(bool(CASE_NUMBER.search(c.text or "")) for c, _ in timed),
        "updates": emu._next_update_id - first_update,
        "report_seconds": sorted(seconds for _, seconds in timed),
        "api_calls": Counter(c.method for c in emu.calls[first_call:] if c.method != "getUpdates"),
    }
    print(json.dumps(figures), flush=True)
    return places[residents:]


async def _timed_report(user: PatientUser, place: tuple[float, float]) -> tuple[BotMessage, float]:
    """A resident's whole report and how long it took them, first message to confirmation."""
    started = time.perf_counter()
    confirmation = await file_report(user, place=place)
    return confirmation, time.perf_counter() - started


async def _lone_reports(emu: TelegramEmulator, places: list[tuple[float, float]]) -> None:
    """Residents reporting one after another, each alone on the warm bot."""
    await asyncio.sleep(LONE_PAUSE_S)
    first_update, filed = emu._next_update_id, 0
    for n, place in enumerate(places):
        user = PatientUser(emu, LONE_IDS + n, f"独自{n}")
        filed += bool(CASE_NUMBER.search((await file_report(user, place=place)).text or ""))
    print(json.dumps({"filed": filed, "updates": emu._next_update_id - first_update}), flush=True)


async def _echo(emu: TelegramEmulator, users_count: int, each: int) -> dict[str, Any]:
    users = [PatientUser(emu, ECHO_IDS + n, f"u{n}") for n in range(users_count)]

    async def chat(user: PatientUser) -> None:
        for n in range(each):
            await user.ask(f"hello {n}")

    started = time.perf_counter()
    await asyncio.gather(*(chat(user) for user in users))
    return {"seconds": time.perf_counter() - started}


async def main(mode: str, count: int) -> None:
    async with TelegramEmulator() as emu:
        if mode == "report":
            await _staff_chats(emu)
        print(json.dumps({"url": emu.url, "token": emu.token}), flush=True)
        await asyncio.to_thread(sys.stdin.readline)  # the bot is polling
        if mode == "report":
            places = await _reports(emu, count)
            await asyncio.to_thread(sys.stdin.readline)  # go on with the lone residents
            await _lone_reports(emu, places)
        else:
            first_update = emu._next_update_id
            figures = await _echo(emu, count, int(os.environ["UPDATES_EACH"]))
            figures["updates"] = emu._next_update_id - first_update
            print(json.dumps(figures), flush=True)
        await asyncio.to_thread(sys.stdin.readline)  # the bot has finished what it was doing


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
