"""Buttons nobody drew: garbage, ids beyond 64 bits, negative ids, unknown actions. Each is
answered "this button is no longer valid", nothing is kept as a failed update, and no traceback
reaches the log."""

from __future__ import annotations

import pytest

from app.wiring import App
from sandbox.emulator import TelegramEmulator
from storage import updates as journal

STALE = "这个按钮已经失效"

FORGED = [
    "v1od:99999999999999999999:accept:0",  # an id beyond 64 bits
    "v1od:-5:accept:0",
    "v1co:18446744073709551616",
    "v1fb:1:rate:99999999999999999999999",
    "v1rc:1:99999999999999999999",
    "v1od:1:launch:0",  # an action that does not exist
    "v1od",
    "garbage",
    ":::",
    "v1pm:9223372036854775808:pause",
    "v1rbl:2026:13:x",
]


@pytest.mark.parametrize("data", FORGED)
async def test_a_forged_button_is_answered_and_not_kept_as_failed(
    emulator: TelegramEmulator, bot_app: App, data: str
) -> None:
    user = emulator.user(9301, "试")
    await user.ask("/start")
    query = await user.press_data(1, data)
    answer = await user.callback_answer(query)
    assert STALE in (answer.get("text") or "")
    assert await journal.failed_updates(bot_app.database, bot_app.bot.id) == []
