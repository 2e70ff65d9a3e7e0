"""Evidence that outlives Telegram's file ids: each photo downloaded into MEDIA_DIR once,
named by its SHA-256. A failed download never blocks a report; the scheduler retries it."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from io import BytesIO
from pathlib import Path

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from sqlalchemy import select, update

from bot.errors import PoliteError
from bot.telegram.session import DOWNLOAD_LIMIT
from storage.db import Database
from storage.models import CaseMedia

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
TOO_BIG = MAX_ATTEMPTS + 1  # attempts value that marks a file Telegram will not hand out


# The first bytes of the image formats phones send (HEIC and AVIF: an ISO box "ftyp" at 4).
SIGNATURES = (
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (8, b"WEBP", "image/webp"),
    (4, b"ftypheic", "image/heic"),
    (4, b"ftypheix", "image/heic"),
    (4, b"ftypmif1", "image/heif"),
    (4, b"ftypavif", "image/avif"),
)


def image_type(data: bytes) -> str | None:
    """The image format the bytes are, by their signature; None for anything else (whatever
    the file's name or declared type says)."""
    for offset, signature, mime in SIGNATURES:
        webp_ok = mime != "image/webp" or data[:4] == b"RIFF"
        if data[offset : offset + len(signature)] == signature and webp_ok:
            return mime
    return None


def media_path(media_dir: Path, sha256: str) -> Path:
    return media_dir / sha256[:2] / sha256


def _store(media_dir: Path, data: bytes) -> str:
    sha256 = hashlib.sha256(data).hexdigest()
    path = media_path(media_dir, sha256)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # A name of its own per writer: instances sharing MEDIA_DIR may store the same photo at
        # once; each renames a complete file, and the last rename wins with the same bytes.
        partial = path.with_name(f"{path.name}.{uuid.uuid4().hex}.part")
        partial.write_bytes(data)
        partial.replace(path)
    return sha256


class MediaStore:
    """Downloads case photos in the background and on the scheduler's retries."""

    def __init__(self, bot: Bot, database: Database, media_dir: Path) -> None:
        self.bot = bot
        self.database = database
        self.media_dir = media_dir
        self._tasks: set[asyncio.Task[tuple[int, int]]] = set()

    def download_soon(self, case_id: int) -> None:
        """Download a case's photos without making anyone wait."""
        task = asyncio.create_task(self.download_pending(case_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def check_image_file(self, file_id: str) -> None:
        """An image sent as a file is evidence only if its bytes are an image: they are read
        now, and anything else is refused politely (a photo Telegram re-encoded needs no look)."""
        try:
            file = await self.bot.get_file(file_id)
            buffer = BytesIO()
            assert file.file_path is not None
            await self.bot.download_file(file.file_path, destination=buffer, timeout=60)
        except TelegramBadRequest:
            raise PoliteError("report.file_too_big") from None
        if image_type(buffer.getvalue()) is None:
            raise PoliteError("report.photos_only")

    async def wait(self) -> None:
        """Let background downloads finish (at shutdown, and in tests)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def download_pending(self, case_id: int | None = None) -> tuple[int, int]:
        """Download media not stored yet (of one case, or all); returns (stored, failed)."""
        async with self.database.sessions() as session:
            query = select(CaseMedia).where(
                CaseMedia.sha256.is_(None), CaseMedia.download_attempts < MAX_ATTEMPTS
            )
            if case_id is not None:
                query = query.where(CaseMedia.case_id == case_id)
            pending = (await session.scalars(query.order_by(CaseMedia.id))).all()
        stored = failed = 0
        for media in pending:
            if await self._download(media):
                stored += 1
            else:
                failed += 1
        return stored, failed

    async def _download(self, media: CaseMedia) -> bool:
        try:
            file = await self.bot.get_file(media.file_id)
            if (file.file_size or 0) > DOWNLOAD_LIMIT or not file.file_path:
                await self._failed(media.id, TOO_BIG)
                return False
            buffer = BytesIO()
            await self.bot.download_file(file.file_path, destination=buffer, timeout=60)
            sha256 = await asyncio.to_thread(_store, self.media_dir, buffer.getvalue())
        except TelegramBadRequest as error:
            log.warning("media %s cannot be downloaded: %s", media.id, error)
            await self._failed(media.id, TOO_BIG if "too big" in str(error) else None)
            return False
        except (TelegramAPIError, OSError, TimeoutError) as error:
            log.warning("media %s download failed, will retry: %r", media.id, error)
            await self._failed(media.id)
            return False
        async with self.database.transaction() as session:
            await session.execute(
                update(CaseMedia)
                .where(CaseMedia.id == media.id)
                .values(sha256=sha256, size=len(buffer.getvalue()))
            )
        return True

    async def _failed(self, media_id: int, attempts: int | None = None) -> None:
        value = attempts if attempts is not None else CaseMedia.download_attempts + 1
        async with self.database.transaction() as session:
            await session.execute(
                update(CaseMedia).where(CaseMedia.id == media_id).values(download_attempts=value)
            )
