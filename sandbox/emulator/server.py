"""The emulator: Telegram's Bot API on 127.0.0.1.

Bot API methods live in `methods.py` and the wire format (parameters, error answers) in
`wire.py`; this module holds the state the methods share, the update queue (getUpdates or
webhook delivery) and the knobs: flood limits, blocked users, faults.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web

from sandbox.emulator.files import FileStore
from sandbox.emulator.wire import ApiError, read_params, status_text

if TYPE_CHECKING:
    from sandbox.emulator.client import TestGroup, TestUser
from sandbox.emulator.limits import Limits, RateLimiter

log = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456789:TEST-emulator-token-aaaaaaaaaaaaaaa"
UPDATE_TYPES = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
)
# Delivered when allowed_updates is empty (Telegram leaves these out unless asked).
NOT_BY_DEFAULT = {"chat_member", "message_reaction", "message_reaction_count"}


@dataclass
class Chat:
    """A chat and everything the bot sent into it, in order."""

    info: dict[str, Any]
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)  # bot messages, as sent
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # sent/edited/deleted
    next_message_id: int = 1

    @property
    def id(self) -> int:
        return int(self.info["id"])

    @property
    def is_group(self) -> bool:
        return self.info["type"] in ("group", "supergroup")

    def new_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


# Told of every message in a chat as it happens: (what, chat, record), what being "sent",
# "edited" or "deleted" (the bot's messages), "posted" (a person's) or "answered" (a button).
Listener = Callable[[str, "Chat", dict[str, Any]], None]


@dataclass
class Webhook:
    url: str
    secret_token: str | None
    allowed_updates: list[str] | None
    max_connections: int = 40


@dataclass
class Fault:
    method: str | None
    status: int
    count: int
    retry_after: int | None = None


@dataclass
class Hold:
    """Calls of `method` to `chat_id` wait at the gate until it opens (`reached`: one came)."""

    method: str
    chat_id: int
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    reached: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    status: int = 200


class TelegramEmulator:
    """The server. Start it, point the bot's TELEGRAM_API_URL at `.url`, act as users."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        limits: Limits | None = None,
        fail_rate: float = 0.0,
        slow_rate: float = 0.0,
        slow_s: float = 0.0,
        seed: int = 0,
        webhook_retry_delay: float = 0.2,
        webhook_max_attempts: int = 5,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        self.clock = clock  # the dates of messages (the sandbox's moves forward with the bot's)
        self.listeners: list[Listener] = []
        self.bot_user = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "民情通",
            "username": "test_minqing_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.limiter = RateLimiter(limits) if limits else None
        self.fail_rate = fail_rate
        self.slow_rate = slow_rate
        self.slow_s = slow_s
        self.random = random.Random(seed)
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook_max_attempts = webhook_max_attempts
        self.files = FileStore()
        self.chats: dict[int, Chat] = {}
        self.blocked: set[int] = set()
        self.faults: list[Fault] = []
        self.holds: list[Hold] = []
        self.calls: list[Call] = []
        self.unknown_methods: list[str] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.callback_queries: dict[str, dict[str, Any]] = {}
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.webhook: Webhook | None = None
        self.webhook_log: list[tuple[int, int]] = []  # (update_id, HTTP status or 0)
        self.timeline: list[str] = []  # API calls and webhook answers, in the order they happened
        self.retry_after_sent = 0
        self.paid_sent = 0  # messages sent with allow_paid_broadcast (their calls keep the flag)
        self._pending: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._changed = asyncio.Condition()
        self._poller: asyncio.Future[None] | None = None
        self._deliveries: asyncio.Queue[tuple[dict[str, Any], int]] = asyncio.Queue()
        self._delivery_tasks: list[asyncio.Task[None]] = []
        self._http: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.url = ""

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> TelegramEmulator:
        from sandbox.emulator.methods import METHODS

        self._methods = METHODS
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        self._http = aiohttp.ClientSession()
        return self

    async def stop(self) -> None:
        self._closing = True
        await self.notify()  # long polls answer at once
        for task in self._delivery_tasks:
            task.cancel()
        for task in self._delivery_tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._http:
            await self._http.close()
        if self._runner:
            await self._runner.cleanup()

    async def __aenter__(self) -> TelegramEmulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- knobs -----------------------------------------------------------------------------

    def fail_next(
        self,
        method: str | None = None,
        status: int = 500,
        count: int = 1,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next `count` calls (of `method`, or any sending method) with `status`."""
        self.faults.append(Fault(method, status, count, retry_after))

    def hold(self, method: str, chat_id: int) -> Hold:
        """Keep the calls of `method` to `chat_id` waiting until the hold's gate is set."""
        hold = Hold(method, chat_id)
        self.holds.append(hold)
        return hold

    def user(
        self,
        user_id: int,
        first_name: str = "张三",
        language_code: str | None = "zh-hans",
        **kwargs: Any,
    ) -> TestUser:
        """A person who talks to the bot in a private chat."""
        from sandbox.emulator.client import TestUser

        return TestUser(self, user_id, first_name, language_code, **kwargs)

    def group(self, chat_id: int, title: str) -> TestGroup:
        from sandbox.emulator.client import TestGroup

        return TestGroup(self, chat_id, title)

    def calls_of(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    # --- chats -----------------------------------------------------------------------------

    def chat(self, chat_id: int) -> Chat:
        return self.chats[chat_id]

    def ensure_chat(self, info: dict[str, Any]) -> Chat:
        chat = self.chats.get(info["id"])
        if chat is None:
            chat = self.chats[info["id"]] = Chat(info=dict(info))
        return chat

    def record(self, what: str, chat: Chat, record: dict[str, Any]) -> None:
        """Keep an event of the chat and tell the listeners (the sandbox's page) at once."""
        if what in ("sent", "edited", "deleted"):
            chat.events.append((what, record))
        for listener in self.listeners:
            listener(what, chat, record)

    async def notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, predicate: Any, timeout: float) -> Any:
        """Wait until `predicate()` returns something truthy; raises TimeoutError after timeout."""
        async with asyncio.timeout(timeout), self._changed:
            while not (result := predicate()):
                await self._changed.wait()
            return result

    # --- updates ---------------------------------------------------------------------------

    async def push_update(self, content: dict[str, Any]) -> dict[str, Any]:
        """Queue an update (content is e.g. {"message": {...}}); returns it with its id."""
        update = {"update_id": self._next_update_id, **content}
        self._next_update_id += 1
        kind = next(key for key in content if key in UPDATE_TYPES)
        if self.webhook is not None:
            if _allowed(kind, self.webhook.allowed_updates):
                await self._deliveries.put((update, 1))
        else:
            self._pending.append(update)
        await self.notify()
        return update

    async def get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = float(params.get("timeout") or 0)
        allowed = params.get("allowed_updates")
        if self._poller is not None and not self._poller.done():
            self._poller.set_exception(
                ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            )
        me: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._poller = me

        def ready() -> tuple[list[dict[str, Any]]] | None:
            if me.done():
                me.result()  # raises the 409 of a newer poller
            batch = [u for u in self._pending if _allowed(_kind(u), allowed)][:limit]
            return (batch,) if batch or self._closing else None

        try:
            found = await self.wait_for(ready, timeout) if timeout > 0 else ready()
            return found[0] if found else []
        except TimeoutError:
            return []
        finally:
            if self._poller is me:
                self._poller = None
            if me.done():
                me.exception()  # a newer poller's 409, retrieved even if this one timed out

    def set_webhook(self, params: dict[str, Any]) -> None:
        url = params.get("url") or ""
        if not url:
            self.webhook = None
            return
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self.webhook = Webhook(
            url=url,
            secret_token=params.get("secret_token"),
            allowed_updates=params.get("allowed_updates"),
            max_connections=int(params.get("max_connections") or 40),
        )
        for update in self._pending:
            self._deliveries.put_nowait((update, 1))
        self._pending.clear()
        while len(self._delivery_tasks) < self.webhook.max_connections:
            self._delivery_tasks.append(asyncio.create_task(self._deliver_forever()))

    def delete_webhook(self, params: dict[str, Any]) -> None:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._pending.clear()

    async def _deliver_forever(self) -> None:
        while True:
            update, attempt = await self._deliveries.get()
            webhook = self.webhook
            if webhook is None:
                self._pending.append(update)
                continue
            status = await self._post_update(webhook, update)
            self.webhook_log.append((update["update_id"], status))
            self.timeline.append(f"webhook:{status}")
            await self.notify()
            if not 200 <= status < 300 and attempt < self.webhook_max_attempts:
                await asyncio.sleep(self.webhook_retry_delay)
                await self._deliveries.put((update, attempt + 1))

    async def _post_update(self, webhook: Webhook, update: dict[str, Any]) -> int:
        assert self._http is not None
        headers = {"Content-Type": "application/json"}
        if webhook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret_token
        try:
            async with self._http.post(
                webhook.url,
                data=json.dumps(update),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=60),
            ) as response:
                return response.status
        except (aiohttp.ClientError, TimeoutError):
            return 0

    # --- HTTP ------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        params = await read_params(request)
        call = Call(method, params, time.monotonic())
        self.calls.append(call)
        self.timeline.append(method)
        handler = self._methods.get(method.lower())
        try:
            if handler is None:
                self.unknown_methods.append(method)
                raise ApiError(404, "Not Found: method not found")
            await self._apply_knobs(method, params)
            result = await handler(self, params)
        except ApiError as error:
            call.status = error.code
            if error.code == 429:
                self.retry_after_sent += 1
            return web.json_response(error.body(), status=error.code)
        await self.notify()
        return web.json_response({"ok": True, "result": result})

    async def _apply_knobs(self, method: str, params: dict[str, Any]) -> None:
        sending = method.lower().startswith(("send", "edit", "copy", "forward"))
        for fault in self.faults:
            if fault.count > 0 and (fault.method == method or (fault.method is None and sending)):
                fault.count -= 1
                raise ApiError(fault.status, status_text(fault.status), fault.retry_after)
        for hold in self.holds:
            if hold.method == method and str(params.get("chat_id")) == str(hold.chat_id):
                hold.reached.set()
                await hold.gate.wait()
        if sending and self.slow_rate and self.random.random() < self.slow_rate:
            await asyncio.sleep(self.slow_s)
        if sending and self.fail_rate and self.random.random() < self.fail_rate:
            raise ApiError(500, "Internal Server Error")

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        stored = self.files.by_path(request.match_info["path"])
        if stored is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=stored.data, content_type="application/octet-stream")


def _kind(update: dict[str, Any]) -> str:
    return next(key for key in update if key in UPDATE_TYPES)


def _allowed(kind: str, allowed: list[str] | None) -> bool:
    if not allowed:
        return kind not in NOT_BY_DEFAULT
    return kind in allowed
