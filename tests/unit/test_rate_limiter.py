"""The emulator's flood limits (its own tests): Telegram's windows, answered with retry_after."""

from __future__ import annotations

from sandbox.emulator.limits import Limits, RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_one_message_per_second_into_a_chat() -> None:
    clock = Clock()
    limiter = RateLimiter(Limits(), clock)
    assert limiter.acquire(1, is_group=False) is None
    assert limiter.acquire(1, is_group=False) == 1
    assert limiter.acquire(2, is_group=False) is None  # another chat is free
    clock.now += 1.01
    assert limiter.acquire(1, is_group=False) is None


def test_thirty_per_second_overall() -> None:
    clock = Clock()
    limiter = RateLimiter(Limits(), clock)
    for chat in range(30):
        assert limiter.acquire(chat, is_group=False) is None
    assert limiter.acquire(99, is_group=False) == 1
    clock.now += 1.01
    assert limiter.acquire(99, is_group=False) is None


def test_twenty_per_minute_into_a_group() -> None:
    clock = Clock()
    limiter = RateLimiter(Limits(chat_per_s=100), clock)
    for _ in range(20):
        assert limiter.acquire(-5, is_group=True) is None
        clock.now += 0.5
    wait = limiter.acquire(-5, is_group=True)
    assert wait is not None
    assert 45 <= wait <= 51
    clock.now += wait
    assert limiter.acquire(-5, is_group=True) is None


def test_an_album_counts_each_item() -> None:
    limiter = RateLimiter(Limits(chat_per_s=10), Clock())
    assert limiter.acquire(1, is_group=False, count=10) is None
    assert limiter.acquire(1, is_group=False, count=1) == 1
