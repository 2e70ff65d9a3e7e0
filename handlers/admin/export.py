"""/export [period] [area]: the case register as .xlsx and CSV documents (leads and admins)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from datetime import tzinfo
from pathlib import Path

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import FSInputFile, Message

from bot.errors import PoliteError
from bot.people import scope
from bot.register import export
from bot.register.export import Format, Register
from bot.telegram.session import UPLOAD_LIMIT
from bot.texts import Translator
from handlers.common.filters import HasRole
from storage.db import Database
from storage.models import Person, Role

MEGABYTE = 1024 * 1024


async def send_register(
    message: Message,
    command: CommandObject,
    person: Person,
    t: Translator,
    database: Database,
    tz: tzinfo,
) -> None:
    """Leads get their community without reporters; admins any area, with reporters."""
    period, area = await scope.period_and_area(database, person, command.args, tz)
    register = Register(
        period, await scope.area_ids(database, area), with_reporters=person.role == Role.ADMIN
    )
    where = scope.area_name(t, area)
    code = area.code if area is not None else None
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        outputs = {kind: Path(folder) / export.file_name(period, code, kind) for kind in Format}
        written = await export.write(database, register, t, tz, outputs)
        if written.empty:
            await message.answer(t("export.empty", period=period.label, scope=where))
            return
        _check_size(outputs.values())
        if not written.cases:  # the stations' and report duties' sheets only: no CSV of cases
            caption = t("export.caption_no_cases", period=period.label, scope=where)
            await message.answer_document(FSInputFile(outputs[Format.XLSX]), caption=caption)
            return
        caption = t("export.caption", period=period.label, scope=where, count=written.cases)
        await message.answer_document(FSInputFile(outputs[Format.XLSX]), caption=caption)
        await message.answer_document(FSInputFile(outputs[Format.CSV]))


def _check_size(paths: Iterable[Path]) -> None:
    biggest = max(path.stat().st_size for path in paths)
    if biggest > UPLOAD_LIMIT:
        raise PoliteError(
            "export.too_big",
            size=round(biggest / MEGABYTE, 1),
            limit=UPLOAD_LIMIT // MEGABYTE,
        )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private", HasRole(Role.LEAD, Role.ADMIN))
    router.message.register(send_register, Command("export"))
    return router
