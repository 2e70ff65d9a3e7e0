"""Before a command that needs Telegram starts its work: is the token Telegram's, and is
Telegram there? Each failure is one line saying what to do, not a traceback."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # aiogram is loaded by the commands that talk to Telegram, not by this module
    from aiogram import Bot
    from aiogram.types import User

# One call, not retried: a first answer this slow means Telegram cannot be reached from here.
CHECK_TIMEOUT_S = 15.0


class TelegramUnavailable(Exception):
    """Telegram refused the token, or could not be reached: the message says what to do."""


async def check_telegram(bot: Bot, api_url: str | None) -> User:
    """The bot as Telegram knows it; TelegramUnavailable when the token is refused or Telegram
    cannot be reached."""
    from aiogram.exceptions import (
        TelegramNetworkError,
        TelegramServerError,
        TelegramUnauthorizedError,
    )

    where = api_url or "https://api.telegram.org"
    try:
        return await asyncio.wait_for(bot.get_me(), CHECK_TIMEOUT_S)
    except TelegramUnauthorizedError:
        raise TelegramUnavailable(
            "Telegram refused BOT_TOKEN (401 Unauthorized): put the token @BotFather gave you in "
            ".env"
        ) from None
    except (TelegramNetworkError, TelegramServerError, TimeoutError, OSError) as error:
        raise TelegramUnavailable(
            f"cannot reach Telegram at {where} ({type(error).__name__}): check the network, or "
            "TELEGRAM_API_URL if you use a local Bot API server"
        ) from None
