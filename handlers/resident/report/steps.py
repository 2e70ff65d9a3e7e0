"""The steps of a report and how the next one is chosen: only what is still missing is asked.

category → quick questions → the dog's number (categories that ask it) → description → photos →
place → summary. The draft case holds the answers; the conversation state holds the step and
three flags (dog asked, photos done, place done).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardMarkup

from bot.cases.desk import Desk
from bot.categories import table
from bot.config import Settings
from bot.dogs import sightings
from bot.reports import drafts
from bot.reports.media import MediaStore
from bot.texts import Translator
from handlers.resident.report import danger, keyboards
from storage.db import Database
from storage.models import Case, Person
from storage.models import CaseStatus as S


class ReportState(StatesGroup):
    category = State()
    question = State()
    dog = State()
    description = State()
    photos = State()
    place = State()
    community = State()
    summary = State()
    duplicate = State()


STEP_ORDER = ("category", "question", "dog", "description", "photos", "place", "summary")


@dataclass
class Flow:
    """Everything a report handler needs, given to it by `FlowMiddleware` as `flow`."""

    bot: Bot
    chat_id: int
    t: Translator
    language: str
    database: Database
    settings: Settings
    state: FSMContext
    person: Person
    draft: Case | None
    media: MediaStore
    desk: Desk
    message_id: int | None = None  # the message whose button was pressed: a step replaces it

    async def say(self, key: str, **values: object) -> None:
        await self.bot.send_message(self.chat_id, self.t(key, **values))

    async def show(self, text: str, markup: InlineKeyboardMarkup | None) -> int:
        """A step with buttons: in place of the message whose button was pressed (one message
        for all the steps a resident taps through), else a new message; returns its id."""
        if self.message_id is not None:
            try:
                await self.bot.edit_message_text(
                    text, chat_id=self.chat_id, message_id=self.message_id, reply_markup=markup
                )
                return self.message_id
            except TelegramBadRequest as error:  # a photo, or too old to edit: say it anew
                if "not modified" in error.message:
                    return self.message_id
        message = await self.bot.send_message(self.chat_id, text, reply_markup=markup)
        return message.message_id

    def require_draft(self) -> Case:
        """The draft being written; a message after it was submitted or cancelled is refused."""
        if self.draft is None:
            raise drafts.ReportError("report.gone")
        return self.draft

    async def own_draft(self, case_id: int) -> Case:
        """The draft a button belongs to, if it is still this person's (never trust the data)."""
        if self.draft is not None and self.draft.id == case_id:
            return self.draft
        async with self.database.sessions() as session:
            case = await session.get(Case, case_id)
        if case is not None and case.reporter_id == self.person.id and case.status != S.DRAFT:
            raise drafts.ReportError("report.already_submitted", number=case.number or "")
        raise drafts.ReportError("error.stale_button")


async def advance(flow: Flow, draft: Case) -> None:
    """Ask the first step the draft still misses."""
    await ask(flow, draft, await missing_step(flow, draft))


async def missing_step(flow: Flow, draft: Case) -> str:
    data = await flow.state.get_data()
    chosen = await table.category(flow.database, draft.category_id)
    if chosen is None:
        return "category"
    if data.get("danger"):  # the place first, then the case is filed at once
        return "file_now" if data.get("place_done") else "place"
    if drafts.next_question(chosen, draft.answers) is not None:
        return "question"
    if chosen.asks_dog_number and not data.get("dog_done"):
        return "dog"
    if not draft.description:
        return "description"
    if not data.get("photos_done"):
        return "photos"
    if not data.get("place_done"):
        return "place"
    return "summary"


async def ask(flow: Flow, draft: Case, step: str) -> None:
    await flow.state.update_data(case_id=draft.id)
    await ASKS[step](flow, draft)


async def back(flow: Flow, draft: Case, current: str) -> None:
    """Go one step back and ask it again."""
    index = STEP_ORDER.index(current) if current in STEP_ORDER else len(STEP_ORDER) - 1
    previous = STEP_ORDER[max(0, index - 1)]
    if (await flow.state.get_data()).get("danger"):  # back from the place: the danger answer
        await flow.state.update_data(danger=False)
        previous = "question"
    chosen = await table.category(flow.database, draft.category_id)
    if previous == "dog" and not (chosen and chosen.asks_dog_number):
        previous = "question"
    if previous == "question":
        await flow.state.update_data(dog_done=False)
        if not chosen or not chosen.questions:
            previous = "category"
        else:  # ask the questions again from the first
            draft = await _reset_answers(flow, draft)
    if previous == "photos":
        await flow.state.update_data(photos_done=False)
    await ask(flow, draft, previous)


async def _reset_answers(flow: Flow, draft: Case) -> Case:
    return await drafts.reset_answers(flow.database, draft.id)


async def ask_category(flow: Flow, draft: Case) -> None:
    await flow.state.set_state(ReportState.category)
    choices = await drafts.categories(flow.database)
    markup = keyboards.categories(flow.t, draft.id, choices, flow.language)
    await flow.show(flow.t("report.ask_category"), markup)


async def ask_question(flow: Flow, draft: Case) -> None:
    chosen = await table.category(flow.database, draft.category_id)
    index = drafts.next_question(chosen, draft.answers)
    if chosen is None or index is None:
        await advance(flow, draft)
        return
    await flow.state.set_state(ReportState.question)
    asked = chosen.questions[index]
    text = _escape(asked.get(flow.language) or asked["zh"])
    markup = keyboards.question(flow.t, draft.id, asked, flow.language)
    label = _escape(keyboards.category_label(chosen, flow.language))
    await flow.show(f"<b>{label}</b>\n\n{text}", markup)


async def ask_dog(flow: Flow, draft: Case, refusal: str = "") -> None:
    """Whether the resident knows the dog's registration number: typed, or one tap to skip.
    After a refused number, the refusal and the same question in a new message."""
    await flow.state.set_state(ReportState.dog)
    await flow.state.update_data(dog_done=False)
    chosen = await table.category(flow.database, draft.category_id)
    label = _escape(keyboards.category_label(chosen, flow.language)) if chosen else ""
    text = f"<b>{label}</b>\n\n{flow.t('report.ask_dog_number')}"
    if refusal:
        flow.message_id = None
        text = f"{refusal}\n\n{text}"
    await flow.show(text, keyboards.dog_number(flow.t, draft.id))


async def ask_description(flow: Flow, draft: Case) -> None:
    await flow.state.set_state(ReportState.description)
    key = "report.ask_description_again" if draft.description else "report.ask_description"
    await flow.show(
        flow.t(key, current=draft.description or ""), keyboards.step_nav(flow.t, draft.id)
    )


async def ask_photos(flow: Flow, draft: Case) -> None:
    await flow.state.set_state(ReportState.photos)
    count = await drafts.photo_count(flow.database, draft.id)
    shown = await flow.show(
        flow.t("report.ask_photos", count=count, limit=drafts.MAX_PHOTOS),
        keyboards.photos(flow.t, draft.id, count),
    )
    await flow.state.update_data(photos_message_id=shown)


async def ask_place(flow: Flow, draft: Case) -> None:
    await flow.state.set_state(ReportState.place)
    await flow.state.update_data(place_done=False)
    data = await flow.state.get_data()
    grid = await drafts.area_name(flow.database, data.get("poster_grid"))
    if data.get("danger"):
        text = flow.t("report.ask_place_danger")
    elif grid:
        text = flow.t("report.ask_place_grid", grid=grid)
    else:
        text = flow.t("report.ask_place")
    markup = keyboards.place(flow.t, at_poster=grid is not None)
    await flow.bot.send_message(flow.chat_id, text, reply_markup=markup)


async def poster_grid(flow: Flow) -> int | None:
    """The grid of the poster the report was started from, if it was."""
    return (await flow.state.get_data()).get("poster_grid")


async def ask_community(flow: Flow, draft: Case, key: str = "report.ask_community") -> None:
    grid_id = await poster_grid(flow)
    if grid_id is not None:  # the poster's grid: the community is known
        draft = await drafts.choose_grid(flow.database, draft.id, grid_id)
        await flow.state.update_data(place_done=True)
        await advance(flow, draft)
        return
    choices = await drafts.communities(flow.database)
    if not choices:  # no areas configured: the case waits in the triage queue
        await flow.state.update_data(place_done=True)
        await advance(flow, await _fresh(flow, draft))
        return
    await flow.state.set_state(ReportState.community)
    await flow.show(flow.t(key), keyboards.communities(flow.t, draft.id, choices))


async def show_summary(flow: Flow, draft: Case) -> None:
    await flow.state.set_state(ReportState.summary)
    await flow.state.update_data(duplicate_checked=False)
    await flow.show(await summary_text(flow, draft), keyboards.summary(flow.t, draft))


async def summary_text(flow: Flow, draft: Case) -> str:
    t = flow.t
    chosen = await table.category(flow.database, draft.category_id)
    lines = [
        t("report.summary_title"),
        t("report.summary_category", category=table.category_text(t, chosen, draft.answers)),
        t("report.summary_description", description=draft.description or "—"),
        t("report.summary_photos", count=await drafts.photo_count(flow.database, draft.id)),
        t("report.summary_place", place=await place_text(flow, draft)),
        t("report.summary_anonymous_on" if draft.anonymous else "report.summary_anonymous_off"),
    ]
    if number := await sightings.number_of(flow.database, draft.dog_id):
        lines.insert(3, t("report.summary_dog", number=number))
    if draft.share_identity:
        lines.append(t("report.summary_shared"))
    if draft.urgent:
        lines.insert(1, t("report.summary_urgent"))
    if draft.officer_found:
        lines.insert(1, t("report.summary_patrol"))
    return "\n".join(lines)


async def place_text(flow: Flow, draft: Case) -> str:
    area = await drafts.area_name(flow.database, draft.area_id)
    parts = []
    if draft.latitude is not None:
        parts.append(flow.t("report.place_location"))
    if draft.address:
        parts.append(draft.address)
    if area:
        parts.append(area)
    return " · ".join(parts) if parts else flow.t("report.place_unknown")


async def finish_place(flow: Flow, draft: Case) -> None:
    """The place step is answered and the report goes on (the summary says where). The place
    keyboard stays until the report ends: it is the report's own (send the place again, back,
    cancel); the main menu comes back with the report's end."""
    await flow.state.update_data(place_done=True)
    await advance(flow, draft)


async def _fresh(flow: Flow, draft: Case) -> Case:
    return await drafts.draft_of(flow.database, draft.reporter_id) or draft


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


ASKS = {
    "category": ask_category,
    "question": ask_question,
    "dog": ask_dog,
    "description": ask_description,
    "photos": ask_photos,
    "place": ask_place,
    "summary": show_summary,
    "file_now": danger.file_now,
}
