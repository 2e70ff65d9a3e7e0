"""The send budget of one bot token, shared in Redis by every process that sends for it.

Telegram counts a token's messages wherever they come from, so with several instances the
overall window, the broadcast share, the per-chat interval, the per-group window and a 429 pause
live in Redis, and the overall 30 per SECOND_S are spent evenly (see SPREAD). One Lua script
checks every limit and reserves the message in one round trip, on Redis's clock (instances on
machines whose clocks disagree still agree on it); every key expires by itself. A message that
Telegram answers late is counted again from its answer (see LATE_S in bot/throttle.py). When Redis
cannot be reached or does not answer within TIMEOUT_S, the local throttle decides alone for a
while.
Needs Redis 5 or newer (a script that writes after reading TIME).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import secrets
import time
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

from bot.telegram.throttle import CHAT_INTERVAL_S, GLOBAL_PER_S, GROUP_PER_MIN, SECOND_S, Answer

log = logging.getLogger(__name__)

PREFIX = "minqing:budget"
# After a failure the local throttle decides alone this long before Redis is asked again.
RETRY_S = 5.0
# Redis answers the budget in microseconds: one that has not answered in a second is taken for
# hung and the local throttle decides alone, so sends go on at 5 s in 6 rather than 5 in 10.
# The client's own timeout (app.wiring.REDIS_TIMEOUT_S) bounds each read; this bounds the whole
# call, connecting included. Above the event loop's worst lag measured under load (0.65 s),
# which would count as a failure too.
TIMEOUT_S = 1.0
WARN_EVERY_S = 60.0
MINUTE_S = 60.0
# Messages counted together leave together but reach Telegram spread over tens of ms (each
# process sends them one by one, instances over different routes), so a whole second's budget
# counted in one burst overlaps the next second as Telegram counts it (SECOND_S leaves 30 ms).
# Counting it in sixths keeps the sending even: at most 5 in any 0.17 s, and 30 in 1.03 s
# (measured with 2 instances: 33 × 429 in 60 s without it, 1 with it; bench/RESULTS.md 5).
SPREAD = 6

# KEYS: overall window, broadcast window, chat interval, group window, pause.
# ARGV: member, interactive, is_group, overall allowed, second (µs), burst allowed, burst span
#       (µs), broadcast allowed, chat interval (ms), group allowed, group span (µs).
# Returns {line, own, now} in µs of Redis's clock, as in bot.telegram.throttle.Answer: what holds
# every message of this kind, what holds only this chat; both 0: the message was counted at `now`.
RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interactive = ARGV[2] == '1'
local is_group = ARGV[3] == '1'
local second = tonumber(ARGV[5])
local group_span = tonumber(ARGV[11])

local function trim(key, span)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - span)
end

-- Until the oldest of the newest `allowed` stamps leaves `span` (stamps are whole µs).
local function window_delay(key, allowed, span)
  if redis.call('ZCOUNT', key, now - span + 1, '+inf') < allowed then return 0 end
  local first = redis.call('ZCARD', key) - allowed
  local oldest = redis.call('ZRANGE', key, first, first, 'WITHSCORES')
  return tonumber(oldest[2]) + span - now
end

local function add(key, span)
  redis.call('ZADD', key, now, ARGV[1])
  redis.call('PEXPIRE', key, math.ceil(span / 1000))
end

trim(KEYS[1], second)
local line = redis.call('PTTL', KEYS[5]) * 1000
line = math.max(line, window_delay(KEYS[1], tonumber(ARGV[4]), second))
line = math.max(line, window_delay(KEYS[1], tonumber(ARGV[6]), tonumber(ARGV[7])))
if not interactive then
  trim(KEYS[2], second)
  line = math.max(line, window_delay(KEYS[2], tonumber(ARGV[8]), second))
end
local own = 0
if is_group or not interactive then
  own = math.max(own, redis.call('PTTL', KEYS[3]) * 1000)
end
if is_group then
  trim(KEYS[4], group_span)
  own = math.max(own, window_delay(KEYS[4], tonumber(ARGV[10]), group_span))
end
if line > 0 or own > 0 then return {line, own, now} end

add(KEYS[1], second)
if not interactive then add(KEYS[2], second) end
if tonumber(ARGV[9]) > 0 then redis.call('SET', KEYS[3], '1', 'PX', ARGV[9]) end
if is_group then add(KEYS[4], group_span) end
return {0, 0, now}
"""

# A message Telegram answered late is counted from now: its stamp moves (or, trimmed already, a
# new one is added). KEYS: the windows it was counted in; ARGV: its stamp (µs), their span (µs),
# a member for a new stamp.
RECOUNT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
for _, key in ipairs(KEYS) do
  local found = redis.call('ZRANGEBYSCORE', key, ARGV[1], ARGV[1], 'LIMIT', 0, 1)[1]
  redis.call('ZADD', key, now, found or ARGV[3])
  redis.call('PEXPIRE', key, math.ceil(tonumber(ARGV[2]) / 1000))
end
"""

# A longer pause wins over a shorter one; KEYS: pause, ARGV: milliseconds.
PAUSE = """
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
"""


class SharedBudget:
    """Telegram's limits for one bot token, counted in Redis for all its processes."""

    def __init__(
        self,
        redis: Redis,
        bot_id: int,
        *,
        broadcast_rate: float = 25,
        global_per_s: int = GLOBAL_PER_S,
        chat_interval_s: float = CHAT_INTERVAL_S,
        group_per_min: int = GROUP_PER_MIN,
        prefix: str = PREFIX,
        retry_s: float = RETRY_S,
        timeout_s: float = TIMEOUT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # The bot id as a hash tag: one bot's keys share a Redis Cluster slot, as a script needs.
        self.prefix = f"{prefix}:{{{bot_id}}}"
        burst = math.ceil(global_per_s / SPREAD)
        self._limit_args = [  # ARGV 4 to 11 of RESERVE
            global_per_s,
            round(SECOND_S * 1e6),
            burst,
            round(SECOND_S * burst / global_per_s * 1e6),
            max(1, int(broadcast_rate)),
            math.ceil(chat_interval_s * 1000),
            group_per_min,
            round(MINUTE_S * 1e6),
        ]
        self.redis = redis
        self.retry_s = retry_s
        self.timeout_s = timeout_s
        self.clock = clock
        self._reserve = redis.register_script(RESERVE)
        self._recount = redis.register_script(RECOUNT)
        self._pause = redis.register_script(PAUSE)
        self._members = (f"{secrets.token_hex(4)}:{n}" for n in itertools.count())
        self._down_until: float | None = None
        self._warned_at = -math.inf

    def key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    async def reserve(self, chat_id: int, is_group: bool, interactive: bool) -> Answer:
        """Count the message if no shared limit holds it back; raises if Redis is unreachable."""
        keys = [
            self.key("sent"),
            self.key("broadcast"),
            self.key(f"chat:{chat_id}"),
            self.key(f"group:{chat_id}"),
            self.key("pause"),
        ]
        args = [next(self._members), int(interactive), int(is_group), *self._limit_args]
        line_us, own_us, now_us = await self._run(self._reserve, keys, args)
        return Answer(line_us / 1e6, own_us / 1e6, now_us / 1e6)

    async def take(self, chat_id: int, is_group: bool, interactive: bool) -> Answer:
        """Count the message if nothing holds it back; when Redis is unreachable, the local
        throttle alone decides (an answer with nothing to wait for and no stamp)."""
        if self._resting():
            return Answer()
        try:
            answer = await self.reserve(chat_id, is_group, interactive)
        except (RedisError, OSError) as error:
            self._failed(error)
            return Answer()
        self._recovered()
        return answer

    async def recount(self, at: float, interactive: bool) -> None:
        """Telegram answered the message counted at `at` (Redis's clock) late: count it from
        now, when it has surely arrived."""
        if self._resting():
            return
        keys = [self.key("sent")] if interactive else [self.key("sent"), self.key("broadcast")]
        args = [round(at * 1e6), self._limit_args[1], next(self._members)]
        try:
            await self._run(self._recount, keys, args)
        except (RedisError, OSError) as error:
            self._failed(error)

    async def pause(self, seconds: float) -> None:
        """Telegram said 429: every process of this bot waits until `seconds` have passed."""
        if self._resting():
            return
        try:
            await self._run(self._pause, [self.key("pause")], [math.ceil(seconds * 1000)])
        except (RedisError, OSError) as error:
            self._failed(error)

    async def _run(self, script: AsyncScript, keys: list[str], args: list[object]) -> Any:
        """The script's answer; raises TimeoutError (an OSError) past timeout_s."""
        async with asyncio.timeout(self.timeout_s):
            return await script(keys=keys, args=args)

    def _resting(self) -> bool:
        return self._down_until is not None and self.clock() < self._down_until

    def _failed(self, error: Exception) -> None:
        now = self.clock()
        self._down_until = now + self.retry_s
        if now - self._warned_at >= WARN_EVERY_S:
            self._warned_at = now
            log.warning(
                "shared send budget: Redis unreachable (%s); this process counts alone "
                "and asks Redis again in %.0f s",
                error,
                self.retry_s,
            )

    def _recovered(self) -> None:
        if self._down_until is not None:
            self._down_until = None
            log.info("shared send budget: Redis reachable again")
