"""The shared send budget saturated: N replies (default 100) wait at once in each of 1, then 2
processes (throttles with a Redis client of their own, here in one process), each into a chat of
its own, at Telegram's 30 a second. Counted: the budget's Redis script calls per message sent,
which the waiting messages should not multiply. Redis is `BENCH_REDIS_URL` (default db 14 on
127.0.0.1); the keys have a prefix of their own and expire by themselves.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from typing import Any

from redis.asyncio import Redis

from bench.common import Stopwatch, report
from bot.telegram.shared_budget import SharedBudget
from bot.telegram.throttle import Throttle

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
BOT_ID = 424242


def _counted(budget: SharedBudget) -> list[None]:
    """One entry per script call the budget makes to reserve a message."""
    calls: list[None] = []
    reserve = budget.reserve

    async def counting(chat_id: int, is_group: bool, interactive: bool) -> Any:
        calls.append(None)
        return await reserve(chat_id, is_group, interactive)

    budget.reserve = counting  # type: ignore[method-assign]
    return calls


async def _one_run(processes: int, waiting: int) -> dict[str, Any]:
    prefix = f"bench-budget-{secrets.token_hex(4)}"
    clients = [Redis.from_url(REDIS_URL) for _ in range(processes)]
    try:
        budgets = [SharedBudget(client, BOT_ID, prefix=prefix) for client in clients]
        calls = [_counted(budget) for budget in budgets]
        throttles = [Throttle(budget=budget) for budget in budgets]
        messages = processes * waiting
        with Stopwatch() as watch:
            await asyncio.gather(
                *(throttles[n % processes].wait(n, interactive=True) for n in range(messages))
            )
    finally:
        for client in clients:
            await client.aclose()
    redis_calls = sum(len(c) for c in calls)
    return {
        "processes": processes,
        "messages": messages,
        "redis_calls": redis_calls,
        "calls_per_message": round(redis_calls / messages, 2),
        "messages_per_s": round(messages / watch.seconds, 1),
    }


async def run(size: int | None) -> None:
    waiting = size or 100
    runs = {f"processes_{k}": await _one_run(k, waiting) for k in (1, 2)}
    report("budget", {"waiting_per_process": waiting, **runs})
