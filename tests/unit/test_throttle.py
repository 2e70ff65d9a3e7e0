"""The outgoing throttle with a controllable clock: limits, priorities and 429 pauses."""

from __future__ import annotations

import pytest

from bot.throttle import Throttle
from tests.helpers import Clock


def throttle(clock: Clock, rate: float = 25) -> Throttle:
    return Throttle(rate, clock=clock, sleep=clock.sleep)


async def test_broadcasts_keep_to_their_rate() -> None:
    clock = Clock()
    limiter = throttle(clock, rate=25)
    for chat in range(100):
        await limiter.wait(chat)
    assert 3.0 <= clock.now <= 4.0  # 100 messages at 25 a second


async def test_one_broadcast_a_second_into_one_chat() -> None:
    clock = Clock()
    limiter = throttle(clock)
    for _ in range(3):
        await limiter.wait(7)
    assert clock.now == pytest.approx(2.0)


async def test_a_reply_of_several_messages_goes_as_a_burst() -> None:
    clock = Clock()
    limiter = throttle(clock)
    for _ in range(3):
        await limiter.wait(7, interactive=True)
    assert clock.now == 0


async def test_twenty_a_minute_into_a_group() -> None:
    clock = Clock()
    limiter = Throttle(25, chat_interval_s=0, clock=clock, sleep=clock.sleep)
    for _ in range(21):
        await limiter.wait(-100, is_group=True)
    assert clock.now == pytest.approx(60.0)


async def test_interactive_replies_may_use_the_headroom() -> None:
    clock = Clock()
    limiter = throttle(clock, rate=25)
    for chat in range(25):
        await limiter.wait(chat)
    assert clock.now == 0
    assert limiter.delay(1000, False, interactive=False) > 0  # the broadcast share is used up
    assert limiter.delay(1000, False, interactive=True) == 0  # a reply still goes now
    for chat in range(1000, 1005):
        await limiter.wait(chat, interactive=True)
    assert clock.now == 0
    assert limiter.delay(2000, False, interactive=True) > 0  # 30 a second in all


async def test_replies_go_before_broadcasts() -> None:
    clock = Clock()
    limiter = throttle(clock)
    limiter._interactive_waiting = 1  # someone waits for an answer
    assert limiter.delay(5, False, interactive=False) > 0
    limiter._interactive_waiting = 0
    assert limiter.delay(5, False, interactive=False) == 0


async def test_a_429_pauses_everyone() -> None:
    clock = Clock()
    limiter = throttle(clock)
    limiter.pause(5)
    await limiter.wait(1, interactive=True)
    assert clock.now == pytest.approx(5.0)
    await limiter.wait(2)
    assert clock.now == pytest.approx(5.0)
