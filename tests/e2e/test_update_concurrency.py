"""UPDATE_CONCURRENCY: one process handles at most that many updates at once, by polling and by
webhook; the others wait their turn and are all answered."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from app.wiring import App
from bot.config import Settings
from sandbox.emulator import TelegramEmulator
from tests.conftest import StartBot, webhook_bot

USERS = 6
SEND_S = 0.2  # every message the bot sends takes this long: updates overlap
SECRET = "webhook-secret_123"


async def most_at_once(emulator: TelegramEmulator, app: App) -> int:
    """Six people write at once; the most updates the bot had in hand at any moment."""
    emulator.slow_rate, emulator.slow_s = 1.0, SEND_S
    users = [emulator.user(5100 + n, f"居民{n}") for n in range(USERS)]
    answers = asyncio.gather(*(user.ask("/start", timeout=USERS * 3) for user in users))
    peak = 0.0
    while not answers.done():
        now = app.metrics.registry.get_sample_value("minqing_updates_in_progress") or 0.0
        peak = max(peak, now)
        await asyncio.sleep(0.01)
    assert all("您好" in (answer.text or "") for answer in await answers)  # nobody is lost
    return int(peak)


@pytest.mark.parametrize(("limit", "expected"), [(2, 2), (USERS, USERS)])
async def test_polling_handles_at_most_the_limit_at_once(
    emulator: TelegramEmulator,
    make_settings: Callable[..., Settings],
    checked_bot: StartBot,
    limit: int,
    expected: int,
) -> None:
    async with checked_bot(make_settings(update_concurrency=limit)) as app:
        assert await most_at_once(emulator, app) == expected


@pytest.mark.parametrize(("limit", "expected"), [(2, 2), (USERS, USERS)])
async def test_webhook_handles_at_most_the_limit_at_once(
    emulator: TelegramEmulator,
    make_settings: Callable[..., Settings],
    checked_bot: StartBot,
    unused_tcp_port: int,
    limit: int,
    expected: int,
) -> None:
    settings = make_settings(
        update_concurrency=limit,
        webhook_url=f"http://127.0.0.1:{unused_tcp_port}/tg/hook",
        webhook_secret=SECRET,
        webhook_port=unused_tcp_port,
    )
    async with checked_bot(settings, start=webhook_bot) as app:
        assert await most_at_once(emulator, app) == expected
