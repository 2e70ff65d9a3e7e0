"""The sandbox's page: phones side by side, each a chat with the bot, in a browser.

Served on loopback by aiohttp: the static page (`sandbox/static`, no CDN), every phone's
messages as server-sent events the moment the emulator sees them, and what a person can do in
Telegram: type, press a button under a message, send a photo, a file, a location or a live
location (each next point moves it). Input is
checked as Telegram's client limits it (`sandbox.inputs`); anything else is answered with 400
and never reaches the bot. The page drives a `Host`: the bot and its clock, which it does not
know (app/sandbox.py puts them together).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web

from sandbox import inputs
from sandbox.emulator import TelegramEmulator, TestGroup, TestUser
from sandbox.emulator.server import Chat
from sandbox.views import inline_data, message_view

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
SAMPLES = STATIC / "samples"
KEEPALIVE_S = 15.0
BODY_LIMIT = inputs.DOCUMENT_LIMIT + 1024 * 1024


@dataclass(frozen=True)
class Phone:
    """A phone on the page: who holds it, and the chat it shows (theirs, or a group's)."""

    key: str
    title: str
    user: dict[str, Any]  # id, first_name, language_code: as Telegram describes a person
    group: dict[str, Any] | None = None  # id and title, for a group chat

    @property
    def chat_id(self) -> int:
        return int((self.group or self.user)["id"])

    @property
    def sender(self) -> dict[str, Any]:
        """The person as a message's `from` names them."""
        return {"is_bot": False, **self.user}

    def public(self) -> dict[str, Any]:
        kind = "group" if self.group else "private"
        return {"key": self.key, "title": self.title, "kind": kind, "name": self.user["first_name"]}


class Host(Protocol):
    """What the page drives: the emulator, the phones, the street's map, the clock, a reset."""

    @property
    def emulator(self) -> TelegramEmulator: ...

    @property
    def phones(self) -> list[Phone]: ...

    @property
    def street(self) -> dict[str, Any]: ...

    @property
    def timezone(self) -> str: ...

    @property
    def moves(self) -> tuple[str, ...]: ...

    def now(self) -> datetime: ...

    async def move(self, key: str) -> None: ...

    async def reset(self) -> None: ...


class Page:
    """The page's HTTP side and the live feed of the phones' chats."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.feeds: set[asyncio.Queue[bytes | None]] = set()
        self.busy = asyncio.Lock()  # a reset or a move of time at a time
        self._attached: TelegramEmulator | None = None

    # --- the feed ------------------------------------------------------------------------

    def attach(self) -> None:
        """Listen to the host's (current) emulator."""
        emulator = self.host.emulator
        if emulator is not self._attached:
            emulator.listeners.append(self._on_record)
            self._attached = emulator

    def _phone_of(self, chat: Chat) -> Phone | None:
        return next((p for p in self.host.phones if p.chat_id == chat.id), None)

    def _on_record(self, what: str, chat: Chat, record: dict[str, Any]) -> None:
        phone = self._phone_of(chat)
        if phone is None:
            return
        if what == "deleted":
            self.publish({"type": "deleted", "phone": phone.key, "id": record["message_id"]})
        elif what == "answered":
            event = {"type": "answer", "phone": phone.key, "text": record.get("text", "")}
            self.publish({**event, "alert": record.get("show_alert", False)})
        else:
            self.publish({"type": "message", "phone": phone.key, "message": message_view(record)})

    def publish(self, event: dict[str, Any]) -> None:
        line = b"data: " + json.dumps(event, ensure_ascii=False).encode() + b"\n\n"
        for feed in self.feeds:
            feed.put_nowait(line)

    def snapshot(self) -> dict[str, Any]:
        """Everything the page draws: the phones with their chats so far, the clock, samples."""
        emulator = self.host.emulator
        messages = {}
        for phone in self.host.phones:
            chat = emulator.chats.get(phone.chat_id)
            records = sorted(chat.messages.values(), key=lambda r: r["message_id"]) if chat else []
            messages[phone.key] = [message_view(record) for record in records]
        return {
            "type": "snapshot",
            "phones": [phone.public() for phone in self.host.phones],
            "messages": messages,
            "clock": self.clock(),
            "samples": sorted(path.name for path in SAMPLES.glob("*.jpg")),
        }

    def clock(self) -> dict[str, Any]:
        return {"now": self.host.now().isoformat(), "tz": self.host.timezone}

    def close(self) -> None:
        """End every open feed (the server is stopping)."""
        for feed in self.feeds:
            feed.put_nowait(None)

    # --- HTTP ----------------------------------------------------------------------------

    def application(self) -> web.Application:
        app = web.Application(client_max_size=BODY_LIMIT, middlewares=[_same_origin, _bad_input])
        app.router.add_get("/", self.index)
        app.router.add_get("/favicon.ico", _no_icon)
        app.router.add_static("/static/", STATIC)
        app.router.add_get("/api/events", self.events)
        app.router.add_get("/api/street", self.street)
        app.router.add_get("/api/files/{file_id}", self.file)
        app.router.add_post("/api/phones/{phone}/text", self.send_text)
        app.router.add_post("/api/phones/{phone}/press", self.press)
        app.router.add_post("/api/phones/{phone}/location", self.send_location)
        app.router.add_post("/api/phones/{phone}/live", self.share_live)
        app.router.add_post("/api/phones/{phone}/photo", self.send_photo)
        app.router.add_post("/api/phones/{phone}/document", self.send_document)
        app.router.add_post("/api/clock", self.move)
        app.router.add_post("/api/reset", self.reset)
        app.on_shutdown.append(lambda _: _async(self.close))
        return app

    async def index(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html")

    async def street(self, request: web.Request) -> web.Response:
        return web.json_response(self.host.street)

    async def events(self, request: web.Request) -> web.StreamResponse:
        """Server-sent events: a snapshot, then each message as the emulator sees it."""
        self.attach()
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        feed: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.feeds.add(feed)
        try:
            snapshot = json.dumps(self.snapshot(), ensure_ascii=False)
            await response.write(f"data: {snapshot}\n\n".encode())
            while True:
                try:
                    line = await asyncio.wait_for(feed.get(), KEEPALIVE_S)
                except TimeoutError:
                    line = b": still here\n\n"
                if line is None:
                    break
                await response.write(line)
        except ConnectionResetError:
            pass  # the tab was closed
        finally:
            self.feeds.discard(feed)
        return response

    async def file(self, request: web.Request) -> web.Response:
        stored = self.host.emulator.files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound()
        headers = {"X-Content-Type-Options": "nosniff"}
        kind = stored.mime_type or _image_type(stored.data)
        if not kind.startswith("image/"):
            headers["Content-Disposition"] = f'attachment; filename="{_ascii(stored.file_name)}"'
        return web.Response(body=stored.data, content_type=kind, headers=headers)

    async def send_text(self, request: web.Request) -> web.Response:
        phone = self._phone(request)
        return await self._post(phone, inputs.text(await _json(request)))

    async def send_location(self, request: web.Request) -> web.Response:
        phone = self._phone(request)
        return await self._post(phone, inputs.location(await _json(request)))

    async def share_live(self, request: web.Request) -> web.Response:
        """A live location: the first point starts it, each next one moves it (an edit)."""
        phone = self._phone(request)
        point = inputs.location(await _json(request))["location"]
        speaker = self._speaker(phone)
        if not isinstance(speaker, TestUser):
            raise inputs.BadInput("live locations are shared in private chats here")
        shared = _live_of(speaker)
        if shared is None:
            message = await speaker.send_live_location(point["latitude"], point["longitude"])
        else:
            message = await speaker.move_live_location(
                shared, point["latitude"], point["longitude"]
            )
        return web.json_response({"ok": True, "message_id": message["message_id"]})

    async def send_photo(self, request: web.Request) -> web.Response:
        phone = self._phone(request)
        files = self.host.emulator.files
        if request.content_type == "application/json":
            body = await _json(request)
            sample = body.get("sample") if isinstance(body, dict) else None
            if not isinstance(sample, str) or sample not in self.snapshot_samples():
                raise inputs.BadInput("no such sample photo")
            data = (SAMPLES / sample).read_bytes()
            return await self._post(phone, inputs.photo(files, data, body.get("caption")))
        upload, words = await _upload(request)
        return await self._post(phone, inputs.photo(files, upload.file.read(), words))

    async def send_document(self, request: web.Request) -> web.Response:
        phone = self._phone(request)
        upload, words = await _upload(request)
        content = inputs.document(
            self.host.emulator.files,
            upload.file.read(),
            upload.filename,
            upload.content_type,
            words,
        )
        return await self._post(phone, content)

    async def press(self, request: web.Request) -> web.Response:
        phone = self._phone(request)
        body = await _json(request)
        chat = self.host.emulator.chats.get(phone.chat_id)
        record = chat.messages.get(inputs.message_id(body)) if chat else None
        if record is None or not record.get("from", {}).get("is_bot"):
            raise inputs.BadInput("no such message of the bot in this chat")
        data = inputs.press(body, inline_data(record))
        query_id = await self._speaker(phone).press_as(phone.sender, record, data)
        return web.json_response({"ok": True, "callback_query_id": query_id})

    async def move(self, request: web.Request) -> web.Response:
        body = await _json(request)
        key = body.get("move") if isinstance(body, dict) else None
        if key not in self.host.moves:
            raise inputs.BadInput(f"move is one of {', '.join(self.host.moves)}")
        async with self.busy:
            await self.host.move(key)
        self.publish({"type": "clock", "clock": self.clock()})
        return web.json_response({"ok": True, "clock": self.clock()})

    async def reset(self, request: web.Request) -> web.Response:
        async with self.busy:
            await self.host.reset()
            self.attach()
        self.publish(self.snapshot())
        return web.json_response({"ok": True})

    # --- helpers -------------------------------------------------------------------------

    def snapshot_samples(self) -> set[str]:
        return {path.name for path in SAMPLES.glob("*.jpg")}

    def _phone(self, request: web.Request) -> Phone:
        key = request.match_info["phone"]
        phone = next((p for p in self.host.phones if p.key == key), None)
        if phone is None:
            raise web.HTTPNotFound(text="no such phone")
        return phone

    def _speaker(self, phone: Phone) -> TestGroup | TestUser:
        emulator = self.host.emulator
        if phone.group:
            return emulator.group(phone.chat_id, phone.group["title"])
        language = phone.user.get("language_code")
        return emulator.user(phone.chat_id, phone.user["first_name"], language)

    async def _post(self, phone: Phone, content: dict[str, Any]) -> web.Response:
        message = await self._speaker(phone).post(phone.sender, content)
        return web.json_response({"ok": True, "message_id": message["message_id"]})


def _live_of(user: TestUser) -> dict[str, Any] | None:
    """The person's latest live location whose period has not run out, if any."""
    for message in sorted(user.chat.messages.values(), key=lambda m: -m["message_id"]):
        live = (message.get("location") or {}).get("live_period")
        if live and message.get("from", {}).get("id") == user.id:
            return message if message["date"] + live > user.emu.clock() else None
    return None


async def _json(request: web.Request) -> Any:
    try:
        return await request.json()
    except (ValueError, UnicodeDecodeError):
        raise inputs.BadInput("the body is not JSON") from None


async def _upload(request: web.Request) -> tuple[web.FileField, str | None]:
    if not request.content_type.startswith("multipart/"):
        raise inputs.BadInput("send the file as multipart/form-data")
    form = await request.post()
    upload = form.get("file")
    if not isinstance(upload, web.FileField):
        raise inputs.BadInput("the form has no file")
    words = form.get("caption")
    return upload, words if isinstance(words, str) else None


def _image_type(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    return "application/octet-stream"


def _ascii(name: str | None) -> str:
    return "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name or "file"
    )


async def _async(work: Callable[[], None]) -> None:
    work()


async def _no_icon(_: web.Request) -> web.Response:
    return web.Response(status=204)


@web.middleware
async def _bad_input(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except inputs.BadInput as error:
        return web.json_response({"ok": False, "error": str(error)}, status=400)


@web.middleware
async def _same_origin(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Only this page acts: another site open in the browser cannot post to the phones (its
    Origin differs), nor reach the page under another name (the Host must be loopback's)."""
    host = request.host.rsplit(":", 1)[0]
    if host not in ("127.0.0.1", "localhost", "[::1]"):
        raise web.HTTPForbidden(text="the sandbox answers on loopback only")
    origin = request.headers.get("Origin")
    if request.method != "GET" and origin is not None and origin != f"http://{request.host}":
        raise web.HTTPForbidden(text="another site may not act in the sandbox")
    return await handler(request)


async def serve(page: Page, port: int) -> web.AppRunner:
    """Serve the page on 127.0.0.1:`port` (0: any free port); returns the runner."""
    runner = web.AppRunner(page.application(), access_log=None, shutdown_timeout=2)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


def address(runner: web.AppRunner) -> str:
    host, port = runner.addresses[0][:2]
    return f"http://{host}:{port}"
