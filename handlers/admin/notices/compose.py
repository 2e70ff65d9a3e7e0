"""/notice and /campaign: compose a notice (or a campaign), choose who and when, preview with
the number of recipients, confirm.

Admins address the whole street or chosen communities; leads their community or chosen grids.
The choice is checked again on the server when the plan is saved (`audience.check_scope`).
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.errors import PoliteError
from bot.notices import audience, campaigns, plans, subscriptions
from bot.notices.audience import Audience, Kind
from bot.notices.schedules import Repeat, Schedule, parse
from bot.notices.sender import render
from bot.places import routing
from bot.telegram.session import MESSAGE_LIMIT
from bot.texts import Translator
from handlers.admin.notices.wording import describe_when, paid_estimate
from handlers.common import notice_keyboards
from handlers.common.callbacks import Compose, Step
from handlers.common.filters import HasRole
from storage.db import Database
from storage.models import Area, Notice, Person, Role
from storage.types import utcnow

TEXT_LIMIT = 3500  # leaves room for the header in Telegram's 4096
CAPTION_LIMIT = 900  # Telegram's caption limit is 1024
WHEN_CHOICES = ("now", *(r.value for r in Repeat))


class ComposeState(StatesGroup):
    text = State()
    name = State()
    choosing = State()  # buttons: kind, scope, areas, topic, when, preview
    when_text = State()
    phases = State()
    phase_text = State()  # a campaign phase's notice: typed, or the suggestion taken


async def start_notice(message: Message, state: FSMContext, t: Translator) -> None:
    await state.set_state(ComposeState.text)
    await state.set_data({"purpose": "notice"})
    await message.answer(t("compose.ask_text"))


async def start_campaign(message: Message, state: FSMContext, t: Translator) -> None:
    await state.set_state(ComposeState.name)
    await state.set_data({"purpose": "campaign", "kind": Kind.RESIDENTS.value})
    await message.answer(t("campaign.ask_name"))


async def got_text(message: Message, state: FSMContext, t: Translator) -> None:
    text = message.html_text if (message.text or message.caption) else ""
    media: tuple[str | None, str | None] = (None, None)
    if message.photo:
        media = ("photo", message.photo[-1].file_id)
    elif message.document:
        media = ("document", message.document.file_id)
    elif not message.text:
        raise PoliteError("compose.text_please")
    if not text.strip():
        raise PoliteError("compose.text_please")
    limit = CAPTION_LIMIT if media[0] else TEXT_LIMIT
    if len(text) > limit:
        raise PoliteError("compose.too_long", limit=limit, length=len(text))
    await state.update_data(text=text, media_kind=media[0], media_file_id=media[1])
    await state.set_state(ComposeState.choosing)
    kinds = [
        ("compose.kind_residents", Step.KIND, "residents"),
        ("compose.kind_staff", Step.KIND, "staff"),
    ]
    await message.answer(t("compose.ask_kind"), reply_markup=notice_keyboards.choices(t, kinds))


async def got_name(message: Message, state: FSMContext, t: Translator, person: Person) -> None:
    name = " ".join((message.text or "").split())
    if not name or len(name) > 60:
        raise PoliteError("campaign.bad_name")
    await state.update_data(name=name)
    await state.set_state(ComposeState.choosing)
    await _ask_scope(message, t, person)


async def on_button(
    query: CallbackQuery,
    callback_data: Compose,
    state: FSMContext,
    t: Translator,
    person: Person,
    database: Database,
    tz: tzinfo,
    settings: Settings,
) -> None:
    data = await state.get_data()
    current = await state.get_state()
    cancelling = callback_data.step == Step.CANCEL and current == ComposeState.phase_text.state
    if (current != ComposeState.choosing.state and not cancelling) or "purpose" not in data:
        raise PoliteError("error.stale_button")
    message = query.message
    assert isinstance(message, Message)
    step, value = callback_data.step, callback_data.value
    if not _well_formed(step, value):  # forged data: never trusted
        raise PoliteError("error.stale_button")
    await query.answer()
    if step == Step.CANCEL:
        await state.clear()
        await message.edit_text(t("compose.cancelled"))
    elif step == Step.KIND:
        await state.update_data(kind=Kind(value).value)
        await _ask_scope(message, t, person)
    elif step == Step.SCOPE:
        await _scope(message, state, t, person, database, value)
    elif step == Step.AREA:
        chosen = set(data.get("areas", [])) ^ {int(value)}
        await state.update_data(areas=sorted(chosen))
        choices = await _pickable(database, person)
        await message.edit_reply_markup(
            reply_markup=notice_keyboards.area_picker(t, choices, chosen)
        )
    elif step == Step.AREAS_DONE:
        if not data.get("areas"):
            raise PoliteError("compose.pick_an_area")
        await _after_areas(message, state, t, database)
    elif step == Step.TOPIC:
        await state.update_data(topic=value or None)
        await _after_topic(message, state, t)
    elif step == Step.WHEN:
        await _when(message, state, t, database, person, tz, settings, value)
    elif step in (Step.ACK, Step.URGENT):
        if data.get("purpose") == "campaign":  # a campaign's preview has no such toggles
            raise PoliteError("error.stale_button")
        key = "ack" if step == Step.ACK else "urgent"
        await state.update_data({key: not data.get(key, False)})
        await preview(message, state, t, database, person, tz, settings, edit=True)
    elif step == Step.SEND:
        await _save(message, state, t, database, person, tz)


def _well_formed(step: Step, value: str) -> bool:
    allowed = {
        Step.KIND: {kind.value for kind in Kind},
        Step.SCOPE: {"all", "pick"},
        Step.WHEN: set(WHEN_CHOICES),
    }
    if step == Step.AREA:
        return value.isdigit()
    return value in allowed.get(step, {value})


async def _ask_scope(message: Message, t: Translator, person: Person) -> None:
    whole = "compose.scope_street" if person.role == Role.ADMIN else "compose.scope_community"
    pick = "compose.scope_communities" if person.role == Role.ADMIN else "compose.scope_grids"
    markup = notice_keyboards.choices(t, [(whole, Step.SCOPE, "all"), (pick, Step.SCOPE, "pick")])
    await message.answer(t("compose.ask_scope"), reply_markup=markup)


async def _pickable(database: Database, person: Person) -> list[Area]:
    if person.role == Role.ADMIN:
        return await subscriptions.communities(database)
    return await routing.grids_of(database, person.area_id or 0)


async def _scope(
    message: Message,
    state: FSMContext,
    t: Translator,
    person: Person,
    database: Database,
    value: str,
) -> None:
    if value == "pick":
        choices = await _pickable(database, person)
        if not choices:
            raise PoliteError("compose.no_areas")
        await state.update_data(areas=[])
        markup = notice_keyboards.area_picker(t, choices, set())
        await message.answer(t("compose.ask_areas"), reply_markup=markup)
        return
    whole = [] if person.role == Role.ADMIN else [person.area_id]
    await state.update_data(areas=whole)
    await _after_areas(message, state, t, database)


async def _after_areas(
    message: Message, state: FSMContext, t: Translator, database: Database
) -> None:
    data = await state.get_data()
    if data["kind"] == Kind.STAFF.value:
        await state.update_data(ack=True)  # officers' task notices ask to be acknowledged
        await _ask_when(message, t)
        return
    campaign = data["purpose"] == "campaign"
    markup = notice_keyboards.topic_picker(t, await subscriptions.topics(database), not campaign)
    key = "campaign.ask_category" if campaign else "compose.ask_topic"
    await message.answer(t(key), reply_markup=markup)


async def _after_topic(message: Message, state: FSMContext, t: Translator) -> None:
    data = await state.get_data()
    if data["purpose"] == "campaign":
        if not data.get("topic"):
            raise PoliteError("error.stale_button")
        await state.set_state(ComposeState.phases)
        await message.answer(t("campaign.ask_phases"))
        return
    await _ask_when(message, t)


async def _ask_when(message: Message, t: Translator) -> None:
    options = [(f"when.choice_{value}", Step.WHEN, value) for value in WHEN_CHOICES]
    await message.answer(t("when.ask"), reply_markup=notice_keyboards.choices(t, options, width=2))


async def _when(
    message: Message,
    state: FSMContext,
    t: Translator,
    database: Database,
    person: Person,
    tz: tzinfo,
    settings: Settings,
    value: str,
) -> None:
    if value == "now":
        await state.update_data(repeat=Repeat.ONCE.value, spec="now")
        await preview(message, state, t, database, person, tz, settings)
        return
    await state.update_data(repeat=Repeat(value).value)
    await state.set_state(ComposeState.when_text)
    await message.answer(t(f"when.ask_{value}"))


async def got_when(
    message: Message,
    state: FSMContext,
    t: Translator,
    database: Database,
    person: Person,
    tz: tzinfo,
    settings: Settings,
) -> None:
    data = await state.get_data()
    schedule = parse(Repeat(data["repeat"]), message.text or "", utcnow(), tz)
    await state.update_data(spec=schedule.spec)
    await state.set_state(ComposeState.choosing)
    await preview(message, state, t, database, person, tz, settings)


def _audience(data: dict[str, Any]) -> Audience:
    return Audience(Kind(data["kind"]), tuple(data.get("areas") or ()), data.get("topic"))


async def preview(
    message: Message,
    state: FSMContext,
    t: Translator,
    database: Database,
    person: Person,
    tz: tzinfo,
    settings: Settings | None = None,  # a campaign's preview has no paid estimate
    *,
    edit: bool = False,
) -> None:
    """What will be sent to whom (and when), with the Send and Cancel buttons; for a notice
    sent with paid broadcasting, how long it takes and what it costs."""
    data = await state.get_data()
    chosen = _audience(data)
    async with database.sessions() as session:
        await audience.check_scope(session, person, chosen)
        count = await audience.count(session, chosen)
        names = t("list.names").join(await _area_names(session, chosen.areas))
    who = t(f"compose.who_{chosen.kind.value}", areas=names or t("staff.whole_street"))
    topic = await _topic_name(database, t, chosen.topic)
    if topic:
        who += t("compose.who_topic", topic=topic)
    if data["purpose"] == "campaign":
        body = campaigns.describe(t, data["name"], topic, data["phases"])
        lines = [t("campaign.preview_title"), body, who, t("compose.recipients", count=count)]
    else:
        sample = Notice(text=data["text"], urgent=data.get("urgent", False))
        when = describe_when(t, data["repeat"], data["spec"], tz)
        lines = [
            t("compose.preview_title"),
            render(sample, t),
            "—",
            who,
            t("compose.recipients", count=count),
            when,
        ]
        if data.get("media_kind"):
            lines.append(t(f"compose.with_{data['media_kind']}"))
        urgent = data.get("urgent", False)
        if settings is not None and (paid := paid_estimate(t, settings, count, urgent)):
            lines.append(paid)
    text = "\n".join(lines)[:MESSAGE_LIMIT]
    campaign = data["purpose"] == "campaign"  # its phases set acknowledgement themselves
    markup = notice_keyboards.preview(
        t, data.get("ack", False), data.get("urgent", False), toggles=not campaign
    )
    if edit:
        await message.edit_text(text, reply_markup=markup)
    else:
        await message.answer(text, reply_markup=markup)


async def _area_names(session: AsyncSession, area_ids: tuple[int, ...]) -> list[str]:
    if not area_ids:
        return []
    names = await session.scalars(
        select(Area.name).where(Area.id.in_(area_ids)).order_by(Area.code)
    )
    return list(names.all())


async def _topic_name(database: Database, t: Translator, code: str | None) -> str:
    found = [c for c in await subscriptions.topics(database) if c.code == code]
    return notice_keyboards.category_name(t, found[0]) if found else ""


async def _save(
    message: Message,
    state: FSMContext,
    t: Translator,
    database: Database,
    person: Person,
    tz: tzinfo,
) -> None:
    data = await state.get_data()
    chosen = _audience(data)
    if data["purpose"] == "campaign":
        campaign = await campaigns.create(
            database, person, data["name"], data["topic"], chosen, data["phases"], tz, t
        )
        await state.clear()
        await message.edit_text(t("campaign.created", name=campaign.name, number=campaign.id))
        return
    draft = plans.Draft(
        text=data["text"],
        audience=chosen,
        schedule=Schedule(Repeat(data["repeat"]), data["spec"]),
        media_kind=data.get("media_kind"),
        media_file_id=data.get("media_file_id"),
        urgent=data.get("urgent", False),
        ack=data.get("ack", False),
    )
    async with database.transaction() as session:
        plan = await plans.save_plan(session, draft, person, message.chat.id, tz)
    await state.clear()
    key = "compose.sending" if data["spec"] == "now" else "compose.scheduled"
    when = describe_when(t, data["repeat"], data["spec"], tz)
    await message.edit_text(t(key, number=plan.id, when=when))


async def wrong_input(message: Message) -> None:
    raise PoliteError("compose.use_buttons")


async def cancel(message: Message, state: FSMContext, t: Translator) -> None:
    await state.clear()
    await message.answer(t("compose.cancelled"))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    authors = HasRole(Role.ADMIN, Role.LEAD)
    router.message.register(cancel, Command("cancel"), StateFilter(ComposeState), authors)
    not_a_command = ~F.text.startswith("/")
    router.message.register(start_notice, Command("notice"), authors)
    router.message.register(start_campaign, Command("campaign"), authors)
    router.message.register(got_text, StateFilter(ComposeState.text), not_a_command, authors)
    router.message.register(got_name, StateFilter(ComposeState.name), not_a_command, authors)
    router.message.register(got_when, StateFilter(ComposeState.when_text), not_a_command, authors)
    router.message.register(wrong_input, StateFilter(ComposeState.choosing), not_a_command, authors)
    router.callback_query.register(on_button, Compose.filter(), authors)
    return router
