"""Routine duties in chat: `/duties` lists the person's open occurrences (and, for admins, the
duties defined), a button starts one and shows its checklist, ticks edit that one message in
place, 完成 asks for photos (when required) and a short summary. `/duties import` (admins)
loads duties from YAML written below the command; `/duties stats` (leads, admins) shows 履职率,
`/duties reports [YYYY-MM]` the figures report duties filed.

Who may do what is decided in `bot.duties` on every press, so a forged button is refused."""

from __future__ import annotations

from datetime import tzinfo

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.config import Settings
from bot.duties import doing, figures, patrol_figures, register, track
from bot.errors import PoliteError
from bot.people import scope
from bot.texts import Catalogue, Translator
from bot.texts.shares import percent
from handlers.common.callbacks import DutyDo, DutyRun
from handlers.common.duty_keyboards import (
    checklist,
    checklist_text,
    open_list,
    patrol_lines,
    track_line,
)
from handlers.common.filters import HasRole
from handlers.common.keyboards import main_menu
from handlers.staff import duty_report_list, duty_reports
from handlers.staff.duty_states import DutyState
from storage.db import Database
from storage.models import Duty, Person, Rhythm, Role
from storage.types import utcnow

SUB_COMMANDS = ("import", "reports", "stats")


async def duties(
    message: Message,
    command: CommandObject,
    person: Person,
    t: Translator,
    database: Database,
    settings: Settings,
    state: FSMContext,
    catalogue: Catalogue,
) -> None:
    """/duties: one's open duties; `import`, `reports [YYYY-MM]`, `stats` (the sub-words in
    either language: 导入, 报告, 统计)."""
    typed, rest = _sub_word(command.args or "")
    word = catalogue.sub_command("duties", typed, SUB_COMMANDS) if typed else None
    if word == "import":
        await _import(message, person, t, database, rest)
    elif word == "reports":
        await duty_report_list.show(message, person, t, database, settings.tz, rest)
    elif word == "stats" and not rest.strip():
        await _stats(message, person, t, database, settings.tz)
    else:
        await state.clear()
        await _list(message, person, t, database, settings.tz)


def _sub_word(args: str) -> tuple[str, str]:
    """The first word of the arguments and the rest as typed (a duty file may follow on the
    next lines: its indentation is kept)."""
    stripped = args.lstrip()
    word = stripped.split(maxsplit=1)[0] if stripped else ""
    return word, stripped[len(word) :]


async def _list(
    message: Message, person: Person, t: Translator, database: Database, tz: tzinfo
) -> None:
    if person.role == Role.ADMIN:
        defined = await register.listed(database)
        lines = [t("duties.defined_title")] + [
            t(
                "duties.defined_line",
                name=listed.duty.name,
                who=t(f"role.{listed.duty.role.value}"),
                area=listed.area or "—",
                rhythm=_rhythm(t, listed.duty),
                hours=listed.duty.deadline_hours,
            )
            for listed in defined
        ]
        await message.answer("\n".join(lines) if defined else t("duties.none_defined"))
    turns = await doing.open_for(database, person)
    if not turns:
        await message.answer(t("duties.none_open"))
        return
    await message.answer(t("duties.open_title"), reply_markup=open_list(t, turns, tz))


def _rhythm(t: Translator, duty: Duty) -> str:
    day: object = duty.day
    if duty.rhythm is Rhythm.WEEKLY:
        day = t(f"duties.weekday_{duty.day}")
    return t(f"duties.rhythm_{duty.rhythm.value}", day=day, cron=duty.cron or "")


async def _import(
    message: Message, person: Person, t: Translator, database: Database, text: str
) -> None:
    if person.role != Role.ADMIN:
        raise PoliteError("duties.admins_only")
    names = await register.import_text(database, text)
    joined = t("list.separator").join(names)
    await message.answer(t("duties.imported", count=len(names), names=joined))


async def _stats(
    message: Message, person: Person, t: Translator, database: Database, tz: tzinfo
) -> None:
    if person.role not in (Role.LEAD, Role.ADMIN):
        raise PoliteError("duties.admins_only")
    now = utcnow()
    community = person.area_id if person.role == Role.LEAD else None  # a lead: their community
    month = now.astimezone(tz).date()
    rows = await figures.monthly(database, month, tz, now, community)
    ids = await scope.area_ids(database, await scope.area_for(database, person, None))
    patrols = await patrol_figures.monthly(database, month, tz, ids)
    if not rows and not patrols:
        await message.answer(t("duties.stats_empty"))
        return
    lines = [t("duties.stats_title", month=month.strftime("%Y-%m"))] if rows else []
    for row in rows:
        lines.append(
            t(
                "duties.stats_line",
                area=row.area or t("duties.street"),
                due=row.due,
                on_time=row.on_time,
                late=row.late,
                missed=row.missed,
                rate=percent(t, row.rate),
            )
        )
    if patrols:
        lines += ["", *patrol_lines(t, patrols, month)]
    await message.answer("\n".join(lines).strip())


async def run(
    query: CallbackQuery,
    callback_data: DutyRun,
    person: Person,
    t: Translator,
    database: Database,
    settings: Settings,
    state: FSMContext,
) -> None:
    """Start or go on (OPEN), tick (TICK): the checklist message is edited in place."""
    occurrence_id = callback_data.occurrence_id
    if callback_data.do is DutyDo.FINISH:
        turn = await doing.check_ready(database, occurrence_id, person)
        await state.set_state(DutyState.finishing)
        await state.set_data({"occurrence_id": occurrence_id})
        await query.answer()
        key = "duties.ask_photos_summary" if turn.duty.photos else "duties.ask_summary"
        if query.message is not None:
            await query.message.answer(t(key))
        return
    if callback_data.do is DutyDo.TICK:
        turn = await doing.toggle(database, occurrence_id, person, callback_data.item)
    else:
        turn = await doing.start(database, occurrence_id, person)
    await query.answer()
    text, markup = checklist_text(t, turn, settings.tz), checklist(t, turn)
    if callback_data.do is DutyDo.TICK and query.message is not None:
        await query.message.edit_text(text, reply_markup=markup)  # type: ignore[union-attr]
    elif query.message is not None:
        await query.message.answer(text, reply_markup=markup)


async def photo(
    message: Message, person: Person, t: Translator, database: Database, state: FSMContext
) -> None:
    assert message.photo
    occurrence_id = int((await state.get_data()).get("occurrence_id") or 0)
    count = await doing.add_photo(database, occurrence_id, person, message.photo[-1].file_id)
    await message.answer(t("duties.photo_kept", count=count))


async def summary(
    message: Message, person: Person, t: Translator, database: Database, state: FSMContext
) -> None:
    occurrence_id = int((await state.get_data()).get("occurrence_id") or 0)
    ready = await doing.check_summary(database, occurrence_id, person, message.text or "")
    if ready.duty.report:  # a report duty: its figures next
        await duty_reports.begin(message, t, state, ready, message.text or "")
        return
    turn = await doing.finish(database, occurrence_id, person, message.text or "")
    await state.clear()
    on_time = (
        turn.occurrence.done_at is not None and turn.occurrence.done_at <= turn.occurrence.due_at
    )
    key = "duties.done" if on_time else "duties.done_late"
    walked = await track.of(database, occurrence_id)
    text = t(key, name=turn.duty.name, finds=turn.finds) + track_line(t, walked)
    await message.answer(text, reply_markup=main_menu(t, person.role))


def create_router() -> Router:
    router = Router(name=__name__)
    staff = HasRole(Role.OFFICER, Role.LEAD, Role.ADMIN, Role.VOLUNTEER)
    private = F.chat.type == "private"
    router.message.register(duties, private, Command("duties"), staff)
    router.callback_query.register(run, DutyRun.filter(), staff)
    finishing = StateFilter(DutyState.finishing)
    router.message.register(photo, private, finishing, F.photo, staff)
    router.message.register(summary, private, finishing, F.text, ~F.text.startswith("/"), staff)
    return router
