"""One throttle for outgoing messages, within Telegram's limits.

Limits: about 30 messages a second overall, 1 a second into one chat, 20 a minute into a group.
Broadcasts may use only `broadcast_rate` of the 30 a second, keep to 1 a second per chat, and
wait whenever someone who is waiting for an answer (an interactive message) is queued, so replies
always go first. A reply of two or three messages into one private chat goes as a burst, which
Telegram tolerates (its per-chat limit is about sustained sending). A 429 pauses every sender
until its retry_after has passed.

Telegram's budget is the token's, not the process's: with several processes a `SharedBudget`
(bot/shared_budget.py) counts the same limits for all of them, and this throttle keeps the order
within its process (replies first) and decides alone while the shared budget is unreachable.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol

GLOBAL_PER_S = 30
# Our stamps are taken when a request leaves; Telegram counts when it arrives, and requests sent
# close together may arrive a little apart or out of order. Counting a second as slightly
# longer keeps a full-speed broadcast from tripping the limit (measured: without it, 5 × 429 in
# 20 s at 30/s; see bench/RESULTS.md).
SECOND_S = 1.03
CHAT_INTERVAL_S = 1.0
GROUP_PER_MIN = 20


class Budget(Protocol):
    """The limits as counted for every process of the bot (see bot/shared_budget.py)."""

    async def take(self, chat_id: int, is_group: bool, interactive: bool) -> float:
        """Count the message and return 0, or return the seconds to wait before asking again."""
        ...

    async def pause(self, seconds: float) -> None: ...


class Throttle:
    def __init__(
        self,
        broadcast_rate: float = 25,
        *,
        global_per_s: int = GLOBAL_PER_S,
        chat_interval_s: float = CHAT_INTERVAL_S,
        group_per_min: int = GROUP_PER_MIN,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        budget: Budget | None = None,
    ) -> None:
        self.broadcast_rate = broadcast_rate
        self.global_per_s = global_per_s
        self.chat_interval_s = chat_interval_s
        self.group_per_min = group_per_min
        self.clock = clock
        self.sleep = sleep
        self.budget = budget
        self._sent: deque[float] = deque()
        self._broadcast_sent: deque[float] = deque()
        self._last_in_chat: dict[int, float] = {}
        self._group_sent: dict[int, deque[float]] = {}
        self._paused_until = 0.0
        self._interactive_waiting = 0

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends until `seconds` have passed."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)

    async def pause_everyone(self, seconds: float) -> None:
        """Telegram said 429: this process and, through the shared budget, every other waits."""
        self.pause(seconds)
        if self.budget is not None:
            await self.budget.pause(seconds)

    async def wait(
        self, chat_id: int, *, is_group: bool = False, interactive: bool = False
    ) -> None:
        """Wait until a message into `chat_id` may go, and count it as sent."""
        if interactive:
            self._interactive_waiting += 1
        try:
            while (delay := await self._combined_delay(chat_id, is_group, interactive)) > 0:
                await self.sleep(delay)
            self._record(chat_id, is_group, interactive)
        finally:
            if interactive:
                self._interactive_waiting -= 1

    async def _combined_delay(self, chat_id: int, is_group: bool, interactive: bool) -> float:
        """The local delay, then (once it is 0) the shared budget's, which counts the message."""
        delay = self.delay(chat_id, is_group, interactive)
        if delay > 0 or self.budget is None:
            return delay
        return await self.budget.take(chat_id, is_group, interactive)

    def delay(self, chat_id: int, is_group: bool, interactive: bool) -> float:
        """Seconds to wait before this message may go (0: now)."""
        now = self.clock()
        self._forget(now)
        delays = [self._paused_until - now]
        if not interactive and self._interactive_waiting:
            delays.append(0.01)  # replies first
        delays.append(self._window_delay(self._sent, self.global_per_s, SECOND_S, now))
        if not interactive:
            allowed = max(1, int(self.broadcast_rate))
            delays.append(self._window_delay(self._broadcast_sent, allowed, SECOND_S, now))
        last = self._last_in_chat.get(chat_id)
        if last is not None and (is_group or not interactive):
            delays.append(last + self.chat_interval_s - now)
        if is_group:
            stamps = self._group_sent.get(chat_id, deque())
            delays.append(self._window_delay(stamps, self.group_per_min, 60.0, now))
        return max(0.0, *delays)

    @staticmethod
    def _window_delay(stamps: deque[float], allowed: int, span: float, now: float) -> float:
        if len(stamps) < allowed:
            return 0.0
        return stamps[len(stamps) - allowed] + span - now

    def _record(self, chat_id: int, is_group: bool, interactive: bool) -> None:
        now = self.clock()
        self._sent.append(now)
        if not interactive:
            self._broadcast_sent.append(now)
        self._last_in_chat[chat_id] = now
        if is_group:
            self._group_sent.setdefault(chat_id, deque()).append(now)

    def _forget(self, now: float) -> None:
        for stamps in (self._sent, self._broadcast_sent):
            while stamps and stamps[0] <= now - SECOND_S:
                stamps.popleft()
        for stamps in self._group_sent.values():
            while stamps and stamps[0] <= now - 60.0:
                stamps.popleft()
        if len(self._last_in_chat) > 10_000:  # keep memory bounded on a large broadcast
            cutoff = now - self.chat_interval_s
            self._last_in_chat = {c: t for c, t in self._last_in_chat.items() if t > cutoff}
