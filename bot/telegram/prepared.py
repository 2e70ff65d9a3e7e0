"""One message for many chats, built and encoded once: the broadcast sender's way to Telegram.

aiogram spends most of a call's CPU on work that is the same for every recipient of a notice:
validating the method's fields, encoding them as a form, and validating the answer into a
Message nobody reads (`bench/RESULTS.md`, issue 19). A PreparedMessage lets aiogram build and
encode the method once (its fields as aiogram would send them, defaults such as parse_mode
applied), then each send adds the chat and posts the same bytes on the bot's own HTTP session,
through the same throttle and retries as every other call (`RetryMiddleware.send`). An answer
is read only for `ok`; anything else goes through aiogram's own `check_response`, so errors
raise the exceptions every other call raises. The bot's other request middlewares (the update
journal's, which only watches getUpdates) do not see these calls.
"""

from __future__ import annotations

import json
from functools import partial
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiohttp import ClientError, ClientTimeout

from bot.telegram.session import Outgoing, RetryMiddleware, retries_of

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class PreparedMessage:
    """`method` (whose `chat_id` is a placeholder) ready to be sent to any chat."""

    def __init__(self, bot: Bot, method: TelegramMethod[Any], retries: RetryMiddleware) -> None:
        self.bot = bot
        self.method = method
        self.retries = retries
        self.api_method = method.__api_method__
        self.paid = getattr(method, "allow_paid_broadcast", None) is True
        self._url = bot.session.api.api_url(token=bot.token, method=self.api_method)
        self._tail = _encoded_fields(bot, method)
        self._timeout = ClientTimeout(total=bot.session.timeout)

    @classmethod
    def of(cls, bot: Bot, method: TelegramMethod[Any]) -> PreparedMessage:
        return cls(bot, method, retries_of(bot))

    async def send(self, chat_id: int) -> None:
        """Send it to `chat_id`; raises what `bot(method)` would raise, after the same retries."""
        outgoing = Outgoing(self.api_method, chat_id, self.paid)
        await self.retries.send(partial(self._post, chat_id), outgoing)

    async def _post(self, chat_id: int) -> None:
        http = await self.bot.session.create_session()
        body = b"chat_id=%d" % chat_id + self._tail
        try:
            async with http.post(
                self._url, data=body, headers=FORM, timeout=self._timeout
            ) as response:
                status, content = response.status, await response.text()
        except TimeoutError as error:
            raise TelegramNetworkError(self._for(chat_id), "Request timeout error") from error
        except ClientError as error:
            message = f"{type(error).__name__}: {error}"
            raise TelegramNetworkError(self._for(chat_id), message) from error
        if HTTPStatus.OK <= status <= HTTPStatus.IM_USED and _ok(content):
            return
        method = self._for(chat_id)
        self.bot.session.check_response(self.bot, method, status, content)  # raises its error
        raise TelegramAPIError(method, f"unexpected answer {status}")  # (it did not)

    def _for(self, chat_id: int) -> TelegramMethod[Any]:
        """The method as sent to `chat_id`, for the exceptions that name it."""
        return self.method.model_copy(update={"chat_id": chat_id})


def _encoded_fields(bot: Bot, method: TelegramMethod[Any]) -> bytes:
    """The method's fields but its chat, as aiogram's session would put them in its form."""
    files: dict[str, Any] = {}
    fields: dict[str, str] = {}
    for key, value in method.model_dump(warnings=False).items():
        prepared = bot.session.prepare_value(value, bot=bot, files=files)
        if key != "chat_id" and prepared:
            fields[key] = str.__str__(prepared)  # an enum's value (HTML), not its name
    if files:
        raise ValueError("a prepared message sends files already on Telegram, not uploads")
    return ("&" + urlencode(fields)).encode() if fields else b""


def _ok(content: str) -> bool:
    try:
        answer = json.loads(content)
    except ValueError:
        return False
    return isinstance(answer, dict) and answer.get("ok") is True
