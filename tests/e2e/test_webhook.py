"""Webhook mode: the secret token is checked, each update is handled before the answer,
a failure is answered 500 so Telegram delivers it again, and a redelivery is not handled twice."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from app.clock import keep_interrupted
from app.runner import replay_failed
from app.wiring import App
from bot.config import Settings
from sandbox.emulator import TelegramEmulator
from storage import updates as journal
from storage.models import Case, CaseStatus, Person, UpdateRecord, UpdateState
from storage.types import utcnow
from tests.conftest import StartBot, webhook_bot
from tests.helpers import TELEGRAM_500_LOGGED

SECRET = "webhook-secret_123"


def start_update(update_id: int, chat_id: int, sender: dict[str, Any] | None) -> dict[str, Any]:
    """The update Telegram sends for "/start" in a private chat."""
    message = {"message_id": 1, "date": 0, "chat": {"id": chat_id, "type": "private"}}
    return {"update_id": update_id, "message": {**message, "from": sender, "text": "/start"}}


@pytest.fixture
async def webhook_app(
    make_settings: Callable[..., Settings], checked_bot: StartBot, unused_tcp_port: int
) -> AsyncIterator[App]:
    """The bot served by webhook; after the test, the promises of tests/invariants.py."""
    settings = make_settings(
        webhook_url=f"http://127.0.0.1:{unused_tcp_port}/tg/hook",
        webhook_secret=SECRET,
        webhook_port=unused_tcp_port,
    )
    async with checked_bot(settings, start=webhook_bot) as app:
        app.retry.backoff_s = 0.01
        yield app


async def test_updates_arrive_by_webhook(emulator: TelegramEmulator, webhook_app: App) -> None:
    assert emulator.webhook is not None
    assert emulator.webhook.secret_token == SECRET
    assert set(emulator.webhook.allowed_updates or []) == {
        "message",
        "edited_message",  # a live location's moves (patrol tracks)
        "callback_query",
        "my_chat_member",
    }
    user = emulator.user(3001, "蒋")
    assert "您好，蒋" in ((await user.ask("/start")).text or "")
    await emulator.wait_for(lambda: emulator.webhook_log, 5)
    assert emulator.webhook_log == [(1, 200)]
    # The reply was sent before the webhook call was answered: handled first, then 200.
    assert emulator.timeline.index("sendMessage") < emulator.timeline.index("webhook:200")


@pytest.mark.parametrize("secret", [None, "wrong", SECRET + "x"])
async def test_a_wrong_secret_is_refused(webhook_app: App, secret: str | None) -> None:
    update = start_update(99, 1, None)
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    async with aiohttp.ClientSession() as http:
        response = await http.post(
            webhook_app.settings.webhook_url or "", json=update, headers=headers
        )
    assert response.status == 401
    assert await journal.get_record(webhook_app.database, webhook_app.bot.id, 99) is None


async def test_a_malformed_update_is_refused(webhook_app: App) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as http:
        response = await http.post(
            webhook_app.settings.webhook_url or "", data=json.dumps({"nope": 1}), headers=headers
        )
    assert response.status == 400


@TELEGRAM_500_LOGGED
async def test_a_failure_is_redelivered_and_handled_once(
    emulator: TelegramEmulator, webhook_app: App
) -> None:
    user = emulator.user(3002, "沈")
    emulator.fail_next("sendMessage", status=500, count=webhook_app.retry.attempts)
    await user.send("/start")
    apology = await user.next_message()
    assert "抱歉" in (apology.text or "")
    greeting = await user.next_message()  # Telegram delivered it again, and it worked
    assert "您好，沈" in (greeting.text or "")
    await emulator.wait_for(lambda: len(emulator.webhook_log) == 2, 5)
    assert emulator.webhook_log == [(1, 500), (1, 200)]
    record = await journal.get_record(webhook_app.database, webhook_app.bot.id, 1)
    assert record is not None
    assert (record.state, record.attempts) == (UpdateState.HANDLED, 2)

    # A redelivery of an update already handled (e.g. the 200 was lost) is skipped.
    update = start_update(1, 3002, user.user)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with aiohttp.ClientSession() as http:
        response = await http.post(
            webhook_app.settings.webhook_url or "", json=update, headers=headers
        )
    assert response.status == 200
    await user.expect_silence()


@TELEGRAM_500_LOGGED
async def test_a_failure_that_persists_is_kept_after_three_attempts(
    emulator: TelegramEmulator, webhook_app: App
) -> None:
    user = emulator.user(3003, "韩")
    emulator.fail_next("sendMessage", status=500, count=100)
    await user.send("/help")
    await emulator.wait_for(lambda: len(emulator.webhook_log) >= 3, 20)
    await user.expect_silence(0.5)
    assert [status for _, status in emulator.webhook_log] == [500, 500, 200]
    record = await journal.get_record(webhook_app.database, webhook_app.bot.id, 1)
    assert record is not None
    assert (record.state, record.attempts) == (UpdateState.FAILED, 3)


async def test_an_update_another_instance_died_handling_is_not_lost(
    emulator: TelegramEmulator, webhook_app: App
) -> None:
    """An instance claimed update 1 and died. Its deliveries are answered 503 (it may still be
    alive), not 200 as if handled; once the claim is stale the update is kept as failed, with its
    payload, and a replay answers the resident."""
    database, bot_id = webhook_app.database, webhook_app.bot.id
    user = emulator.user(3004, "秦")
    assert (
        await journal.claim(database, bot_id, 1, start_update(1, 3004, user.user))
        is journal.Claim.TAKEN
    )
    await user.send("/start")
    await emulator.wait_for(lambda: len(emulator.webhook_log) == emulator.webhook_max_attempts, 20)
    assert {status for _, status in emulator.webhook_log} == {503}
    await user.expect_silence(0.3)

    async with database.transaction() as session:  # five minutes later
        await session.execute(
            update(UpdateRecord).values(updated_at=utcnow() - journal.STALE_CLAIM * 2)
        )
    assert await keep_interrupted(database) == 1
    assert await replay_failed(webhook_app) == (1, 0)
    assert "您好，秦" in ((await user.next_message()).text or "")


async def test_metrics_count_updates_and_read_cases(
    emulator: TelegramEmulator, webhook_app: App
) -> None:
    async with webhook_app.database.transaction() as session:
        reporter = Person(tg_id=777, name="r")
        session.add(reporter)
        await session.flush()
        session.add_all(
            [
                Case(reporter_id=reporter.id, status=CaseStatus.NEW, number="T1"),
                Case(reporter_id=reporter.id, status=CaseStatus.NEW, number="T2"),
                Case(reporter_id=reporter.id, status=CaseStatus.CLOSED, number="T3"),
                Case(reporter_id=reporter.id, status=CaseStatus.DRAFT),
            ]
        )
    user = emulator.user(3002, "韩")
    await user.ask("/start")
    await user.ask("/help")
    await emulator.wait_for(lambda: len(emulator.webhook_log) >= 2, 5)
    base = (webhook_app.settings.webhook_url or "").rsplit("/tg/hook", 1)[0]
    async with aiohttp.ClientSession() as http:
        response = await http.get(f"{base}/metrics")
        text = await response.text()
    assert response.status == 200
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    assert samples[("minqing_updates_total", (("outcome", "handled"),))] == 2
    assert samples[("minqing_update_handling_seconds_count", ())] == 2
    assert samples[("minqing_cases", (("status", "new"),))] == 2
    assert samples[("minqing_cases", (("status", "closed"),))] == 1
    assert ("minqing_cases", (("status", "draft"),)) not in samples
    assert samples[("minqing_telegram_retry_after_total", ())] == 0
