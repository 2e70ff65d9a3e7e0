"""A local Telegram Bot API emulator for tests: the real aiogram Bot talks to it over HTTP.

`TelegramEmulator` is the server side (Bot API methods, updates, webhook delivery, knobs);
`TestUser` and `TestGroup` are the people side (send, press, read what the bot sent).
"""

from tests.emulator.client import BotMessage, TestGroup, TestUser
from tests.emulator.limits import Limits
from tests.emulator.server import TelegramEmulator

__all__ = ["BotMessage", "Limits", "TelegramEmulator", "TestGroup", "TestUser"]
