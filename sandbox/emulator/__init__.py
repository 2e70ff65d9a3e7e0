"""A local Telegram Bot API emulator: the real aiogram Bot talks to it over HTTP.

`TelegramEmulator` is the server side (Bot API methods, updates, webhook delivery, knobs);
`TestUser` and `TestGroup` are the people side (send, press, read what the bot sent), used by
the tests and by the sandbox's page alike.
"""

from sandbox.emulator.client import BotMessage, TestGroup, TestUser
from sandbox.emulator.limits import Limits
from sandbox.emulator.server import TelegramEmulator

__all__ = ["BotMessage", "Limits", "TelegramEmulator", "TestGroup", "TestUser"]
