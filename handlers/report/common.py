"""What the report handlers share: building a Flow, checking a button's draft, reading media."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot import reports
from bot.config import Settings
from bot.errors import PoliteError
from bot.telegram import DOWNLOAD_LIMIT
from bot.texts import Translator
from handlers.report.steps import Flow
from storage.db import Database
from storage.models import Case, CaseStatus, MediaKind, Person


def make_flow(
    bot: Bot,
    chat_id: int,
    t: Translator,
    language: str,
    database: Database,
    settings: Settings,
    state: FSMContext,
) -> Flow:
    return Flow(bot, chat_id, t, language, database, settings, state)


class StaleButton(PoliteError):
    """A report button whose draft is gone (submitted, cancelled, or not this person's)."""


async def own_draft(database: Database, person: Person, case_id: int) -> Case:
    """The draft a button belongs to, if it is still this person's draft (never trust the data)."""
    draft = await reports.draft_of(database, person.id)
    if draft is not None and draft.id == case_id:
        return draft
    async with database.sessions() as session:
        case = await session.get(Case, case_id)
    if case is not None and case.reporter_id == person.id and case.status != CaseStatus.DRAFT:
        raise StaleButton("report.already_submitted", number=case.number or "")
    raise StaleButton("error.stale_button")


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
    if document is not None and (document.mime_type or "").startswith("image/"):
        if (document.file_size or 0) > DOWNLOAD_LIMIT:
            raise reports.ReportError("report.file_too_big")
        return Incoming(
            document.file_id,
            document.file_unique_id,
            MediaKind.DOCUMENT,
            document.mime_type,
            document.file_size,
            message.media_group_id,
        )
    if document is not None and (document.file_size or 0) > DOWNLOAD_LIMIT:
        raise reports.ReportError("report.file_too_big")
    raise reports.ReportError("report.photos_only")


async def store_image(database: Database, case_id: int, image: Incoming) -> reports.PhotoAdded:
    return await reports.add_photo(
        database,
        case_id,
        file_id=image.file_id,
        file_unique_id=image.file_unique_id,
        kind=image.kind,
        media_group_id=image.media_group_id,
        mime_type=image.mime_type,
        size=image.size,
    )
