"""Files the emulator knows: uploaded by the bot or sent by test users, downloadable by getFile."""

from __future__ import annotations

import hashlib
import io
import itertools
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

THUMBNAIL_SIDE = 320


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None

    def as_file(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }

    def as_photo_size(self) -> dict[str, Any]:
        return {**self.as_file(), "width": self.width or 0, "height": self.height or 0}


@dataclass
class FileStore:
    files: dict[str, StoredFile] = field(default_factory=dict)
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add(self, data: bytes, kind: str, **attrs: Any) -> StoredFile:
        number = next(self._counter)
        unique = "U" + hashlib.sha256(data).hexdigest()[:15]
        file_id = f"{kind.upper()}-{number:06d}-{unique}"
        extension = {"photo": "jpg"}.get(kind, "bin")
        stored = StoredFile(file_id, unique, data, f"{kind}s/file_{number}.{extension}", **attrs)
        self.files[file_id] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self.files.get(file_id)

    def by_path(self, path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.path == path), None)

    def add_photo(self, data: bytes) -> list[StoredFile]:
        """A photo as Telegram keeps it: a small size and the original, largest last."""
        width, height = image_size(data)
        original = self.add(data, "photo", width=width, height=height)
        if max(width, height) <= THUMBNAIL_SIDE:
            return [original]
        small_data, small_w, small_h = thumbnail(data)
        small = self.add(small_data, "photo", width=small_w, height=small_h)
        return [small, original]


def image_size(data: bytes) -> tuple[int, int]:
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except OSError:
        return (0, 0)


def thumbnail(data: bytes) -> tuple[bytes, int, int]:
    with Image.open(io.BytesIO(data)) as image:
        image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        out = io.BytesIO()
        image.convert("RGB").save(out, format="JPEG")
        return out.getvalue(), image.width, image.height


def make_image(
    width: int = 640,
    height: int = 480,
    color: tuple[int, int, int] = (200, 80, 40),
    fmt: str = "JPEG",
) -> bytes:
    """Real image bytes for tests: a filled rectangle with a stripe, so sizes differ by colour."""
    image = Image.new("RGB", (width, height), color)
    for x in range(0, width, 7):
        image.putpixel((x, height // 2), (255, 255, 255))
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()
