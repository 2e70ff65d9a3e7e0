"""One throttle for outgoing messages, within Telegram's limits.

Limits: about 30 messages a second overall, 1 a second into one chat, 20 a minute into a group.
Broadcasts may use only `broadcast_rate` of the 30 a second and keep to 1 a second per chat. A
reply of two or three messages into one private chat goes as a burst, which Telegram tolerates
(its per-chat limit is about sustained sending). A 429 pauses every sender until its retry_after
has passed. Paid broadcasts (`allow_paid_broadcast`) are outside the 30 a second: they keep to
their own `paid_rate` (Telegram's most is 1000 a second) and 1 a second per chat, and the shared
budget is not asked for them (one instance sends notices, see bot/notices/sender_lock.py).

A message first waits out the limits of its own chat, alone; then it joins the line of messages
ready to go, replies ahead of broadcasts (so replies always go first), each in the order it came.
Only the first of the line waits out what holds everyone (a pause, the overall and broadcast
rates) and asks the shared budget; those behind it wait their turn without asking.

Telegram's budget is the token's, not the process's: with several processes a `SharedBudget`
(bot/shared_budget.py) counts the same limits for all of them, and this throttle keeps the order
within its process and decides alone while the shared budget is unreachable. The line keeps the
shared budget's Redis calls at one or two per message sent, however many messages wait (when
every waiter asked whenever a slot freed, 3.5 to 60 a message: bench/RESULTS.md 5b).
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import NamedTuple, Protocol

GLOBAL_PER_S = 30
# Our stamps are taken when a request leaves; Telegram counts when it arrives, and requests sent
# close together may arrive a little apart or out of order. Counting a second as slightly
# longer keeps a full-speed broadcast from tripping the limit (measured: without it, 5 × 429 in
# 20 s at 30/s; see bench/RESULTS.md).
SECOND_S = 1.03
# Telegram counts a message when it arrives, which can be much later than when we counted it (a
# busy event loop, a slow network or a slow Telegram): a message answered later than the margin
# above after it was counted is counted again from its answer (bench/RESULTS.md 5b).
LATE_S = SECOND_S - 1.0
CHAT_INTERVAL_S = 1.0
GROUP_PER_MIN = 20


class Answer(NamedTuple):
    """How long a message must wait before the budget is asked again; nothing: it was counted
    (at `at` on the budget's clock, if it has one)."""

    line: float = 0.0  # every message behind it waits as long: a pause, the overall rates
    own: float = 0.0  # only this message waits: its chat's interval, its group's minute
    at: float | None = None

    @property
    def delay(self) -> float:
        return max(self.line, self.own)


class Counted(NamedTuple):
    """A message counted as sent: when its count was asked for, and where it was counted."""

    asked: float
    stamp: float  # in this process's windows
    at: float | None  # in the budget's windows
    interactive: bool
    paid: bool = False


class Budget(Protocol):
    """The limits as counted for every process of the bot (see bot/shared_budget.py)."""

    async def take(self, chat_id: int, is_group: bool, interactive: bool) -> Answer:
        """Count the message if nothing holds it back."""
        ...

    async def recount(self, at: float, interactive: bool) -> None:
        """Count the message counted at `at` from now instead."""
        ...

    async def pause(self, seconds: float) -> None: ...


class Line:
    """Messages ready to go: replies ahead of broadcasts, each in the order it came."""

    def __init__(self) -> None:
        self._places: dict[bool, deque[asyncio.Event]] = {True: deque(), False: deque()}

    def join(self, interactive: bool) -> asyncio.Event:
        place = asyncio.Event()
        self._places[interactive].append(place)
        return place

    def leave(self, place: asyncio.Event, interactive: bool) -> None:
        self._places[interactive].remove(place)
        if (first := self._first()) is not None:
            first.set()

    async def first(self, place: asyncio.Event) -> None:
        """Until `place` is the first of the line."""
        while self._first() is not place:
            place.clear()
            await place.wait()

    def _first(self) -> asyncio.Event | None:
        replies, broadcasts = self._places[True], self._places[False]
        return replies[0] if replies else broadcasts[0] if broadcasts else None


class Throttle:
    def __init__(
        self,
        broadcast_rate: float = 25,
        *,
        paid_rate: float = 1000,
        global_per_s: int = GLOBAL_PER_S,
        chat_interval_s: float = CHAT_INTERVAL_S,
        group_per_min: int = GROUP_PER_MIN,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        budget: Budget | None = None,
    ) -> None:
        self.broadcast_rate = broadcast_rate
        self.paid_rate = paid_rate
        self.global_per_s = global_per_s
        self.chat_interval_s = chat_interval_s
        self.group_per_min = group_per_min
        self.clock = clock
        self.sleep = sleep
        self.budget = budget
        self._sent: deque[float] = deque()
        self._broadcast_sent: deque[float] = deque()
        self._paid_sent: deque[float] = deque()
        self._last_in_chat: dict[int, float] = {}
        self._group_sent: dict[int, deque[float]] = {}
        self._paused_until = 0.0
        self._line = Line()

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends until `seconds` have passed."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)

    async def pause_everyone(self, seconds: float) -> None:
        """Telegram said 429: this process and, through the shared budget, every other waits."""
        self.pause(seconds)
        if self.budget is not None:
            await self.budget.pause(seconds)

    @contextlib.asynccontextmanager
    async def sending(
        self,
        chat_id: int,
        *,
        is_group: bool = False,
        interactive: bool = False,
        paid: bool = False,
    ) -> AsyncIterator[None]:
        """Wait until a message into `chat_id` may go, count it, and send it in the block; one
        answered later than LATE_S after it was counted is counted again from its answer."""
        counted = await self.wait(chat_id, is_group=is_group, interactive=interactive, paid=paid)
        try:
            yield
        finally:
            if self.clock() - counted.asked > LATE_S:
                await self._recount(counted)

    async def wait(
        self,
        chat_id: int,
        *,
        is_group: bool = False,
        interactive: bool = False,
        paid: bool = False,
    ) -> Counted:
        """Wait until a message into `chat_id` may go, and count it as sent."""
        interactive = interactive and not paid
        while True:
            own = self.own_delay(chat_id, is_group, interactive)
            if own <= 0:
                counted = await self._in_line(chat_id, is_group, interactive, paid)
                if isinstance(counted, Counted):
                    return counted
                own = counted
            await self.sleep(own)

    async def _in_line(
        self, chat_id: int, is_group: bool, interactive: bool, paid: bool = False
    ) -> Counted | float:
        """Wait for the first place, what holds everyone, then the budget: the message counted,
        or how long its own chat holds it (waited out of the line)."""
        place = self._line.join(interactive)
        try:
            while True:
                await self._line.first(place)
                asked = self.clock()
                line = self.paid_delay() if paid else self.line_delay(interactive)
                answer = Answer(line, self.own_delay(chat_id, is_group, interactive))
                if answer.delay == 0 and self.budget is not None and not paid:
                    answer = await self.budget.take(chat_id, is_group, interactive)
                if answer.delay == 0:
                    stamp = self._record(chat_id, is_group, interactive, paid)
                    return Counted(asked, stamp, answer.at, interactive, paid)
                if answer.own >= answer.line:
                    return answer.own
                await self.sleep(answer.line)
        finally:
            self._line.leave(place, interactive)

    async def _recount(self, counted: Counted) -> None:
        now = self.clock()
        if counted.paid:
            windows = [self._paid_sent]
        elif counted.interactive:
            windows = [self._sent]
        else:
            windows = [self._sent, self._broadcast_sent]
        for stamps in windows:
            # Stamps are in order and this one is among the newest: found by halves, and
            # taken out near the end (a scan from the start cost ~4 % at 1000/s).
            at = bisect.bisect_left(stamps, counted.stamp)
            if at < len(stamps) and stamps[at] == counted.stamp:
                del stamps[at]
            stamps.append(now)
        if counted.at is not None and self.budget is not None:
            await self.budget.recount(counted.at, counted.interactive)

    def line_delay(self, interactive: bool) -> float:
        """Seconds every message of this kind waits: a pause, the overall and broadcast rates."""
        now = self.clock()
        self._forget(now)
        delays = [self._paused_until - now]
        delays.append(self._window_delay(self._sent, self.global_per_s, SECOND_S, now))
        if not interactive:
            allowed = max(1, int(self.broadcast_rate))
            delays.append(self._window_delay(self._broadcast_sent, allowed, SECOND_S, now))
        return max(0.0, *delays)

    def paid_delay(self) -> float:
        """Seconds a paid broadcast message waits: a pause, the paid rate."""
        now = self.clock()
        self._forget(now)
        allowed = max(1, int(self.paid_rate))
        window = self._window_delay(self._paid_sent, allowed, SECOND_S, now)
        return max(0.0, self._paused_until - now, window)

    def own_delay(self, chat_id: int, is_group: bool, interactive: bool) -> float:
        """Seconds this message waits for its chat: 1 a second, 20 a minute into a group."""
        now = self.clock()
        delays = [0.0]
        last = self._last_in_chat.get(chat_id)
        if last is not None and (is_group or not interactive):
            delays.append(last + self.chat_interval_s - now)
        if is_group:
            stamps = self._group_sent.get(chat_id, deque())
            delays.append(self._window_delay(stamps, self.group_per_min, 60.0, now))
        return max(delays)

    @staticmethod
    def _window_delay(stamps: deque[float], allowed: int, span: float, now: float) -> float:
        if len(stamps) < allowed:
            return 0.0
        return stamps[len(stamps) - allowed] + span - now

    def _record(self, chat_id: int, is_group: bool, interactive: bool, paid: bool) -> float:
        now = self.clock()
        if paid:
            self._paid_sent.append(now)
        else:
            self._sent.append(now)
        if not interactive and not paid:
            self._broadcast_sent.append(now)
        self._last_in_chat[chat_id] = now
        if is_group:
            self._group_sent.setdefault(chat_id, deque()).append(now)
        return now

    def _forget(self, now: float) -> None:
        for stamps in (self._sent, self._broadcast_sent, self._paid_sent):
            while stamps and stamps[0] <= now - SECOND_S:
                stamps.popleft()
        for stamps in self._group_sent.values():
            while stamps and stamps[0] <= now - 60.0:
                stamps.popleft()
        if len(self._last_in_chat) > 10_000:  # keep memory bounded on a large broadcast
            cutoff = now - self.chat_interval_s
            self._last_in_chat = {c: t for c, t in self._last_in_chat.items() if t > cutoff}
