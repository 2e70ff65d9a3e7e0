"""The emulator's own tests: Telegram's shapes, offsets, webhook delivery, limits and faults.

They use a real aiogram Bot (plain, without our retry middleware) as the client.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
)
from aiohttp import web

from sandbox.emulator import Limits, TelegramEmulator
from sandbox.emulator.files import make_image


def plain_bot(emu: TelegramEmulator, token: str | None = None) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(emu.url))
    return Bot(token or emu.token, session=session, default=DefaultBotProperties(parse_mode="HTML"))


@pytest.fixture
async def bot(emulator: TelegramEmulator) -> AsyncIterator[Bot]:
    client = plain_bot(emulator)
    yield client
    await client.session.close()


async def test_get_me_and_wrong_token(emulator: TelegramEmulator, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot) == (123456789, True)
    stranger = plain_bot(emulator, "987:wrong-token-aaaaaaaaaaaaaaaaaaaa")
    with pytest.raises(TelegramUnauthorizedError):
        await stranger.get_me()
    await stranger.session.close()


async def test_get_updates_offset_semantics(emulator: TelegramEmulator, bot: Bot) -> None:
    user = emulator.user(1, "甲")
    await user.send("one")
    await user.send("two")
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["one", "two"]
    again = await bot.get_updates(offset=updates[0].update_id + 1)
    assert [u.message.text for u in again if u.message] == ["two"]
    assert await bot.get_updates(offset=updates[-1].update_id + 1) == []
    assert await bot.get_updates() == []  # confirmed updates are gone


async def test_long_polling_waits_for_an_update(emulator: TelegramEmulator, bot: Bot) -> None:
    user = emulator.user(1, "甲")
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    await user.send("/start")
    updates = await asyncio.wait_for(poll, 3)
    assert updates[0].message is not None
    assert updates[0].message.entities is not None
    assert updates[0].message.entities[0].type == "bot_command"


async def test_a_second_poller_ends_the_first_with_409(emulator: TelegramEmulator) -> None:
    first, second = plain_bot(emulator), plain_bot(emulator)
    poll = asyncio.create_task(first.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    second_poll = asyncio.create_task(second.get_updates(timeout=1))
    with pytest.raises(TelegramConflictError):
        await poll
    assert await second_poll == []
    await first.session.close()
    await second.session.close()


async def test_messages_markup_and_their_shapes(emulator: TelegramEmulator, bot: Bot) -> None:
    user = emulator.user(5, "乙")
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="好", callback_data="v1:ok")]]
    )
    sent = await bot.send_message(5, "<b>你好</b> &lt;world&gt;", reply_markup=markup)
    assert sent.chat.id == 5
    seen = await user.next_message()
    assert seen.text == "你好 <world>"
    assert seen.html == "<b>你好</b> &lt;world&gt;"
    assert seen.buttons == [["好"]]
    edited = await bot.edit_message_text("改了", chat_id=5, message_id=sent.message_id)
    assert edited.text == "改了"  # type: ignore[union-attr]
    assert seen.text == "改了"
    assert seen.buttons == []
    with pytest.raises(TelegramBadRequest, match="not modified"):
        await bot.edit_message_text("改了", chat_id=5, message_id=sent.message_id)
    assert await bot.delete_message(5, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="not found"):
        await bot.delete_message(5, sent.message_id)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("x" * 4097, "message is too long"),
        ("<b>unclosed", "can't parse entities"),
        ("<script>1</script>", "unsupported start tag"),
        ("   ", "message text is empty"),
    ],
)
async def test_bad_messages_are_refused_like_telegram(
    emulator: TelegramEmulator, bot: Bot, text: str, error: str
) -> None:
    emulator.user(5, "乙")
    with pytest.raises(TelegramBadRequest, match=error):
        await bot.send_message(5, text)


async def test_unknown_chat_long_callback_data(emulator: TelegramEmulator, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(777, "hi")
    emulator.user(5, "乙")
    long_data = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="d" * 65)]]
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(5, "hi", reply_markup=long_data)


async def test_photos_albums_documents_and_downloads(emulator: TelegramEmulator, bot: Bot) -> None:
    user = emulator.user(6, "丙")
    image = make_image(800, 600)
    photo = await bot.send_photo(6, BufferedInputFile(image, "a.jpg"), caption="<i>现场</i>")
    assert photo.photo is not None
    assert photo.photo[-1].width == 800
    assert len(photo.photo) == 2  # a thumbnail and the original
    file = await bot.get_file(photo.photo[-1].file_id)
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None
    assert downloaded.read() == image
    assert (await user.next_message()).caption == "现场"

    album = await bot.send_media_group(
        6,
        [
            InputMediaPhoto(media=BufferedInputFile(make_image(color=(1, 2, 3)), "1.jpg")),
            InputMediaPhoto(media=photo.photo[-1].file_id),
        ],
    )
    assert len({m.media_group_id for m in album}) == 1
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_photo(6, "no-such-file-id")

    sent = await user.send_document(b"%PDF-1.4", "scan.pdf", "application/pdf")
    updates = await bot.get_updates()
    document = updates[-1].message.document  # type: ignore[union-attr]
    assert document is not None
    assert document.file_name == "scan.pdf"
    assert document.file_id == sent["document"]["file_id"]


async def test_user_photos_albums_and_places(emulator: TelegramEmulator, bot: Bot) -> None:
    user = emulator.user(7, "丁")
    await user.send_album([make_image(), make_image(color=(9, 9, 9))], caption="两张")
    await user.send_location(30.66, 104.06)
    await user.send_venue(30.66, 104.06, "小区", "幸福路1号")
    await user.send_contact("+8613800000000")
    updates = [u.message for u in await bot.get_updates()]
    assert updates[0] is not None
    assert updates[1] is not None
    assert updates[0].media_group_id == updates[1].media_group_id is not None
    assert updates[0].caption == "两张"
    assert updates[1].caption is None
    assert updates[2].location.latitude == pytest.approx(30.66)  # type: ignore[union-attr]
    assert updates[3].venue.address == "幸福路1号"  # type: ignore[union-attr]
    assert updates[4].contact.phone_number == "+8613800000000"  # type: ignore[union-attr]


async def test_button_presses_and_answers(emulator: TelegramEmulator, bot: Bot) -> None:
    user = emulator.user(8, "戊")
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="是", callback_data="v1:yes")]]
    )
    await bot.send_message(8, "确认？", reply_markup=markup)
    query_id = await user.press(await user.next_message(), "是")
    update = (await bot.get_updates())[-1]
    assert update.callback_query is not None
    assert update.callback_query.data == "v1:yes"
    await bot.answer_callback_query(query_id, text="已确认")
    assert (await user.callback_answer(query_id))["text"] == "已确认"
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)


async def test_commands_by_scope_and_language(emulator: TelegramEmulator, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand(command="start", description="开始")])
    await bot.set_my_commands(
        [BotCommand(command="start", description="Start")], language_code="en"
    )
    assert emulator.commands[("default", "")][0]["description"] == "开始"
    assert emulator.commands[("default", "en")][0]["description"] == "Start"
    assert (await bot.get_my_commands(language_code="en"))[0].description == "Start"


async def test_limits_blocked_users_and_faults() -> None:
    async with TelegramEmulator(limits=Limits()) as emu:
        limited = plain_bot(emu)
        emu.user(9, "己")
        await limited.send_message(9, "1")
        with pytest.raises(TelegramRetryAfter) as caught:
            await limited.send_message(9, "2")
        assert caught.value.retry_after == 1
        assert emu.retry_after_sent == 1

        blocked = emu.user(10, "庚")
        await blocked.block()
        with pytest.raises(TelegramForbiddenError, match="blocked"):
            await limited.send_message(10, "hi")

        emu.fail_next("sendMessage", status=500, count=2)
        emu.user(11, "辛")
        for _ in range(2):
            with pytest.raises(TelegramServerError):
                await limited.send_message(11, "x")
        await asyncio.sleep(1.1)
        assert (await limited.send_message(11, "ok")).text == "ok"
        await limited.session.close()


async def test_random_faults_are_reproducible() -> None:
    async with TelegramEmulator(fail_rate=0.5, seed=3) as emu:
        client = plain_bot(emu)
        emu.user(12, "壬")
        outcomes = []
        for _ in range(20):
            try:
                await client.send_message(12, "x")
                outcomes.append(True)
            except TelegramServerError:
                outcomes.append(False)
        assert 3 <= outcomes.count(False) <= 17
        await client.session.close()


async def test_webhook_delivery_with_secret_and_retries(
    emulator: TelegramEmulator, bot: Bot, unused_tcp_port: int
) -> None:
    received: list[tuple[str | None, int]] = []
    statuses = iter([500, 200])

    async def hook(request: web.Request) -> web.Response:
        body = await request.json()
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), body["update_id"]))
        return web.Response(status=next(statuses, 200))

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    try:
        url = f"http://127.0.0.1:{unused_tcp_port}/hook"
        await bot.set_webhook(url, secret_token="s3cret", allowed_updates=["message"])
        with pytest.raises(TelegramConflictError):
            await bot.get_updates()
        user = emulator.user(13, "癸")
        await user.send("hi")
        await user.block()  # my_chat_member is not in allowed_updates: not delivered
        await emulator.wait_for(lambda: len(emulator.webhook_log) >= 2, 5)
        assert [status for _, status in emulator.webhook_log] == [500, 200]
        assert received == [("s3cret", 1), ("s3cret", 1)]
        info = await bot.get_webhook_info()
        assert info.url == url
        await bot.delete_webhook()
        assert await bot.get_updates() == []
    finally:
        await runner.cleanup()


async def test_unknown_methods_are_recorded(emulator: TelegramEmulator) -> None:
    async with aiohttp.ClientSession() as http:
        response = await http.post(f"{emulator.url}/bot{emulator.token}/sendTelepathy")
        assert response.status == 404
    assert emulator.unknown_methods == ["sendTelepathy"]


async def test_places_caption_and_markup_edits(emulator: TelegramEmulator, bot: Bot) -> None:
    user = emulator.user(14, "子")
    await bot.send_location(14, 30.5, 104.1)
    await bot.send_venue(14, 30.5, 104.1, title="消防站", address="幸福路 2 号")
    location, venue = await user.next_messages(2)
    assert location.location == {"latitude": 30.5, "longitude": 104.1}
    assert venue.venue is not None
    assert venue.venue["title"] == "消防站"
    photo = await bot.send_photo(14, BufferedInputFile(make_image(100, 80), "p.jpg"), caption="前")
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="处理", callback_data="v1:go")]]
    )
    await bot.edit_message_caption(chat_id=14, message_id=photo.message_id, caption="<b>后</b>")
    await bot.edit_message_reply_markup(
        chat_id=14, message_id=photo.message_id, reply_markup=markup
    )
    seen = await user.next_message()
    assert (seen.caption, seen.buttons) == ("后", [["处理"]])
    kinds = [(await user.next_event())[0] for _ in range(5)]
    assert kinds == ["sent", "sent", "sent", "edited", "edited"]
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await bot.send_photo(14, photo.photo[-1].file_id, caption="长" * 1025)  # type: ignore[index]


async def test_slow_answers() -> None:
    async with TelegramEmulator(slow_rate=1.0, slow_s=0.3) as emu:
        client = plain_bot(emu)
        emu.user(15, "丑")
        loop = asyncio.get_running_loop()
        started = loop.time()
        await client.send_message(15, "慢")
        assert loop.time() - started >= 0.3
        started = loop.time()
        await client.get_me()  # only sending methods are slowed
        assert loop.time() - started < 0.3
        await client.session.close()


async def test_files_over_twenty_megabytes_cannot_be_downloaded(
    emulator: TelegramEmulator, bot: Bot
) -> None:
    user = emulator.user(16, "寅")
    sent = await user.send_document(b"\0" * (20 * 1024 * 1024 + 1), "big.bin", "application/zip")
    with pytest.raises(TelegramBadRequest, match="file is too big"):
        await bot.get_file(sent["document"]["file_id"])


async def test_paid_broadcasts_have_their_own_limit_and_are_recorded() -> None:
    """1000 a second with allow_paid_broadcast (outside the free 30), 30 a second without."""
    async with TelegramEmulator(limits=Limits(global_per_s=3, paid_per_s=5)) as emu:
        client = plain_bot(emu)
        for chat in range(20, 30):
            emu.user(chat, "癸")
        for chat in range(20, 25):  # the paid window's 5, the free window untouched
            await client.send_message(chat, "台风预警", allow_paid_broadcast=True)
        with pytest.raises(TelegramRetryAfter):
            await client.send_message(25, "台风预警", allow_paid_broadcast=True)
        for chat in range(26, 29):  # the free window's 3
            await client.send_message(chat, "通知")
        with pytest.raises(TelegramRetryAfter):
            await client.send_message(29, "通知")
        assert emu.paid_sent == 5
        paid = [c.params.get("allow_paid_broadcast") for c in emu.calls_of("sendMessage")]
        assert paid == [True] * 6 + [None] * 4
        await client.session.close()
