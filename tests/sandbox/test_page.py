"""The page's endpoints: what a person does in Telegram reaches the bot, and nothing else does
(bad input is answered with 400 before any update is made)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from tests.sandbox.conftest import Running

RESIDENT = "/api/phones/resident_zh"


@asynccontextmanager
async def feed(running: Running) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
    """The page's server-sent events, as the browser reads them."""
    events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def read(response: aiohttp.ClientResponse) -> None:
        async for line in response.content:
            if line.startswith(b"data: "):
                events.put_nowait(json.loads(line[6:]))

    async with running.http.get(running.url + "/api/events") as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        task = asyncio.create_task(read(response))
        try:
            yield events
        finally:
            task.cancel()


async def next_of(events: asyncio.Queue[dict[str, Any]], **match: Any) -> dict[str, Any]:
    async with asyncio.timeout(10):
        while True:
            event = await events.get()
            if all(event.get(k) == v for k, v in match.items()):
                return event


async def bot_says(events: asyncio.Queue[dict[str, Any]], phone: str) -> dict[str, Any]:
    while True:
        event = await next_of(events, type="message", phone=phone)
        if event["message"]["bot"]:
            return event["message"]


async def test_typing_reaches_the_bot_and_its_answer_comes_back_live(running: Running) -> None:
    async with feed(running) as events:
        snapshot = await next_of(events, type="snapshot")
        assert [p["key"] for p in snapshot["phones"]] == [
            "resident_zh", "resident_en", "officer", "lead", "admin", "group",
        ]  # fmt: skip
        assert snapshot["samples"] == ["dog.jpg", "fire_exit.jpg", "rubbish.jpg"]
        response = await running.post(RESIDENT + "/text", json={"text": "/start"})
        assert response.status == 200
        mine = await next_of(events, type="message", phone="resident_zh")
        assert mine["message"]["text"] == "/start"
        assert not mine["message"]["bot"]
        answer = await bot_says(events, "resident_zh")
        assert "王芳" in answer["text"]
        assert answer["html"]
        assert answer["keyboard"][0][0]["text"] == "📝 我要报事"  # the menu under the input field
        await running.post(RESIDENT + "/text", json={"text": "📝 我要报事"})
        categories = await bot_says(events, "resident_zh")
        dog = next(b for row in categories["inline"] for b in row if "犬" in b["text"])
        pressed = await running.post(
            RESIDENT + "/press", json={"message_id": categories["id"], "data": dog["callback_data"]}
        )
        assert pressed.status == 200
        question = await bot_says(events, "resident_zh")
        assert "是什么情况" in question["text"]


async def test_photos_files_and_locations_are_sent_as_telegram_would(running: Running) -> None:
    async with feed(running) as events:
        await next_of(events, type="snapshot")
        sample = await running.post(RESIDENT + "/photo", json={"sample": "dog.jpg"})
        assert sample.status == 200
        photo = (await next_of(events, type="message", phone="resident_zh"))["message"]
        async with running.http.get(f"{running.url}/api/files/{photo['photo']}") as image:
            assert image.status == 200
            assert image.content_type == "image/jpeg"
        form = aiohttp.FormData()
        form.add_field("file", b"a,b\n1,2\n", filename="list.csv", content_type="text/csv")
        assert (await running.post(RESIDENT + "/document", data=form)).status == 200
        document = (await next_of(events, type="message", phone="resident_zh"))["message"]
        assert document["document"]["name"] == "list.csv"
        async with running.http.get(
            f"{running.url}/api/files/{document['document']['file_id']}"
        ) as download:
            assert "attachment" in download.headers["Content-Disposition"]
            assert await download.read() == b"a,b\n1,2\n"
        where = {"latitude": 30.605, "longitude": 104.0025}
        assert (await running.post(RESIDENT + "/location", json=where)).status == 200
        shared = (await next_of(events, type="message", phone="resident_zh"))["message"]
        assert shared["location"] == {"lat": 30.605, "lon": 104.0025}


BAD = [
    ("/text", {"json": {"text": ""}}),
    ("/text", {"json": {"text": "   "}}),
    ("/text", {"json": {"text": "x" * 4097}}),
    ("/text", {"json": {"text": 5}}),
    ("/text", {"json": ["text"]}),
    ("/text", {"data": b"not json", "headers": {"Content-Type": "application/json"}}),
    ("/location", {"json": {"latitude": 91, "longitude": 0}}),
    ("/location", {"json": {"latitude": "30", "longitude": 104}}),
    ("/location", {"json": {"latitude": True, "longitude": 104}}),
    ("/location", {"data": b'{"latitude": NaN, "longitude": 1}'}),
    ("/press", {"json": {"message_id": 1, "data": "v1:c:1:accept"}}),
    ("/press", {"json": {"message_id": "1", "data": "x"}}),
    ("/press", {"json": {"message_id": -1, "data": "x"}}),
    ("/photo", {"json": {"sample": "../../../etc/passwd"}}),
    ("/photo", {"json": {"sample": "nothing.jpg"}}),
    ("/photo", {"data": {"file": b"not an image at all"}}),
    ("/photo", {"data": b"raw bytes"}),
    ("/photo", {"json": {"sample": "dog.jpg", "caption": "x" * 1025}}),
    ("/document", {"data": {"file": b""}}),
    ("/document", {"json": {"file": "x"}}),
]


@pytest.mark.parametrize(("path", "body"), BAD, ids=[f"{p}-{i}" for i, (p, _) in enumerate(BAD)])
async def test_bad_input_is_refused_before_it_reaches_the_bot(
    running: Running, path: str, body: dict[str, Any]
) -> None:
    emulator = running.sandbox.emulator
    before = emulator._next_update_id
    if isinstance(body.get("data"), dict):  # a form with a file
        form = aiohttp.FormData()
        form.add_field("file", body["data"]["file"], filename="x.jpg")
        body = {"data": form}
    response = await running.post(RESIDENT + path, **body)
    assert response.status == 400
    assert emulator._next_update_id == before  # no update was made


async def test_only_the_buttons_a_message_shows_can_be_pressed(running: Running) -> None:
    emulator = running.sandbox.emulator
    async with feed(running) as events:
        await next_of(events, type="snapshot")
        await running.post(RESIDENT + "/text", json={"text": "/report"})
        mine = (await next_of(events, type="message", phone="resident_zh"))["message"]
        categories = await bot_says(events, "resident_zh")
        before = emulator._next_update_id
        forged = {"message_id": categories["id"], "data": "v1:c:999:accept"}
        assert (await running.post(RESIDENT + "/press", json=forged)).status == 400
        own = {"message_id": mine["id"], "data": "x"}  # the person's own message has no buttons
        assert (await running.post(RESIDENT + "/press", json=own)).status == 400
        data = categories["inline"][0][0]["callback_data"]
        elsewhere = {"message_id": categories["id"], "data": data}  # not in the officer's chat
        assert (await running.post("/api/phones/officer/press", json=elsewhere)).status == 400
        assert emulator._next_update_id == before
    assert (await running.post("/api/phones/nobody/text", json={"text": "hi"})).status == 404


async def test_other_sites_and_names_cannot_act(running: Running) -> None:
    emulator = running.sandbox.emulator
    before = emulator._next_update_id
    evil = {"Origin": "http://evil.example"}
    response = await running.post(RESIDENT + "/text", json={"text": "/start"}, headers=evil)
    assert response.status == 403
    rebound = {"Host": "evil.example"}  # DNS rebinding: another name for 127.0.0.1
    response = await running.post(RESIDENT + "/text", json={"text": "/start"}, headers=rebound)
    assert response.status == 403
    assert emulator._next_update_id == before


async def test_time_moves_forward_and_reset_starts_over(running: Running) -> None:
    async with feed(running) as events:
        await next_of(events, type="snapshot")
        before = running.sandbox.now()
        assert (await running.post("/api/clock", json={"move": "backwards"})).status == 400
        assert (await running.post("/api/clock", json={"move": "days2"})).status == 200
        clock = (await next_of(events, type="clock"))["clock"]
        assert running.sandbox.now() - before >= timedelta(days=2)
        assert clock["tz"] == "Asia/Shanghai"
        assert (await running.post("/api/clock", json={"move": "morning"})).status == 200
        morning = running.sandbox.now()
        assert (morning.hour, morning.minute) == (8, 30)
        assert (await running.post("/api/clock", json={"move": "first"})).status == 200
        first = running.sandbox.now()
        assert (first.day, first.hour, first.minute) == (1, 9, 0)
        await running.post(RESIDENT + "/text", json={"text": "/start"})
        await bot_says(events, "resident_zh")
        assert (await running.post("/api/reset", json={})).status == 200
        fresh = await next_of(events, type="snapshot")
        assert fresh["messages"]["resident_zh"] == []
        assert running.sandbox.now() - before < timedelta(hours=1)  # the clock starts over too
        await running.post(RESIDENT + "/text", json={"text": "/start"})
        assert "王芳" in (await bot_says(events, "resident_zh"))["text"]


async def test_a_live_location_starts_once_and_then_moves(running: Running) -> None:
    async with feed(running) as events:
        await next_of(events, type="snapshot")
        start = {"latitude": 30.605, "longitude": 104.0025}
        first = await running.post(RESIDENT + "/live", json=start)
        assert first.status == 200
        shared = (await next_of(events, type="message", phone="resident_zh"))["message"]
        assert shared["location"] == {"lat": 30.605, "lon": 104.0025}
        moved = await running.post(RESIDENT + "/live", json={**start, "latitude": 30.606})
        assert moved.status == 200
        assert (await moved.json())["message_id"] == (await first.json())["message_id"]
        while True:  # the bot's answers to the first point may come in between
            edited = (await next_of(events, type="message", phone="resident_zh"))["message"]
            if edited["id"] == shared["id"]:
                break
        assert edited["location"] == {"lat": 30.606, "lon": 104.0025}
        bad = await running.post(RESIDENT + "/live", json={"latitude": 91, "longitude": 0})
        assert bad.status == 400
