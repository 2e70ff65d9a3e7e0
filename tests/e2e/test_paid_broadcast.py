"""Paid broadcasting: with PAID_BROADCAST on, an urgent notice goes out with Telegram's
`allow_paid_broadcast` at the paid rate (the emulator enforcing 1000/s for it and 30/s for the
rest), a plain one keeps the free limits without the flag, and the composer's preview states
the time and the cost in Stars before the author confirms."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from app.admin_cli import DEMO_FILE
from app.wiring import App
from bot.config import Settings
from bot.notices import outbox
from bot.notices.paid import Estimate, PaidBroadcast
from bot.places.areas import import_file
from sandbox.emulator import Limits, TelegramEmulator
from tests.conftest import StartBot
from tests.e2e.test_broadcast import audience, sent_to
from tests.e2e.test_notices import ADMIN, compose, subscribe, until_reported

PAID = {"paid_broadcast": True}


def flags(emu: TelegramEmulator, first: int = 0) -> list[object]:
    """allow_paid_broadcast of each successful sendMessage to the audience, in order."""
    return [
        call.params.get("allow_paid_broadcast")
        for call in emu.calls_of("sendMessage")[first:]
        if call.status == 200 and int(call.params["chat_id"]) >= 50_000
    ]


async def wait_sent(app: App, notice_id: int, count: int) -> None:
    for _ in range(1200):
        if (await outbox.progress(app.database, notice_id)).sent == count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the notice was not sent")


async def test_an_urgent_notice_goes_out_paid_and_a_plain_one_does_not(
    make_settings: Callable[..., Settings],
    checked_bot: StartBot,
) -> None:
    count = 400  # 13 s at the free 30/s
    async with (
        TelegramEmulator(limits=Limits()) as emu,
        checked_bot(make_settings(telegram_api_url=emu.url, **PAID), emu=emu) as app,
    ):
        people = await audience(app.database, emu, count)
        started = time.monotonic()
        urgent = await outbox.create_notice(
            app.database, None, "台风红色预警，请立即转移", people, True
        )
        await emu.wait_for(lambda: len(sent_to(emu)) == count, 60)
        took = time.monotonic() - started
        await wait_sent(app, urgent.id, count)
        assert set(sent_to(emu).values()) == {1}  # everyone once
        assert flags(emu) == [True] * count  # every message with the flag
        assert emu.paid_sent == count  # and the emulator saw it
        assert emu.retry_after_sent == 0  # within the paid limit
        assert took < count / 30  # faster than the free limit allows

        first = len(emu.calls_of("sendMessage"))
        plain = await outbox.create_notice(app.database, None, "本周六犬只免疫", people[:40], False)
        await wait_sent(app, plain.id, 40)
        assert flags(emu, first) == [None] * 40  # the free limits, no flag
        assert emu.paid_sent == count
        assert emu.retry_after_sent == 0


async def test_without_the_setting_an_urgent_notice_is_not_paid(
    make_settings: Callable[..., Settings],
    checked_bot: StartBot,
) -> None:
    async with (
        TelegramEmulator(limits=Limits()) as emu,
        checked_bot(make_settings(telegram_api_url=emu.url), emu=emu) as app,
    ):
        people = await audience(app.database, emu, 20)
        notice = await outbox.create_notice(app.database, None, "停水通知", people, True)
        await wait_sent(app, notice.id, 20)
        assert flags(emu) == [None] * 20
        assert emu.paid_sent == 0


async def test_the_preview_states_time_and_stars_for_an_urgent_paid_notice(
    emulator: TelegramEmulator, make_settings: Callable[..., Settings], checked_bot: StartBot
) -> None:
    async with checked_bot(make_settings(**PAID)) as app:
        await import_file(app.database, DEMO_FILE)
        residents = [emulator.user(7300 + n, f"幸福{n}") for n in range(3)]
        for user in residents:
            await subscribe(user, "幸福社区")
        admin = emulator.user(ADMIN, "街道管理员")
        await admin.ask("/start")
        preview = await compose(
            admin,
            "台风红色预警：请立即转移",
            "👥 订阅的居民",
            "🏙 全街道",
            "全部订阅者",
            "⚡ 立即发送",
        )
        assert "收件人数：3" in (preview.text or "")
        assert "付费群发" not in (preview.text or "")  # not urgent: free, nothing to pay
        await admin.press(preview, "紧急（免打扰时段也发送）")
        await emulator.wait_for(lambda: "付费群发" in (preview.text or ""), 5)
        # 3 messages at 1000/s: a second, each billed (0.1 Star), against 1 s at the free 25/s
        assert "约 1 秒送达全部收件人（免费速率需约 1 秒），预计花费 0.3 星" in (preview.text or "")
        await admin.press(preview, "✓ 紧急（免打扰时段也发送）")  # off again: no estimate
        await emulator.wait_for(lambda: "付费群发" not in (preview.text or ""), 5)
        await admin.press(preview, "紧急（免打扰时段也发送）")
        await emulator.wait_for(lambda: "付费群发" in (preview.text or ""), 5)
        first = len(emulator.calls_of("sendMessage"))
        await admin.press(preview, "✅ 确认发布")
        for user in residents:
            assert "台风红色预警" in ((await user.next_message()).text or "")
        await until_reported(admin)
        paid = [
            call.params.get("allow_paid_broadcast")
            for call in emulator.calls_of("sendMessage")[first:]
            if int(call.params["chat_id"]) in {user.id for user in residents}
        ]
        assert paid == [True, True, True]


def test_the_estimate_of_a_street_wide_alert() -> None:
    """100,000 at 1000/s: 100 s; the first 30 a second are free, 97,000 cost 0.1 Star each."""
    paid = PaidBroadcast(enabled=True)
    assert paid.estimate(100_000, True, 25) == Estimate(100, 9700.0)
    assert paid.estimate(100_000, False, 25) == Estimate(4000, 0.0)  # urgent only: free
    assert PaidBroadcast(enabled=True, for_all=True).applies(False)
    assert not PaidBroadcast().applies(True)  # off by default
    assert PaidBroadcast(enabled=True, rate=500).estimate(1000, True, 25) == Estimate(2, 94.0)
