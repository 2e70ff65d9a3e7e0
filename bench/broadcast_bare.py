"""The bare aiogram loop of `bench broadcast`, in a process of its own: one Bot sends the raw
run's message (the urgent notice as the sender renders it, with `allow_paid_broadcast`) to the
same N chats, `WINDOW` at once, and nothing else: no database, no throttle, no marks. The
ceiling of one Python process sending through aiogram on this machine.

`python -m bench.broadcast_bare URL TOKEN N`; when done, it ends after a line on stdin.
"""

from __future__ import annotations

import asyncio
import sys

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.enums import ParseMode

from bench.broadcast_emulator import FIRST_ID
from bot.notices.sender import WINDOW, render
from bot.telegram.session import api_server
from bot.texts import Catalogue
from storage.models import Notice

TEXT = "【江南街道】本周六 9:00–12:00 在社区广场开展犬只免疫登记，请携带犬只和证件。"


async def main(url: str, token: str, recipients: int) -> None:
    bot = Bot(
        token,
        session=AiohttpSession(api=api_server(url)),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    text = render(Notice(text=TEXT, urgent=True), Catalogue.load("zh").translator("zh"))
    chats = iter(range(FIRST_ID, FIRST_ID + recipients))

    async def worker() -> None:
        for chat in chats:  # shared: each worker takes the next chat
            await bot.send_message(chat, text, allow_paid_broadcast=True)

    await asyncio.gather(*(worker() for _ in range(WINDOW)))
    await bot.session.close()
    await asyncio.to_thread(sys.stdin.readline)  # alive until the bench has read its CPU time


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
