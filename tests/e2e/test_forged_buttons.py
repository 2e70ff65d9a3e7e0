"""Buttons nobody drew: garbage, ids beyond 64 bits, negative ids, unknown actions. Each is
answered "this button is no longer valid", nothing is kept as a failed update, and no traceback
reaches the log."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from app.wiring import App
from bot.config import Settings
from sandbox.emulator import TelegramEmulator
from storage import updates as journal
from tests.conftest import StartBot, reset_postgres

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


# Ids a 64-bit number holds but PostgreSQL's INTEGER keys do not: once such an id reached a
# query there, the query itself failed with a traceback.
BEYOND_INTEGER_KEYS = [
    "v1co:2147483648",
    "v1od:4294967296:a:0",
    "v1pm:2147483648:p",
    "v1dw:1099511627776:l:0",
    "v1dr:2147483648:a:0",
]


@pytest.fixture
async def on_postgres(
    make_settings: Callable[..., Settings], checked_bot: StartBot
) -> AsyncIterator[App]:
    """The bot on the real PostgreSQL, with the e2e invariants checked after the test."""
    async with checked_bot(make_settings(database_url=await reset_postgres())) as app:
        yield app


@pytest.mark.postgres
@pytest.mark.parametrize("data", BEYOND_INTEGER_KEYS)
async def test_an_id_beyond_an_integer_key_is_stale_on_postgresql(
    emulator: TelegramEmulator, on_postgres: App, data: str
) -> None:
    user = emulator.user(
        900001, "管理员"
    )  # an admin: every one of these buttons is theirs to press
    await user.ask("/start")
    query = await user.press_data(1, data)
    answer = await user.callback_answer(query)
    assert STALE in (answer.get("text") or "")
    assert await journal.failed_updates(on_postgres.database, on_postgres.bot.id) == []
