"""The broadcast sender: claims deliveries from the outbox and sends them one by one through the
shared throttle (as broadcasts, so replies go first), marking each sent, failed or blocked."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError, TelegramRetryAfter

from bot import outbox
from bot.telegram import broadcasting
from storage.db import Database
from storage.models import Delivery, DeliveryState, Notice

log = logging.getLogger(__name__)

BATCH = 50
IDLE_S = 1.0


class Sender:
    def __init__(self, bot: Bot, database: Database, batch: int = BATCH) -> None:
        self.bot = bot
        self.database = database
        self.batch = batch

    async def run_once(self) -> int:
        """Send one claimed batch; returns how many deliveries were handled."""
        claimed = await outbox.claim(self.database, self.batch)
        if not claimed:
            return 0
        texts = await self._texts({d.notice_id for d in claimed})
        token = broadcasting.set(True)
        try:
            for delivery in claimed:
                await self._send(delivery, texts[delivery.notice_id])
        finally:
            broadcasting.reset(token)
        await outbox.close_finished(self.database)
        return len(claimed)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Until `stop` is set: send what is claimable, else wait a moment."""
        while not stop.is_set():
            try:
                handled = await self.run_once()
            except Exception:
                log.exception("the sender failed a batch; it will be claimed again")
                handled = 0
            if not handled:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), IDLE_S)

    async def _send(self, delivery: Delivery, text: str) -> None:
        try:
            await self.bot.send_message(delivery.chat_id, text)
        except TelegramForbiddenError as error:
            await outbox.finish(self.database, delivery.id, DeliveryState.BLOCKED, str(error))
        except TelegramRetryAfter:
            await outbox.finish(self.database, delivery.id, DeliveryState.PENDING)
        except TelegramAPIError as error:
            await outbox.finish(self.database, delivery.id, DeliveryState.FAILED, str(error))
        else:
            await outbox.finish(self.database, delivery.id, DeliveryState.SENT)

    async def _texts(self, notice_ids: set[int]) -> dict[int, str]:
        async with self.database.sessions() as session:
            return {
                notice_id: (await session.get(Notice, notice_id)).text  # type: ignore[union-attr]
                for notice_id in notice_ids
            }


class SenderTask:
    """The sender loop as a background task of the running bot (started and stopped with it)."""

    def __init__(self, sender: Sender) -> None:
        self.sender = sender
        self.started = asyncio.Event()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._stop.clear()
        self._task = asyncio.create_task(self.sender.run_forever(self._stop))
        self.started.set()

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None
