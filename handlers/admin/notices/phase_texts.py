"""/campaign's phases: their dates as clerks write them, then each phase's own notice to the
residents, one phase after the other. A suggestion for the phase's kind of stage (built from the
campaign's name and the phase's name and dates) is taken with one tap, or replaced by typing.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.errors import PoliteError
from bot.notices import campaigns
from bot.notices.campaigns import Phase
from bot.texts import Markup, Translator
from handlers.admin.notices.compose import TEXT_LIMIT, ComposeState, preview
from handlers.common import notice_keyboards
from handlers.common.callbacks import Compose, Step
from handlers.common.filters import HasRole
from storage.db import Database
from storage.models import Person, Role
from storage.types import utcnow


async def got_phases(message: Message, state: FSMContext, t: Translator, tz: tzinfo) -> None:
    phases = campaigns.parse_phases(message.text or "", utcnow().astimezone(tz).date())
    await state.update_data(phases=[p.to_json() for p in phases], phase=0)
    await state.set_state(ComposeState.phase_text)
    await _ask(message, t, await state.get_data())


async def _ask(message: Message, t: Translator, data: dict[str, Any]) -> None:
    index, phases = data["phase"], data["phases"]
    phase = Phase.from_json(phases[index])
    suggestion = campaigns.default_text(t, data["name"], phase)
    text = t(
        "campaign.ask_phase_text",
        number=index + 1,
        count=len(phases),
        phase=phase.name,
        start=phase.start,
        end=phase.end,
        text=Markup(suggestion),
    )
    take = [("campaign.button_use_default", Step.PHASE_TEXT, str(index))]
    await message.answer(text, reply_markup=notice_keyboards.choices(t, take))


async def got_phase_text(
    message: Message,
    state: FSMContext,
    t: Translator,
    database: Database,
    person: Person,
    tz: tzinfo,
) -> None:
    """The author's own notice for the phase asked (words only: a phase's notice has no
    picture)."""
    if not message.text or not message.text.strip():
        raise PoliteError("compose.text_please")
    if len(message.html_text) > TEXT_LIMIT:
        raise PoliteError("compose.too_long", limit=TEXT_LIMIT, length=len(message.html_text))
    await _next(message, state, t, database, person, tz, message.html_text)


async def take_suggestion(
    query: CallbackQuery,
    callback_data: Compose,
    state: FSMContext,
    t: Translator,
    database: Database,
    person: Person,
    tz: tzinfo,
) -> None:
    """The suggestion of the phase being asked; a press on an earlier phase's is stale."""
    data = await state.get_data()
    asked = await state.get_state() == ComposeState.phase_text.state
    if not asked or callback_data.value != str(data.get("phase")):
        raise PoliteError("error.stale_button")
    message = query.message
    assert isinstance(message, Message)
    await query.answer()
    await message.edit_reply_markup(reply_markup=None)
    phase = Phase.from_json(data["phases"][data["phase"]])
    suggestion = campaigns.default_text(t, data["name"], phase)
    await _next(message, state, t, database, person, tz, suggestion)


async def _next(
    message: Message,
    state: FSMContext,
    t: Translator,
    database: Database,
    person: Person,
    tz: tzinfo,
    text: str,
) -> None:
    """Keep the phase's text, then ask the next phase's, or preview after the last."""
    data = await state.get_data()
    index = data["phase"]
    phases = campaigns.with_text(data["phases"], index, text)
    await state.update_data(phases=phases, phase=index + 1)
    if index + 1 < len(phases):
        await _ask(message, t, await state.get_data())
        return
    await state.set_state(ComposeState.choosing)
    await preview(message, state, t, database, person, tz)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    authors = HasRole(Role.ADMIN, Role.LEAD)
    not_a_command = ~F.text.startswith("/")
    router.message.register(got_phases, StateFilter(ComposeState.phases), not_a_command, authors)
    router.message.register(
        got_phase_text, StateFilter(ComposeState.phase_text), not_a_command, authors
    )
    router.callback_query.register(
        take_suggestion, Compose.filter(F.step == Step.PHASE_TEXT), authors
    )
    return router
