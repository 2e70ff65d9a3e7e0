"""The community's side of the dog register: the review card's buttons (approve, or return
with a reason), `/dogs [lapsed]` (their community's dogs, paged; admins the street's),
`/dogs stats` (the figures) and `/dogexport` (the register and figures as a spreadsheet)."""

from __future__ import annotations

import tempfile
from contextlib import suppress
from datetime import date, tzinfo
from pathlib import Path

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, FSInputFile, Message

from bot.config import Settings
from bot.dogs import figures, register, registry, views
from bot.dogs.news import DogNews
from bot.dogs.registry import Action
from bot.dogs.rules import DogError
from bot.telegram.session import CAPTION_LIMIT
from bot.texts import Catalogue, Translator
from handlers.common import dog_keyboards as kb
from handlers.common.callbacks import DogPage, DogReview, DogVerdict
from handlers.common.filters import HasRole
from storage.db import Database
from storage.models import Person, Role
from storage.types import utcnow


def _today(tz: tzinfo) -> date:
    return utcnow().astimezone(tz).date()


async def review(
    query: CallbackQuery,
    callback_data: DogReview,
    person: Person,
    t: Translator,
    database: Database,
    bot: Bot,
    dog_news: DogNews,
    settings: Settings,
) -> None:
    verdict = callback_data.verdict
    if verdict is DogVerdict.RETURN:
        card = await views.card(database, callback_data.dog_id, person, t, _today(settings.tz))
        if card is None or person.id == card.dog.owner_id:
            raise DogError("dogs.not_allowed")
        await query.answer()
        if query.message is not None:
            with suppress(TelegramBadRequest):
                await bot.edit_message_reply_markup(
                    chat_id=query.message.chat.id,
                    message_id=query.message.message_id,
                    reply_markup=kb.return_reasons(t, card.dog.id),
                )
        return
    if verdict is DogVerdict.APPROVE:
        outcome = await registry.act(
            database, callback_data.dog_id, Action.APPROVE, person, prefix=settings.case_prefix
        )
    else:
        reasons = registry.RETURN_REASONS
        if callback_data.reason >= len(reasons):
            raise DogError("error.stale_button")
        outcome = await registry.act(
            database,
            callback_data.dog_id,
            Action.RETURN,
            person,
            note=reasons[callback_data.reason],
        )
    await query.answer(t(f"dogs.reviewed_{outcome.action.value}"))
    await _update_card(query, bot, database, person, t, settings.tz)
    await dog_news.after(database, outcome)  # the owner told, every reviewer's card edited


async def _update_card(
    query: CallbackQuery, bot: Bot, database: Database, person: Person, t: Translator, tz: tzinfo
) -> None:
    """The reviewer's card shows the outcome and loses its buttons."""
    if query.message is None or query.data is None:
        return
    dog_id = DogReview.unpack(query.data).dog_id
    card = await views.card(database, dog_id, person, t, _today(tz))
    if card is None:
        return
    with suppress(TelegramBadRequest):
        await bot.edit_message_caption(
            chat_id=query.message.chat.id,
            message_id=query.message.message_id,
            caption=card.text[:CAPTION_LIMIT],
            reply_markup=None,
        )


async def _listing(
    database: Database, person: Person, t: Translator, tz: tzinfo, page: int, lapsed: bool
) -> tuple[str, object]:
    today = _today(tz)
    lines, total = await register.page(database, person, page, today, lapsed_only=lapsed)
    counts = await register.lapsed_by_community(database, person, today)
    head = [t("dogs.register_title_lapsed" if lapsed else "dogs.register_title", count=total)]
    head += [
        t("dogs.register_community", name=c.name, registered=c.registered, lapsed=c.lapsed)
        for c in counts
    ]
    if total == 0:
        return "\n".join([*head, t("dogs.register_empty")]), None
    rows = [
        (
            line.dog.id,
            t(
                "dogs.register_line",
                number=line.dog.number or t("dogs.no_number"),
                name=line.dog.name,
                status=t(f"dogs.status_{line.dog.status.value}"),
                grid=line.grid or "—",
                mark="⚠️" if line.lapsed else "",
            ),
        )
        for line in lines
    ]
    pages = -(-total // register.PER_PAGE)
    return "\n".join(head), kb.register_page(t, rows, page, pages, lapsed)


async def list_register(
    message: Message,
    command: CommandObject,
    person: Person,
    t: Translator,
    database: Database,
    tz: tzinfo,
    catalogue: Catalogue,
) -> None:
    """`/dogs`, `/dogs lapsed` or `/dogs stats` (the words in either language)."""
    word = catalogue.sub_command("dogs", command.args or "", ("stats", "lapsed"))
    if word == "stats":
        found = await figures.figures(database, person, _today(tz))
        await message.answer("\n".join(figures.lines(t, found)))
        return
    lapsed = word == "lapsed"
    text, markup = await _listing(database, person, t, tz, 0, lapsed)
    await message.answer(text, reply_markup=markup)  # type: ignore[arg-type]


async def turn_page(
    query: CallbackQuery,
    callback_data: DogPage,
    person: Person,
    t: Translator,
    database: Database,
    bot: Bot,
    tz: tzinfo,
) -> None:
    text, markup = await _listing(database, person, t, tz, callback_data.page, callback_data.lapsed)
    await query.answer()
    if query.message is not None:
        with suppress(TelegramBadRequest):
            await bot.edit_message_text(
                text,
                chat_id=query.message.chat.id,
                message_id=query.message.message_id,
                reply_markup=markup,  # type: ignore[arg-type]
            )


async def export_register(
    message: Message, person: Person, t: Translator, database: Database, tz: tzinfo
) -> None:
    today = _today(tz)
    with tempfile.TemporaryDirectory(prefix="dogs-") as folder:
        path = Path(folder) / f"dogs-{today.isoformat()}.xlsx"
        count = await figures.write_export(database, person, t, path, today)
        if count == 0:
            await message.answer(t("dogs.register_empty"))
            return
        await message.answer_document(
            FSInputFile(path), caption=t("dogs.export_caption", count=count)
        )


def create_router() -> Router:
    router = Router(name=__name__)
    staff = HasRole(Role.OFFICER, Role.LEAD, Role.ADMIN)
    router.message.filter(F.chat.type == "private")
    router.message.register(list_register, Command("dogs"), staff)
    router.message.register(export_register, Command("dogexport"), HasRole(Role.LEAD, Role.ADMIN))
    router.callback_query.register(review, DogReview.filter())
    router.callback_query.register(turn_page, DogPage.filter())
    return router
