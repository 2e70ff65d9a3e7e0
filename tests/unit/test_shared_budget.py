"""The send budget shared in Redis by several processes of one bot, against the real Redis: two
budgets (two clients, as two processes would have) never exceed a limit together, and a throttle
whose Redis is gone still sends within its own limits."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import Redis

from app.wiring import create_app
from bot.config import Settings
from bot.telegram.shared_budget import SharedBudget
from bot.telegram.throttle import SECOND_S, Answer, Throttle
from tests.helpers import Clock

pytestmark = pytest.mark.redis

# Not 14 or 15 (the scale-out bench and conftest flush those); every test has its own prefix.
REDIS_URL = "redis://127.0.0.1:6379/13"
BOT_ID = 123456

MakeBudget = Callable[..., Awaitable[SharedBudget]]


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL, decode_responses=True)
    await client.ping()  # no Redis: the test fails here
    yield client
    await client.aclose()


@pytest.fixture
async def prefix(redis: Redis) -> AsyncIterator[str]:
    """A key prefix of this test's own (tests run side by side on one Redis), cleaned after."""
    name = f"test-budget-{secrets.token_hex(4)}"
    yield name
    async for key in redis.scan_iter(match=f"{name}:*"):
        await redis.delete(key)


@pytest.fixture
async def make_budget(prefix: str) -> AsyncIterator[MakeBudget]:
    """Budgets of one bot, each with its own Redis client as each process has."""
    clients: list[Redis] = []

    async def make(bot_id: int = BOT_ID, **limits: float) -> SharedBudget:
        client = Redis.from_url(REDIS_URL)
        clients.append(client)
        return SharedBudget(client, bot_id, prefix=prefix, **limits)  # type: ignore[arg-type]

    yield make
    for client in clients:
        await client.aclose()


async def keys_of(redis: Redis, budget: SharedBudget) -> set[str]:
    return {key async for key in redis.scan_iter(match=f"{budget.prefix}:*")}


async def test_two_processes_together_keep_to_the_overall_window(make_budget: MakeBudget) -> None:
    budgets = [await make_budget(global_per_s=10), await make_budget(global_per_s=10)]
    granted: list[tuple[int, float]] = []
    chats = iter(range(1, 1000))

    async def send(n: int) -> None:
        budget = budgets[n % 2]
        while len(granted) < 15:
            answer = await budget.reserve(next(chats), is_group=False, interactive=True)
            if answer.delay == 0:
                granted.append((n % 2, answer.at))
            else:
                await asyncio.sleep(answer.delay)

    await asyncio.gather(*(send(n) for n in range(6)))
    stamps = sorted(at for _, at in granted)
    assert len(stamps) >= 15
    assert {side for side, _ in granted} == {0, 1}  # both processes sent
    for first in stamps:  # any window of SECOND_S holds at most 10, whoever sent them
        assert len([at for at in stamps if first <= at < first + SECOND_S]) <= 10


async def test_the_second_goes_in_sixths_not_in_one_burst(make_budget: MakeBudget) -> None:
    budgets = [await make_budget(), await make_budget()]
    stamps: list[float] = []
    for chat in range(1, 100):
        if len(stamps) == 12:
            break
        answer = await budgets[chat % 2].reserve(chat, is_group=False, interactive=True)
        if answer.delay == 0:
            stamps.append(answer.at)
        else:
            await asyncio.sleep(answer.delay)
    sixth = SECOND_S * 5 / 30 - 1e-6  # 5 of the 30 at a time (stamps are whole µs)
    assert all(later - first >= sixth for first, later in zip(stamps, stamps[5:], strict=False))


async def test_the_broadcast_share_leaves_replies_their_headroom(
    make_budget: MakeBudget,
) -> None:
    one, other = await make_budget(broadcast_rate=4), await make_budget(broadcast_rate=4)
    for chat in range(1, 3):
        assert (await one.reserve(chat, is_group=False, interactive=False)).delay == 0
        assert (await other.reserve(chat + 10, is_group=False, interactive=False)).delay == 0
    assert (await one.reserve(100, is_group=False, interactive=False)).delay > 0
    assert (await other.reserve(100, is_group=False, interactive=False)).delay > 0
    assert (await other.reserve(100, is_group=False, interactive=True)).delay == 0


async def test_one_message_a_second_into_a_chat_whoever_sends_it(
    make_budget: MakeBudget,
) -> None:
    one, other = await make_budget(), await make_budget()
    first = await one.reserve(7, is_group=False, interactive=False)
    second = await other.reserve(7, is_group=False, interactive=False)
    assert first.delay == 0
    assert 0.9 < second.delay <= 1.0
    assert second.at >= first.at
    # A group keeps the interval even for replies.
    assert (await one.reserve(-100, is_group=True, interactive=True)).delay == 0
    assert 0.9 < (await other.reserve(-100, is_group=True, interactive=True)).delay <= 1.0
    # A reply of several messages into a private chat goes as a burst.
    assert (await one.reserve(8, is_group=False, interactive=True)).delay == 0
    assert (await other.reserve(8, is_group=False, interactive=True)).delay == 0


async def test_twenty_a_minute_into_a_group_whoever_sends_them(make_budget: MakeBudget) -> None:
    one = await make_budget(group_per_min=3, chat_interval_s=0)
    other = await make_budget(group_per_min=3, chat_interval_s=0)
    for budget in (one, other, one):
        assert (await budget.reserve(-100, is_group=True, interactive=True)).delay == 0
    # Held by the minute's window (longer than any second's), whatever time passed meanwhile.
    assert 2 < (await other.reserve(-100, is_group=True, interactive=True)).delay <= 60
    assert (await other.reserve(-200, is_group=True, interactive=True)).delay == 0


async def test_a_429_seen_by_one_process_pauses_the_other(
    make_budget: MakeBudget, redis: Redis
) -> None:
    one, other = await make_budget(), await make_budget()
    await Throttle(budget=one).pause_everyone(2)
    await one.pause(0.5)  # a shorter pause does not cut a longer one short
    answer = await other.reserve(1, is_group=False, interactive=True)
    # The 2 s pause, not the 0.5 s one (whatever time passed between the calls).
    assert 0.5 < answer.delay <= 2.0
    assert await redis.zcard(other.key("sent")) == 0  # nothing was counted


async def test_every_key_expires_by_itself(make_budget: MakeBudget, redis: Redis) -> None:
    budget = await make_budget()
    await budget.reserve(7, is_group=False, interactive=False)
    await budget.reserve(-100, is_group=True, interactive=True)
    await budget.pause(3)
    longest = {  # milliseconds
        budget.key("sent"): 1030,
        budget.key("broadcast"): 1030,
        budget.key("chat:7"): 1000,
        budget.key("chat:-100"): 1000,
        budget.key("group:-100"): 60_000,
        budget.key("pause"): 3000,
    }
    assert await keys_of(redis, budget) == set(longest)
    for key, most in longest.items():
        assert 0 < await redis.pttl(key) <= most, key


async def test_a_message_answered_late_counts_from_its_answer(
    make_budget: MakeBudget, redis: Redis
) -> None:
    one, other = await make_budget(global_per_s=1), await make_budget(global_per_s=1)
    first = await one.reserve(7, is_group=False, interactive=False)
    assert first.at is not None
    await asyncio.sleep(0.5)
    await one.recount(first.at, interactive=False)  # Telegram answered only now
    for key in ("sent", "broadcast"):
        [(_, stamp)] = await redis.zrange(one.key(key), 0, -1, withscores=True)
        assert stamp / 1e6 >= first.at + 0.5
    second = await other.reserve(8, is_group=False, interactive=True)
    assert second.at is not None
    # Its place frees a second after the answer, not after the first count.
    assert second.at + second.delay >= first.at + 0.5 + SECOND_S - 1e-6


async def test_two_bots_on_one_redis_have_budgets_of_their_own(make_budget: MakeBudget) -> None:
    ours, theirs = await make_budget(), await make_budget(bot_id=BOT_ID + 1)
    assert (await ours.reserve(7, is_group=False, interactive=False)).delay == 0
    assert (await theirs.reserve(7, is_group=False, interactive=False)).delay == 0
    await ours.pause(30)
    assert (await theirs.reserve(8, is_group=False, interactive=False)).delay == 0


async def test_a_throttle_waits_for_what_another_process_sent(make_budget: MakeBudget) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(seconds)

    one = Throttle(budget=await make_budget())
    other = Throttle(budget=await make_budget(), sleep=sleep)
    await one.wait(7)
    await other.wait(7)  # its own throttle has seen nothing of chat 7
    assert 0.9 < sum(slept) <= 1.1


def counted(budget: SharedBudget) -> list[Answer]:
    """Every answer of the budget's Redis script from now on."""
    answers: list[Answer] = []
    reserve = budget.reserve

    async def counting(chat_id: int, is_group: bool, interactive: bool) -> Answer:
        answers.append(await reserve(chat_id, is_group, interactive))
        return answers[-1]

    budget.reserve = counting  # type: ignore[method-assign]
    return answers


async def test_waiting_messages_ask_redis_once_or_twice_each(make_budget: MakeBudget) -> None:
    """Regression: every waiting message asked Redis whenever a slot freed (~20 calls a message
    in the scale-out bench); only the first of each process's line asks now."""
    budgets = [await make_budget(global_per_s=60), await make_budget(global_per_s=60)]
    answers = [counted(budget) for budget in budgets]
    throttles = [Throttle(budget=budget, global_per_s=60) for budget in budgets]
    waiting = 60  # in each process: two seconds' worth for both (it was 11.6 calls a message)
    chats = range(2 * waiting)
    await asyncio.gather(*(throttles[c % 2].wait(c, interactive=True) for c in chats))
    for side in answers:
        assert len([a for a in side if a.delay == 0]) == waiting
        assert len(side) <= 2 * waiting


async def test_the_app_shares_its_one_redis_client_with_the_budget(
    make_settings: Callable[..., Settings],
) -> None:
    app = await create_app(make_settings(redis_url=REDIS_URL))
    try:
        budget = app.retry.throttle.budget
        assert isinstance(budget, SharedBudget)
        assert isinstance(app.dispatcher.storage, RedisStorage)
        assert budget.redis is app.dispatcher.storage.redis
        assert f"{{{app.bot.id}}}" in budget.key("sent")
    finally:
        await app.close()
    alone = await create_app(make_settings())
    await alone.close()
    assert alone.retry.throttle.budget is None


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_without_redis_a_throttle_sends_within_its_own_limits(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    client = Redis.from_url(f"redis://127.0.0.1:{closed_port()}/0")
    limiter = Throttle(25, clock=clock, sleep=clock.sleep, budget=SharedBudget(client, BOT_ID))
    with caplog.at_level(logging.WARNING, logger="bot.telegram.shared_budget"):
        await limiter.pause_everyone(1)
        for _ in range(3):
            await limiter.wait(7)
        for _ in range(10):
            await limiter.wait(8, interactive=True)
    await client.aclose()
    assert clock.now == pytest.approx(3.0)  # the pause, then one a second into chat 7
    assert len(caplog.records) == 1  # one warning, not one a message


@contextlib.asynccontextmanager
async def relay(port: int, to_port: int) -> AsyncIterator[None]:
    """Whatever connects to `port` on loopback is connected to `to_port`: Redis appears."""
    connections: list[asyncio.Task[None]] = []

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", to_port)
        both = asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        connections.append(asyncio.ensure_future(both))
        await both

    server = await asyncio.start_server(connect, "127.0.0.1", port)
    try:
        yield
    finally:
        server.close()
        await server.wait_closed()
        await asyncio.wait_for(asyncio.gather(*connections), 5)


async def test_redis_is_asked_again_after_a_failure(prefix: str, redis: Redis) -> None:
    clock = Clock()
    port = closed_port()
    client = Redis.from_url(f"redis://127.0.0.1:{port}/13")
    budget = SharedBudget(client, BOT_ID, prefix=prefix, retry_s=5, clock=clock)
    assert await budget.take(7, is_group=False, interactive=False) == Answer()  # no Redis
    async with relay(port, 6379):
        assert await budget.take(7, is_group=False, interactive=False) == Answer()
        assert await keys_of(redis, budget) == set()  # not asked again so soon
        clock.now += 5
        assert (await budget.take(7, is_group=False, interactive=False)).delay == 0
        assert budget.key("chat:7") in await keys_of(redis, budget)
        assert 0.9 < (await budget.take(7, is_group=False, interactive=False)).own <= 1.0
        await client.aclose()


@contextlib.asynccontextmanager
async def hung_redis() -> AsyncIterator[int]:
    """A port that takes connections and never answers, as a hung Redis does."""

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def test_a_hung_redis_leaves_the_sending_to_the_local_throttle_soon(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with hung_redis() as port:
        # The client waits far longer (conversation state and locks may), the budget does not.
        client = Redis.from_url(f"redis://127.0.0.1:{port}/0", socket_timeout=60)
        budget = SharedBudget(client, BOT_ID, timeout_s=0.2)
        with caplog.at_level(logging.WARNING, logger="bot.telegram.shared_budget"):
            answer = await asyncio.wait_for(budget.take(7, is_group=False, interactive=False), 30)
        await client.aclose()
    assert answer == Answer()  # go, as the local throttle decides
    assert "Redis unreachable" in caplog.text
