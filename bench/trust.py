"""The README's promises, probed from outside through the real process (`python -m bot run`
against the emulator), as a stranger would:

- leaks: N pairs of residents (default 50). A files a fire report whose description holds a
  name, a phone and an ID-card number, with a photo; B reports the same problem at the same place
  and is offered A's case (half follow it, half say it is another). A's case is then accepted,
  so B's follow brings news. Counted: messages to anyone but A and staff that hold A's numbers
  or name, and photos of A's that reach B.
- forged: an officer, a lead and a resident of another community, and B, press every case
  button (each officer duty, open case, each feedback verdict) with A's case id forged into it.
  Counted: presses tried; presses that changed a case or showed its card or description.
- lock: another process holds SQLite's write lock for 20 s while 3 residents press Submit.
  Counted: submits lost, apologies.
- flood: 50 residents (BENCH_FLOOD_RESIDENTS) file at once, with a photo each, while the
  emulator allows 15 messages a second, then 3 (each a fresh process and database). Counted:
  reports filed, updates failed or lost, apologies.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from app.admin_cli import DEMO_FILE, DEMO_LEAD_IDS, demo_data
from bench.common import Stopwatch, report
from bench.mixed_load import PatientUser, assign_places, demo_grids
from bot.places.areas import import_file
from sandbox.emulator import BotMessage, TelegramEmulator
from sandbox.emulator.limits import Limits
from storage import migrate
from storage.db import Database
from tests.e2e.flows import fill_report
from tests.e2e.test_process import bot_env, bot_process
from tests.helpers import sqlite_locked
from tests.invariants import leaked_numbers

A_IDS, B_IDS, LOCK_IDS, FLOOD_IDS = 600_000, 610_000, 620_000, 630_000
START_TIMEOUT = 60
COMMUNITIES = 12  # in the demo street, two grids each, in order
DUTIES = ("a", "q", "t", "g", "r", "rr", "s", "np", "m", "n")
VERDICTS = ("y", "n", "r", "s", "i")
A_WORDS = "楼道堆满纸箱堵了消防通道"
BUSY = "系统正忙"
SORRY = "抱歉，处理您的消息时出了点问题"


class VeryPatientUser(PatientUser):
    """A resident who waits minutes for each answer: at 3 messages a second for everyone, 50
    residents' replies queue for minutes, and a test user who gave up would count as lost."""

    __test__ = False

    async def next_message(self, timeout: float = 600.0) -> BotMessage:  # noqa: ASYNC109
        return await super().next_message(timeout)

    async def ask(self, text: str, timeout: float = 600.0) -> BotMessage:  # noqa: ASYNC109
        return await super().ask(text, timeout)


def _secrets(n: int) -> tuple[str, str, str]:
    return f"王小明{n:03d}", f"1380013{n:04d}", f"11010119900307{n:04d}"


async def _prepare(folder: Path) -> Path:
    path = folder / "data" / "bot.db"
    await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
    database = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await migrate.upgrade(database)
        await import_file(database, DEMO_FILE)
        await demo_data(database)
    finally:
        await database.dispose()
    return path


def _rows(path: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as connection:
        return connection.execute(sql, args).fetchall()


async def _started(emu: TelegramEmulator) -> None:
    await emu.wait_for(lambda: emu.calls_of("deleteWebhook"), START_TIMEOUT)


async def _card(officer: PatientUser, number: str) -> BotMessage:
    while True:
        message = await officer.next_message()
        if number in (message.text or "") and message.buttons:
            return message


def _case_number(path: Path, reporter: int) -> str:
    [(number,)] = _rows(
        path,
        "SELECT number FROM cases JOIN people ON people.id = cases.reporter_id"
        " WHERE people.tg_id = ? AND number IS NOT NULL",
        reporter,
    )
    return str(number)


async def _pairs(emu: TelegramEmulator, path: Path, pairs: int) -> dict[str, Any]:
    grids = await demo_grids()
    places = assign_places(grids, pairs)
    photos_of_a: set[str] = set()
    for n, (grid, place) in enumerate(places):
        name, phone, id_card = _secrets(n)
        a = PatientUser(emu, A_IDS + n, f"甲{n}")
        b = PatientUser(emu, B_IDS + n, f"乙{n}")
        officer = PatientUser(emu, grids[grid].officer_id, "网格员")
        text = f"我是{name}，电话{phone}，身份证{id_card}，{A_WORDS}"
        summary = await fill_report(a, text=text, place=place, photos=1)
        photos_of_a |= {
            size["file_unique_id"]
            for record in emu.chat(a.id).messages.values()
            for size in record.get("photo") or []
        }
        await a.press(summary, "✅ 提交")
        await a.next_message()  # the confirmation
        number = _case_number(path, A_IDS + n)
        summary = await fill_report(b, text="楼道里纸箱很多", place=place, photos=0)
        await b.press(summary, "✅ 提交")
        offer = await b.next_message()
        if offer.buttons and "👍 就是这个，关注它" in offer.buttons[0]:
            await b.press(offer, "👍 就是这个，关注它" if n % 2 else "不是，是另一个问题")
            await b.next_message()
        card = await _card(officer, number)
        await officer.press(card, "✅ 受理")
        await a.next_message()  # accepted
    await asyncio.sleep(2)  # the followers' news
    staff = {g.officer_id for g in grids} | {DEMO_LEAD_IDS + n for n in range(1, 20)}
    leaks = leaked_numbers(emu, staff)
    names = [
        f"{chat.id}: {name}"
        for n in range(pairs)
        for name in [_secrets(n)[0]]
        for chat in emu.chats.values()
        if chat.id not in staff and chat.id != A_IDS + n
        for record in chat.sent
        if name in (record.get("text") or record.get("caption") or "")
    ]
    photos = [
        chat.id
        for chat in emu.chats.values()
        if B_IDS <= chat.id < B_IDS + pairs
        for record in chat.sent
        for size in record.get("photo") or []
        if size["file_unique_id"] in photos_of_a
    ]
    return {
        "pairs": pairs,
        "numbers_leaked": len(leaks),
        "names_leaked": len(names),
        "photos_leaked": len(photos),
        "examples": (leaks + names)[:3],
    }


async def _forged(emu: TelegramEmulator, path: Path) -> dict[str, Any]:
    """Forgers of the second grid's community press buttons carrying a case of the first's."""
    grids = await demo_grids()
    [(case_id, number)] = _rows(
        path,
        "SELECT cases.id, number FROM cases JOIN people ON people.id = cases.reporter_id"
        " WHERE people.tg_id = ?",
        A_IDS,
    )
    [(home_area,)] = _rows(path, "SELECT area_id FROM cases WHERE id = ?", case_id)
    far = _rows(path, "SELECT id FROM areas WHERE level = 'grid' AND id != ? LIMIT 1", home_area)
    target = far[0][0]
    before = _rows(path, "SELECT count(*) FROM case_events WHERE case_id = ?", case_id)[0][0]
    # The demo's last community: its lead and its last grid's officer are strangers to case 1.
    forgers = [
        PatientUser(emu, grids[-1].officer_id, "外社区网格员"),
        PatientUser(emu, DEMO_LEAD_IDS + COMMUNITIES, "外社区负责人"),
        PatientUser(emu, B_IDS + 1, "乙1"),
        PatientUser(emu, FLOOD_IDS - 1, "陌生人"),
    ]
    seen = {
        forger.id: len(emu.chats[forger.id].sent) if forger.id in emu.chats else 0
        for forger in forgers
    }
    datas = [f"v1od:{case_id}:{duty}:{target}" for duty in DUTIES]
    datas += [f"v1co:{case_id}"] + [f"v1fb:{case_id}:{v}:5" for v in VERDICTS]
    tried = 0
    for forger in forgers:
        await forger.ask("/start")
        for data in datas:
            query = await forger.press_data(1, data)
            await forger.callback_answer(query, timeout=60)
            tried += 1
    await asyncio.sleep(1)
    after = _rows(path, "SELECT count(*) FROM case_events WHERE case_id = ?", case_id)[0][0]
    secret = [*_secrets(0), A_WORDS]  # case 1's reporter's own words
    shown = [
        (forger.id, text[:40])
        for forger in forgers
        for record in emu.chat(forger.id).sent[seen[forger.id] :]  # since the forging began
        for text in [record.get("text") or record.get("caption") or ""]
        if any(word in text for word in secret)
    ]
    return {"tried": tried, "accepted": after - before, "shown": len(shown), "case": number}


async def _locked(emu: TelegramEmulator, path: Path) -> dict[str, Any]:
    residents = [PatientUser(emu, LOCK_IDS + n, f"锁{n}") for n in range(3)]
    grids = await demo_grids()
    places = [grid.places[-1] for grid in grids[-3:]]
    summaries = [
        await fill_report(r, place=p, photos=0) for r, p in zip(residents, places, strict=True)
    ]
    with Stopwatch() as watch:
        with sqlite_locked(path, seconds=20):
            for resident, summary in zip(residents, summaries, strict=True):
                await resident.press(summary, "✅ 提交")
            await asyncio.sleep(1)
        replies = [await r.next_message(timeout=120) for r in residents]
    filed = sum("已登记" in (reply.text or "") for reply in replies)
    apologies = sum(
        BUSY in (record.get("text") or "") or SORRY in (record.get("text") or "")
        for r in residents
        for record in emu.chat(r.id).sent
    )
    return {
        "submits": 3,
        "lost": 3 - filed,
        "apologies": apologies,
        "seconds_to_last_reply": round(watch.seconds, 1),
    }


async def _flood(folder: Path, per_s: int, residents: int) -> dict[str, Any]:
    path = await _prepare(folder)
    limits = Limits(global_per_s=per_s)
    async with TelegramEmulator(limits=limits) as emu:
        env = bot_env(emu, folder, LOG_LEVEL="WARNING")
        async with bot_process(env, folder):
            await _started(emu)
            grids = await demo_grids()
            places = assign_places(grids, residents)
            people = [VeryPatientUser(emu, FLOOD_IDS + n, f"涌{n}") for n in range(residents)]

            async def one(user: PatientUser, place: tuple[float, float]) -> bool:
                summary = await fill_report(user, place=place, photos=1)
                await user.press(summary, "✅ 提交")
                while True:
                    message = await user.next_message(timeout=600)
                    if "已登记" in (message.text or ""):
                        return True

            with Stopwatch() as watch:
                filed = await asyncio.gather(
                    *(one(u, p) for u, (_, p) in zip(people, places, strict=True)),
                    return_exceptions=True,
                )
            await asyncio.sleep(2)
            updates = _rows(path, "SELECT state, count(*) FROM update_log GROUP BY state")
            apologies = sum(
                BUSY in (record.get("text") or "") or SORRY in (record.get("text") or "")
                for u in people
                for record in emu.chat(u.id).sent
            )
    return {
        "per_s": per_s,
        "residents": residents,
        "filed": sum(f is True for f in filed),
        "updates": dict(updates),
        "apologies": apologies,
        "seconds": round(watch.seconds, 1),
    }


async def run(size: int | None) -> None:
    pairs = size or 50
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path = await _prepare(folder / "main")
        async with TelegramEmulator() as emu:
            env = bot_env(emu, folder / "main", LOG_LEVEL="WARNING")
            async with bot_process(env, folder / "main"):
                await _started(emu)
                figures["leaks"] = await _pairs(emu, path, pairs)
                figures["forged"] = await _forged(emu, path)
                figures["lock"] = await _locked(emu, path)
        crowd = int(os.environ.get("BENCH_FLOOD_RESIDENTS", "50"))
        for per_s in (15, 3):
            figures[f"flood_{per_s}"] = await _flood(folder / f"flood{per_s}", per_s, crowd)
    report("trust", figures)
