"""The dog's registration number in a report of a category that asks it: typed and checked
against the register, or skipped with one tap. A refused number is said with the question
again, so the resident may retype it or skip."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from bot.dogs import sightings
from bot.dogs.rules import DogError
from handlers.common.callbacks import Nav, ReportNav
from handlers.resident.report import steps
from handlers.resident.report.steps import Flow, ReportState


async def typed_number(message: Message, flow: Flow) -> None:
    draft = flow.require_draft()
    try:
        dog = await sightings.name_dog(flow.database, flow.person, draft.id, message.text)
    except DogError as error:
        await steps.ask_dog(flow, draft, flow.t(error.key, **error.values))
        return
    await flow.state.update_data(dog_done=True)
    await flow.say("report.dog_noted", number=dog.number or "")
    await steps.advance(flow, draft)


async def skip_number(query: CallbackQuery, callback_data: ReportNav, flow: Flow) -> None:
    draft = await flow.own_draft(callback_data.case_id)
    if await flow.state.get_state() != ReportState.dog.state:  # an old question's button
        raise DogError("error.stale_button")
    await sightings.skip(flow.database, flow.person, draft.id)
    await query.answer()
    await flow.state.update_data(dog_done=True)
    await steps.advance(flow, draft)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(typed_number, F.chat.type == "private", ReportState.dog, F.text)
    router.callback_query.register(skip_number, ReportNav.filter(F.action == Nav.DOG_SKIP))
    return router
