"""Staff commands: /queue, /case N, /onduty and /offduty, /invite."""

from __future__ import annotations

from datetime import tzinfo

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.cases import access, links, work_queue
from bot.cases.desk import Desk
from bot.config import Settings
from bot.deadlines.escalation import escalation_text_key
from bot.errors import PoliteError
from bot.people import staff
from bot.places import routing
from bot.telegram.session import MESSAGE_LIMIT
from bot.texts import Catalogue, Translator
from handlers.common.filters import HasRole, MenuButton
from handlers.common.keyboards import card_buttons
from storage.db import Database
from storage.models import Case, Person, Role


async def show_queue(
    message: Message, person: Person, t: Translator, database: Database, tz: tzinfo
) -> None:
    entries = await work_queue.queue(database, person)
    if not entries:
        await message.answer(t("queue.empty"))
        return
    lines = [t("queue.title", count=len(entries))]
    for entry in entries:
        due = entry.due.astimezone(tz).strftime("%m-%d %H:%M") if entry.due else "—"
        lines.append(
            t(
                "queue.line",
                mark="🔴" if entry.overdue else ("🚨" if entry.case.urgent else "•"),
                number=entry.case.number or "",
                status=t(f"status.{entry.case.status.value}"),
                due=due,
            )
        )
    await message.answer("\n".join(lines)[:MESSAGE_LIMIT])


async def show_case(
    message: Message,
    command: CommandObject,
    person: Person,
    t: Translator,
    database: Database,
    desk: Desk,
    tz: tzinfo,
    bot: Bot,
) -> None:
    found = await _readable(database, person, command.args)
    text = await desk.card_text(found, t, person.role == Role.ADMIN, person)
    history = await _history_lines(database, found.id, t, tz, person)
    link = links.case_link((await bot.me()).username or "", found.number or "")
    shared = t("doors.staff_link", link=link)  # to post where residents may follow it
    text = "\n".join([text, shared, "", t("mycases.history"), *history])[:MESSAGE_LIMIT]
    sent = await message.answer(text, reply_markup=card_buttons(t, found))
    await desk.remember_card(found.id, message.chat.id, sent.message_id)


async def show_audit(
    message: Message,
    command: CommandObject,
    person: Person,
    t: Translator,
    database: Database,
    tz: tzinfo,
) -> None:
    """/audit N: every event of a case: when, what, who (names for admins), note."""
    found = await _readable(database, person, command.args)
    lines = [t("audit.title", number=found.number or "")]
    lines += await _history_lines(database, found.id, t, tz, person)
    await message.answer("\n".join(lines)[:MESSAGE_LIMIT])


async def _readable(database: Database, person: Person, number: str | None) -> Case:
    found = await work_queue.by_number(database, number or "")
    return await access.case_to_read(database, person, found.id if found else 0)


async def _history_lines(
    database: Database, case_id: int, t: Translator, tz: tzinfo, viewer: Person
) -> list[str]:
    """Each event: when, what, who (residents' names only for admins), and its note."""
    lines = []
    for event, actor in await work_queue.audit_trail(database, case_id):
        who = t("audit.system")
        if actor is not None:
            who = t(f"role.{actor.role.value}")
            if viewer.role == Role.ADMIN or actor.role != Role.RESIDENT:
                who += f" {actor.name}"
        # An escalation's note is a code: its own text says it (no code word reaches people).
        key = escalation_text_key(event.note) if event.action == "escalate" else None
        line = t(
            "audit.line",
            when=event.created_at.astimezone(tz).strftime("%m-%d %H:%M"),
            what=t(key or f"event.{event.action}"),
            who=who,
        )
        if event.note and key is None:
            line += t("mycases.event_note", note=event.note[:300])
        lines.append(line)
    return lines


async def go_on_duty(message: Message, person: Person, t: Translator, database: Database) -> None:
    await staff.set_on_duty(database, person.id, True)
    await message.answer(t("duty.on"))


async def go_off_duty(message: Message, person: Person, t: Translator, database: Database) -> None:
    """Off duty, and who will really get the grid's new cases meanwhile, by name."""
    await staff.set_on_duty(database, person.id, False)
    taking = await routing.grid_receivers(database, person.area_id) if person.area_id else []
    if not taking:
        await message.answer(t("duty.off_nobody"))
        return
    role = taking[0].role
    names = t("duty.names_separator").join(p.name or str(p.tg_id) for p in taking[:5])
    await message.answer(t("duty.off_to", who=t(f"duty.who_{role.value}", names=names)))


async def make_invite(
    message: Message,
    command: CommandObject,
    person: Person,
    t: Translator,
    database: Database,
    bot: Bot,
    settings: Settings,
    catalogue: Catalogue,
) -> None:
    """/invite officer JN01-1, the role also in the reader's words (`invite.word_<role>`;
    leads: officers of their own community only)."""
    parts = (command.args or "").split()
    roles = [r.value for r in Role if r != Role.RESIDENT]
    named = catalogue.sub_command("invite", parts[0], roles) if parts else None
    if named is None:
        raise PoliteError("invite.usage")
    role, area_code = Role(named), (parts[1] if len(parts) > 1 else None)
    invite = await staff.create_invite(
        database, role, area_code, created_by=person, days=settings.invite_days
    )
    me = await bot.me()
    await message.answer(
        t(
            "invite.created",
            role=t(f"role.{role.value}"),
            link=staff.invite_link(me.username or "", invite),
        )
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    staff_only = HasRole(Role.OFFICER, Role.LEAD, Role.ADMIN)
    router.message.register(show_queue, Command("queue"), staff_only)
    router.message.register(show_queue, MenuButton("menu.queue"), staff_only)
    router.message.register(show_case, Command("case"), staff_only)
    router.message.register(show_audit, Command("audit"), HasRole(Role.LEAD, Role.ADMIN))
    router.message.register(go_on_duty, Command("onduty"), HasRole(Role.OFFICER))
    router.message.register(go_on_duty, MenuButton("menu.onduty"), HasRole(Role.OFFICER))
    router.message.register(go_off_duty, Command("offduty"), HasRole(Role.OFFICER))
    router.message.register(go_off_duty, MenuButton("menu.offduty"), HasRole(Role.OFFICER))
    router.message.register(make_invite, Command("invite"), HasRole(Role.LEAD, Role.ADMIN))
    return router
