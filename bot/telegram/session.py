"""The Bot and its one HTTP session, with retries of failed calls in one place."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import AnswerCallbackQuery, GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.telegram.throttle import Throttle

log = logging.getLogger(__name__)

T = TypeVar("T")

# Telegram's own limits, by name.
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
ALBUM_LIMIT = 10
DOWNLOAD_LIMIT = 20 * 1024 * 1024
UPLOAD_LIMIT = 50 * 1024 * 1024  # a file a bot sends

# Telegram's answer to a button answered after its time (about 15 s) or answered twice.
TOO_OLD = "query is too old"

BlockedCallback = Callable[[int], Awaitable[None]]
SENDING = ("send", "copy", "forward", "edit")


# Set by the broadcast sender: its messages yield to interactive replies in the throttle.
broadcasting: ContextVar[bool] = ContextVar("broadcasting", default=False)


# How long one call waits out Telegram's 429s in all: minutes, but below the update journal's
# stale claim (5 minutes), so an update whose reply waits is never taken over meanwhile.
RETRY_AFTER_BUDGET_S = 180.0


class RetryMiddleware(BaseRequestMiddleware):
    """Every outgoing call: the throttle first, then 429s waited out (and shared with the
    throttle), 5xx and network errors retried with backoff, blocked chats reported."""

    def __init__(
        self,
        on_blocked: BlockedCallback | None = None,
        attempts: int = 5,
        backoff_s: float = 0.5,
        max_retry_after_s: float = 120,
        throttle: Throttle | None = None,
        retry_after_budget_s: float = RETRY_AFTER_BUDGET_S,
    ) -> None:
        self.throttle = throttle or Throttle()
        self.on_blocked = on_blocked
        self.attempts = attempts
        self.backoff_s = backoff_s
        self.max_retry_after_s = max_retry_after_s
        self.retry_after_budget_s = retry_after_budget_s
        self.retry_after_count = 0

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, GetUpdates):  # the polling loop has its own backoff
            return await make_request(bot, method)
        try:
            return await self.send(partial(make_request, bot, method), Outgoing.of(method))
        except TelegramBadRequest as error:
            if isinstance(method, AnswerCallbackQuery) and TOO_OLD in error.message:
                # The person's spinner stopped by itself long ago (an update replayed, or
                # handled after a long wait): nothing is left to answer, nothing failed.
                log.info("button of %s answered too late", method.callback_query_id)
                return True  # type: ignore[return-value]  # (the chain returns results)
            raise

    async def send(self, request: Callable[[], Awaitable[T]], outgoing: Outgoing) -> T:
        """`request` (one call to Telegram) through the throttle, with the retries above; also
        for calls that do not go through aiogram's chain (bot/telegram/prepared.py)."""
        failures, waited = 0, 0.0
        while True:
            try:
                return await self._throttled(request, outgoing)
            except TelegramRetryAfter as error:
                # Not a failure: Telegram says when to come back. Waited out for as long as it
                # asks, up to a budget of time, not a count of answers.
                self.retry_after_count += 1
                await self.throttle.pause_everyone(error.retry_after)
                waited += error.retry_after
                if error.retry_after > self.max_retry_after_s or waited > self.retry_after_budget_s:
                    raise
                log.warning("429 on %s: waiting %ss", outgoing.api_method, error.retry_after)
                await asyncio.sleep(error.retry_after)
            except (TelegramServerError, TelegramNetworkError, ClientDecodeError) as error:
                failures += 1
                if failures >= self.attempts:
                    raise
                delay = self.backoff_s * 2 ** (failures - 1)
                log.warning("%s on %s: retry in %.1fs", error, outgoing.api_method, delay)
                await asyncio.sleep(delay)
            except TelegramForbiddenError:
                await self._report_blocked(outgoing.chat_id)
                raise

    async def _throttled(self, request: Callable[[], Awaitable[T]], outgoing: Outgoing) -> T:
        chat_id = outgoing.chat_id
        if chat_id is None or not outgoing.api_method.startswith(SENDING):
            return await request()
        interactive = not broadcasting.get()
        async with self.throttle.sending(
            chat_id, is_group=chat_id < 0, interactive=interactive, paid=outgoing.paid
        ):
            return await request()

    async def _report_blocked(self, chat_id: int | None) -> None:
        if self.on_blocked is not None and chat_id is not None and chat_id > 0:
            try:
                await self.on_blocked(chat_id)
            except Exception:
                log.exception("could not mark chat %s unreachable", chat_id)


@dataclass(frozen=True)
class Outgoing:
    """What the throttle and the retries need to know of a call."""

    api_method: str  # as Telegram spells it: sendMessage
    chat_id: int | None  # the chat it sends to, if any
    paid: bool = False  # sent with allow_paid_broadcast

    @classmethod
    def of(cls, method: TelegramMethod[Any]) -> Outgoing:
        chat_id = getattr(method, "chat_id", None)
        return cls(
            method.__api_method__,
            chat_id if isinstance(chat_id, int) else None,
            getattr(method, "allow_paid_broadcast", None) is True,
        )


def retries_of(bot: Bot) -> RetryMiddleware:
    """The bot's RetryMiddleware (create_bot gives every bot one), or a new one with the default
    limits for a Bot made otherwise."""
    found = (m for m in bot.session.middleware if isinstance(m, RetryMiddleware))
    return next(found, None) or RetryMiddleware()


def api_server(base_url: str | None) -> TelegramAPIServer:
    """Telegram's servers, or a local Bot API server or emulator at `base_url`."""
    return TelegramAPIServer.from_base(base_url) if base_url else PRODUCTION


def create_bot(token: str, api_url: str | None, retry: RetryMiddleware) -> Bot:
    """A Bot that sends HTML by default, every call passing through `retry`."""
    session = AiohttpSession(api=api_server(api_url))
    session.middleware(retry)
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
