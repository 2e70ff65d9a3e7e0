"""A prepared message (the broadcast sender's way to Telegram) puts on the wire exactly what
aiogram would for the same call, and meets Telegram's errors as every other call does: the
same retries, the same exceptions, a blocked chat reported."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendDocument, SendMessage, SendPhoto
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.telegram.prepared import PreparedMessage
from bot.telegram.session import RetryMiddleware, create_bot
from sandbox.emulator import TelegramEmulator

MARKUP = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="✅ 已读", callback_data="v1ack:7")]]
)
TEXT = "📢 <b>紧急通知</b>\n\n今晚 20:00 停水，请储水 &amp; 关好阀门 &lt;一号楼&gt;"


@pytest.fixture
def blocked() -> list[int]:
    return []


@pytest.fixture
async def bot(emulator: TelegramEmulator, blocked: list[int]) -> AsyncIterator[Bot]:
    async def on_blocked(chat_id: int) -> None:
        blocked.append(chat_id)

    retry = RetryMiddleware(on_blocked=on_blocked, backoff_s=0.01, attempts=3)
    made = create_bot(emulator.token, emulator.url, retry)
    yield made
    await made.session.close()


def _without_chat(params: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in params.items() if key != "chat_id"}


async def test_a_prepared_message_sends_what_aiogram_sends(
    emulator: TelegramEmulator, bot: Bot
) -> None:
    first, second = emulator.user(7001, "甲"), emulator.user(7002, "乙")
    await bot.send_message(first.id, TEXT, reply_markup=MARKUP, allow_paid_broadcast=True)
    method = SendMessage(chat_id=0, text=TEXT, reply_markup=MARKUP, allow_paid_broadcast=True)
    await PreparedMessage.of(bot, method).send(second.id)

    by_aiogram, prepared = emulator.calls_of("sendMessage")
    assert _without_chat(prepared.params) == _without_chat(by_aiogram.params)
    assert prepared.params["parse_mode"] == "HTML"  # the bot's default, as aiogram applies it
    assert int(prepared.params["chat_id"]) == second.id
    received = await second.next_message()
    assert received.text == (await first.next_message()).text
    assert received.text is not None
    assert "<b>" not in received.text
    assert emulator.paid_sent == 2


async def test_photos_and_documents_already_on_telegram_go_the_same_way(
    emulator: TelegramEmulator, bot: Bot
) -> None:
    first, second = emulator.user(7011, "甲"), emulator.user(7012, "乙")
    upload = BufferedInputFile(b"%PDF-1.4 notice", filename="notice.pdf")
    document = (await bot.send_document(first.id, upload)).document
    photo_upload = BufferedInputFile(_PNG, filename="map.png")
    photo = (await bot.send_photo(first.id, photo_upload)).photo
    assert document is not None
    assert photo is not None
    file_id, photo_id = document.file_id, photo[-1].file_id
    await bot.send_document(first.id, file_id, caption=TEXT, reply_markup=MARKUP)
    await bot.send_photo(first.id, photo_id, caption=TEXT)
    await PreparedMessage.of(
        bot, SendDocument(chat_id=0, document=file_id, caption=TEXT, reply_markup=MARKUP)
    ).send(second.id)
    await PreparedMessage.of(bot, SendPhoto(chat_id=0, photo=photo_id, caption=TEXT)).send(
        second.id
    )

    for kind in ("sendDocument", "sendPhoto"):
        by_aiogram, prepared = emulator.calls_of(kind)[-2:]
        assert _without_chat(prepared.params) == _without_chat(by_aiogram.params)
        assert prepared.status == 200


async def test_an_upload_cannot_be_prepared(bot: Bot) -> None:
    upload = BufferedInputFile(b"%PDF-1.4", filename="a.pdf")
    with pytest.raises(ValueError, match="uploads"):
        PreparedMessage.of(bot, SendDocument(chat_id=0, document=upload))


async def test_telegram_errors_are_met_as_every_call_meets_them(
    emulator: TelegramEmulator, bot: Bot, blocked: list[int]
) -> None:
    user, gone = emulator.user(7021, "甲"), emulator.user(7022, "乙")
    await gone.block()
    prepared = PreparedMessage.of(bot, SendMessage(chat_id=0, text=TEXT))
    retry = prepared.retries

    emulator.fail_next("sendMessage", status=500, count=2)  # retried: the third call goes
    await prepared.send(user.id)
    assert [c.status for c in emulator.calls_of("sendMessage")] == [500, 500, 200]

    emulator.fail_next("sendMessage", status=429, retry_after=1)  # waited out, then sent
    await prepared.send(user.id)
    assert retry.retry_after_count == 1
    assert emulator.calls_of("sendMessage")[-1].status == 200

    with pytest.raises(TelegramForbiddenError):
        await prepared.send(gone.id)
    assert blocked == [gone.id]

    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await prepared.send(9_999_999)

    emulator.fail_next("sendMessage", status=500, count=3)  # as many as the attempts
    with pytest.raises(TelegramServerError) as failure:
        await prepared.send(user.id)
    assert failure.value.method.chat_id == user.id  # type: ignore[attr-defined]

    retry.max_retry_after_s = 1
    emulator.fail_next("sendMessage", status=429, retry_after=5)  # longer than it may wait
    with pytest.raises(TelegramRetryAfter):
        await prepared.send(user.id)


async def test_telegram_out_of_reach_is_a_network_error(emulator: TelegramEmulator) -> None:
    retry = RetryMiddleware(backoff_s=0.01, attempts=2)
    unreachable = create_bot(emulator.token, "http://127.0.0.1:9", retry)  # nothing listens
    try:
        prepared = PreparedMessage.of(unreachable, SendMessage(chat_id=0, text=TEXT))
        with pytest.raises(TelegramNetworkError):
            await prepared.send(7031)
    finally:
        await unreachable.session.close()


# A 1x1 PNG.
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
