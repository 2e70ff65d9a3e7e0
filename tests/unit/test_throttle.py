"""The outgoing throttle with a controllable clock: limits, priorities and 429 pauses."""

from __future__ import annotations

import asyncio

import pytest

from bot.telegram.throttle import SECOND_S, Throttle
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
    assert limiter.line_delay(interactive=False) > 0  # the broadcast share is used up
    assert limiter.line_delay(interactive=True) == 0  # a reply still goes now
    for chat in range(1000, 1005):
        await limiter.wait(chat, interactive=True)
    assert clock.now == 0
    assert limiter.line_delay(interactive=True) > 0  # 30 a second in all


async def test_replies_go_before_broadcasts_in_the_order_they_came() -> None:
    clock = Clock()
    limiter = Throttle(25, global_per_s=1, clock=clock, sleep=clock.sleep)
    sent: list[str] = []

    async def send(name: str, interactive: bool) -> None:
        await limiter.wait(int(name[1:]), interactive=interactive)
        sent.append(name)

    # Queued in this order while the second's one message is used up.
    await limiter.wait(0, interactive=True)
    waiting = [("b1", False), ("r2", True), ("b3", False), ("r4", True), ("r5", True)]
    await asyncio.gather(*(send(name, interactive) for name, interactive in waiting))
    assert sent == ["r2", "r4", "r5", "b1", "b3"]


async def test_a_message_held_by_its_own_chat_holds_up_nobody() -> None:
    clock = Clock()
    limiter = throttle(clock)
    await limiter.wait(-100, is_group=True, interactive=True)
    sent: list[int] = []

    async def send(chat: int) -> None:
        await limiter.wait(chat, is_group=chat < 0, interactive=True)
        sent.append(chat)

    await asyncio.gather(send(-100), send(7), send(8))
    assert sent == [7, 8, -100]


async def test_a_message_answered_late_counts_from_its_answer() -> None:
    clock = Clock()
    limiter = Throttle(25, global_per_s=2, clock=clock, sleep=clock.sleep)
    async with limiter.sending(1, interactive=True):
        clock.now += 0.5  # Telegram answers half a second after the message was counted
    await limiter.wait(2, interactive=True)
    await limiter.wait(3, interactive=True)  # two in the second since the answer
    assert clock.now == pytest.approx(0.5 + SECOND_S)


async def test_a_message_answered_in_time_counts_from_when_it_was_counted() -> None:
    clock = Clock()
    limiter = Throttle(25, global_per_s=2, clock=clock, sleep=clock.sleep)
    async with limiter.sending(1, interactive=True):
        clock.now += 0.02
    await limiter.wait(2, interactive=True)
    await limiter.wait(3, interactive=True)
    assert clock.now == pytest.approx(SECOND_S)


async def test_a_429_pauses_everyone() -> None:
    clock = Clock()
    limiter = throttle(clock)
    limiter.pause(5)
    await limiter.wait(1, interactive=True)
    assert clock.now == pytest.approx(5.0)
    await limiter.wait(2)
    assert clock.now == pytest.approx(5.0)


async def test_paid_broadcasts_keep_to_the_paid_rate_outside_the_free_one() -> None:
    clock = Clock()
    limiter = Throttle(25, paid_rate=1000, clock=clock, sleep=clock.sleep)
    for chat in range(3000):
        await limiter.wait(chat, paid=True)
    assert 2.0 <= clock.now <= 3.2  # 3,000 at 1000 a second, not at 25
    assert limiter.line_delay(interactive=False) == 0  # the free share is untouched
    assert limiter.line_delay(interactive=True) == 0
    await limiter.wait(5, paid=True)  # one a second into a chat still holds
    assert clock.now >= 3.0


async def test_a_paid_message_answered_late_is_counted_from_its_answer() -> None:
    clock = Clock()
    limiter = Throttle(25, paid_rate=2, clock=clock, sleep=clock.sleep)
    async with limiter.sending(1, paid=True):
        clock.now += 0.5  # Telegram answers late
    async with limiter.sending(2, paid=True):
        pass
    started = clock.now
    await limiter.wait(3, paid=True)  # the first now counts from 0.5: free again at 1.53
    assert clock.now - started == pytest.approx(SECOND_S, abs=0.01)
