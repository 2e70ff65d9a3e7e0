"""What the page may send on a person's behalf, checked as Telegram's own client limits it.

Each function takes what the browser sent and returns the message content the emulator posts to
the bot, or raises `BadInput` (the page answers 400): nothing reaches the bot that a Telegram
client could not send.
"""

from __future__ import annotations

import io
import math
import mimetypes
from pathlib import PurePath
from typing import Any

from PIL import Image, UnidentifiedImageError

from sandbox.emulator.client import text_content
from sandbox.emulator.files import FileStore

TEXT_LIMIT = 4096  # a message a person types
CAPTION_LIMIT = 1024
PHOTO_LIMIT = 10 * 1024 * 1024  # Telegram's limit for a photo
DOCUMENT_LIMIT = 20 * 1024 * 1024  # what a bot can download (getFile)
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
NAME_LIMIT = 255


class BadInput(ValueError):
    """Input a Telegram client would not send."""


def text(body: Any) -> dict[str, Any]:
    """A typed message (commands carry their entity, as Telegram marks them)."""
    typed = _field(body, "text", str)
    if not typed.strip():
        raise BadInput("the text is empty")
    if len(typed) > TEXT_LIMIT:
        raise BadInput(f"a message holds at most {TEXT_LIMIT} characters")
    return text_content(typed)


def location(body: Any) -> dict[str, Any]:
    """A shared location (a point on the map)."""
    latitude = _number(body, "latitude", 90)
    longitude = _number(body, "longitude", 180)
    return {"location": {"latitude": latitude, "longitude": longitude}}


def press(body: Any, buttons: set[str]) -> str:
    """The callback data of a button the message shows now; returns it."""
    data = _field(body, "data", str)
    if data not in buttons:
        raise BadInput("the message has no such button")
    return data


def message_id(body: Any) -> int:
    value = _field(body, "message_id", int)
    if isinstance(value, bool) or value <= 0:
        raise BadInput("message_id must be a positive number")
    return value


def caption(value: Any) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if not isinstance(value, str):
        raise BadInput("the caption must be text")
    if len(value) > CAPTION_LIMIT:
        raise BadInput(f"a caption holds at most {CAPTION_LIMIT} characters")
    return {"caption": value}


def photo(files: FileStore, data: bytes, said: Any = None) -> dict[str, Any]:
    """A photo as Telegram delivers it (sizes, largest last); only real images are photos."""
    words = caption(said)
    if not data:
        raise BadInput("the photo is empty")
    if len(data) > PHOTO_LIMIT:
        raise BadInput("a photo is at most 10 MB: send it as a file")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise BadInput("that is not an image: send it as a file") from None
    if kind not in PHOTO_FORMATS:
        raise BadInput("photos are JPEG, PNG or WebP: send it as a file")
    sizes = files.add_photo(data)
    return {"photo": [size.as_photo_size() for size in sizes], **words}


def document(
    files: FileStore, data: bytes, file_name: str | None, mime: str | None, said: Any = None
) -> dict[str, Any]:
    """A file sent as a document, with the name it had on disk."""
    words = caption(said)
    if not data:
        raise BadInput("the file is empty")
    if len(data) > DOCUMENT_LIMIT:
        raise BadInput("a file for the bot is at most 20 MB")
    name = PurePath((file_name or "file").replace("\\", "/")).name.strip()[:NAME_LIMIT] or "file"
    kind = mime if mime and "/" in mime and len(mime) < 128 else None
    kind = kind or mimetypes.guess_type(name)[0] or "application/octet-stream"
    stored = files.add(data, "document", file_name=name, mime_type=kind)
    content = {"document": {**stored.as_file(), "file_name": name, "mime_type": kind}}
    return {**content, **words}


def _field(body: Any, name: str, kind: type) -> Any:
    if not isinstance(body, dict) or name not in body:
        raise BadInput(f"{name} is missing")
    value = body[name]
    if not isinstance(value, kind):
        raise BadInput(f"{name} has the wrong type")
    return value


def _number(body: Any, name: str, bound: float) -> float:
    if not isinstance(body, dict) or name not in body:
        raise BadInput(f"{name} is missing")
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadInput(f"{name} must be a number")
    if not math.isfinite(value) or not -bound <= value <= bound:
        raise BadInput(f"{name} must be between -{bound} and {bound}")
    return float(value)
