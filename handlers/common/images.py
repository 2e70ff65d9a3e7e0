"""Images in messages: reading the image a person sent and keeping it as evidence of a case."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import Message

from bot.reports import drafts
from bot.reports.media import MediaStore
from bot.telegram.session import DOWNLOAD_LIMIT
from storage.db import Database
from storage.models import MediaKind


@dataclass(frozen=True)
class Incoming:
    file_id: str
    file_unique_id: str
    kind: MediaKind
    mime_type: str | None
    size: int | None
    media_group_id: str | None


def incoming_image(message: Message) -> Incoming:
    """The image in a message (a photo, or an image sent as a file); ReportError otherwise."""
    if message.photo:
        largest = message.photo[-1]
        return Incoming(
            largest.file_id,
            largest.file_unique_id,
            MediaKind.PHOTO,
            "image/jpeg",
            largest.file_size,
            message.media_group_id,
        )
    document = message.document
    if document is not None and (document.file_size or 0) > DOWNLOAD_LIMIT:
        raise drafts.ReportError("report.file_too_big")
    if document is not None and (document.mime_type or "").startswith("image/"):
        return Incoming(
            document.file_id,
            document.file_unique_id,
            MediaKind.DOCUMENT,
            document.mime_type,
            document.file_size,
            message.media_group_id,
        )
    raise drafts.ReportError("report.photos_only")


async def store_image(
    media: MediaStore, database: Database, case_id: int, image: Incoming, stage: str = "report"
) -> drafts.PhotoAdded:
    """Keep an image of a case: the report's photos (at most five), or later evidence. An image
    sent as a file is kept only when its bytes are an image."""
    if image.kind is MediaKind.DOCUMENT:
        await media.check_image_file(image.file_id)
    return await drafts.add_photo(
        database,
        case_id,
        file_id=image.file_id,
        file_unique_id=image.file_unique_id,
        kind=image.kind,
        media_group_id=image.media_group_id,
        mime_type=image.mime_type,
        size=image.size,
        stage=stage,
    )
