"""Registering a dog step by step: name, breed, colour, size, sex, photo, the last rabies
vaccination and its certificate, the grid where it lives, then a summary to submit.

Every step has Back and Cancel. The answers live in the conversation's data (stored in the
database, or Redis), so a restart resumes at the same step; the register checks them all again
when the dog is submitted.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.types import (
    CallbackQuery,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from sqlalchemy import select

from bot.dogs import registry, rules, views
from bot.dogs.rules import DogError
from bot.places.index import area_index
from bot.reports import drafts
from handlers.common import dog_keyboards as kb
from handlers.common.callbacks import DogForm, DogStep
from handlers.common.images import incoming_image
from handlers.common.keyboards import main_menu
from handlers.resident.dogs.common import DogSteps, Form, FormMiddleware, Typed
from storage.models import Area, AreaLevel, Dog, DogStatus, MediaKind
from storage.types import is_key

STEPS = tuple(state.state.split(":")[-1] for state in DogSteps.__all_states__)


async def start(form: Form, dog_id: int = 0) -> None:
    """A new registration (or a returned dog's corrected one, `dog_id`)."""
    await form.state.set_data({"dog": {}, "dog_id": dog_id})
    await form.say("dogs.form_intro", reply_markup=ReplyKeyboardRemove())
    await ask(form, "name")


async def ask(form: Form, step: str) -> None:
    await form.state.set_state(getattr(DogSteps, step))
    if step == "place":
        await _ask_place(form)
        return
    if step == "summary":
        await _show_summary(form)
        return
    t = form.t
    markup = {
        "breed": kb.choices(t, DogStep.BREED, [(b, t(f"dogs.breed_{b}")) for b in rules.BREEDS]),
        "size": kb.choices(t, DogStep.SIZE, [(s.value, t(f"dogs.size_{s}")) for s in rules.Size]),
        "sex": kb.choices(t, DogStep.SEX, [(s.value, t(f"dogs.sex_{s}")) for s in rules.Sex]),
    }.get(step) or kb.choices(t, DogStep.BACK, [], back=step != "name")
    await form.say(f"dogs.ask_{step}", reply_markup=markup)


async def _next(form: Form, **values: Any) -> None:
    await form.remember(**values)
    current = await form.step()
    await ask(form, STEPS[STEPS.index(current) + 1])


# --- typed answers -------------------------------------------------------------------------


async def typed_name(message: Message, form: Form) -> None:
    await _next(form, name=rules.check_name(message.text))


async def typed_breed(message: Message, form: Form) -> None:
    await _next(form, breed=rules.check_breed(message.text))


async def typed_colour(message: Message, form: Form) -> None:
    await _next(form, colour=rules.check_colour(message.text))


async def typed_date(message: Message, form: Form) -> None:
    await _next(form, vaccinated_on=rules.parse_date(message.text, form.today).isoformat())


async def typed_certificate(message: Message, form: Form) -> None:
    await _next(form, certificate=rules.check_certificate(message.text))


async def photo(message: Message, form: Form) -> None:
    image = incoming_image(message)
    if image.kind is MediaKind.DOCUMENT:
        await form.media.check_image_file(image.file_id)
    await _next(form, photo_file_id=image.file_id, photo_unique_id=image.file_unique_id)


async def not_a_photo(message: Message) -> None:
    raise drafts.ReportError("report.photos_only")


async def text_please(message: Message) -> None:
    raise DogError("dogs.text_please")


async def buttons_please(message: Message) -> None:
    raise DogError("dogs.buttons_please")


# --- buttons -------------------------------------------------------------------------------

CHOICES = {
    DogStep.BREED: ("breed", frozenset(rules.BREEDS)),
    DogStep.SIZE: ("size", frozenset(rules.Size)),
    DogStep.SEX: ("sex", frozenset(rules.Sex)),
}


async def pressed(query: CallbackQuery, callback_data: DogForm, form: Form) -> None:
    step = callback_data.step
    if step is DogStep.START:
        await query.answer()
        await start(form)
        return
    current = await form.step()
    if step is DogStep.CANCEL and await form.updating():
        await query.answer()
        await cancel_form(form)
        return
    if current not in STEPS:
        raise DogError("error.stale_button")
    await query.answer()
    if step is DogStep.CANCEL:
        await cancel_form(form)
    elif step is DogStep.BACK:
        await ask(form, STEPS[max(0, STEPS.index(current) - 1)])
    elif step is DogStep.SUBMIT and current == "summary":
        await submit(form)
    elif step in (DogStep.COMMUNITY, DogStep.GRID) and current == "place":
        await _place_chosen(form, step, callback_data.value)
    else:
        expected = CHOICES.get(step)
        if expected is None or expected[0] != current or callback_data.value not in expected[1]:
            raise DogError("error.stale_button")
        await _next(form, **{current: callback_data.value})


async def cancel_form(form: Form) -> None:
    await form.state.clear()
    await form.say("dogs.cancelled", reply_markup=main_menu(form.t, form.person.role))


async def cancel_command(message: Message, form: Form) -> None:
    await cancel_form(form)


# --- the place -----------------------------------------------------------------------------


async def _ask_place(form: Form) -> None:
    communities = await drafts.communities(form.database)
    if not communities:  # no areas configured: the street's admins review it
        await _next(form, area_id=None)
        return
    location = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=form.t("dogs.button_location"), request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    await form.say("dogs.ask_place", reply_markup=location)
    options = [(str(area.id), area.name) for area in communities]
    await form.say(
        "dogs.ask_community", reply_markup=kb.choices(form.t, DogStep.COMMUNITY, options, 2)
    )


async def location(message: Message, form: Form) -> None:
    assert message.location is not None
    index = await area_index(form.database)
    point = message.location
    found = index.locate(point.latitude, point.longitude, form.settings.routing_tolerance_m)
    if found is None:
        raise DogError("dogs.outside")
    if found.level == AreaLevel.GRID.value:
        await _place_done(form, found.area_id)
    else:
        await _ask_grid(form, found.area_id)


async def _place_chosen(form: Form, step: DogStep, value: str) -> None:
    area = await _area(form, value)
    if step is DogStep.COMMUNITY and area is not None and area.level == AreaLevel.COMMUNITY:
        await _ask_grid(form, area.id)
    elif step is DogStep.GRID and area is not None and area.level == AreaLevel.GRID:
        await _place_done(form, area.id)
    else:
        raise DogError("error.stale_button")


async def _area(form: Form, value: str) -> Area | None:
    if not value.isdigit() or not is_key(int(value)):
        return None
    async with form.database.sessions() as session:
        return await session.get(Area, int(value))


async def _ask_grid(form: Form, community_id: int) -> None:
    grids = await _grids(form, community_id)
    if not grids:  # a community without grids: the dog lives in the community
        await _place_done(form, community_id)
        return
    options = [(str(grid.id), grid.name) for grid in grids]
    await form.say("dogs.ask_grid", reply_markup=kb.choices(form.t, DogStep.GRID, options, 2))


async def _grids(form: Form, community_id: int) -> list[Area]:
    async with form.database.sessions() as session:
        rows = await session.scalars(
            select(Area)
            .where(Area.parent_id == community_id, Area.level == AreaLevel.GRID)
            .order_by(Area.code)
        )
        return list(rows)


async def _place_done(form: Form, area_id: int) -> None:
    await form.say("dogs.place_noted", reply_markup=ReplyKeyboardRemove())
    await _next(form, area_id=area_id)


# --- the summary and submitting -------------------------------------------------------------


def draft_dog(values: dict[str, Any]) -> Dog:
    """The form's answers as a dog that is not stored (to show the summary)."""
    return Dog(
        status=DogStatus.PENDING,
        name=values["name"],
        breed=values["breed"],
        colour=values["colour"],
        size=values["size"],
        sex=values["sex"],
        vaccinated_on=date.fromisoformat(values["vaccinated_on"]),
        certificate=values["certificate"],
        restricted=False,
        area_id=values.get("area_id"),
    )


async def _show_summary(form: Form) -> None:
    values = (await form.state.get_data()).get("dog", {})
    try:
        dog = draft_dog(values)
    except (KeyError, ValueError, TypeError):
        await start(form)  # the conversation lost its answers: begin again
        return
    text = form.t("dogs.summary_title") + "\n" + await form.describe(dog)
    markup = kb.choices(form.t, DogStep.SUBMIT, [("", form.t("dogs.button_submit"))], 1)
    await form.bot.send_photo(
        form.chat_id, values["photo_file_id"], caption=text, reply_markup=markup
    )


async def submit(form: Form) -> None:
    data = await form.state.get_data()
    values = data.get("dog", {})
    try:
        details = registry.Details(
            **{**values, "vaccinated_on": date.fromisoformat(values["vaccinated_on"])}
        )
    except (KeyError, ValueError, TypeError):
        raise DogError("error.stale_button") from None
    restricted = views.restricted(form.catalogue, details.breed, form.settings.restricted_breeds)
    if data.get("dog_id"):
        outcome = await registry.resubmit(
            form.database, form.person, int(data["dog_id"]), details, restricted
        )
    else:
        outcome = await registry.register(form.database, form.person, details, restricted)
    await form.state.clear()
    await form.say("dogs.submitted", reply_markup=main_menu(form.t, form.person.role))
    await form.news.after(form.database, outcome)  # the review cards


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    middleware = FormMiddleware()
    router.message.middleware(middleware)
    router.callback_query.middleware(middleware)
    in_form = StateFilter(DogSteps)
    router.message.register(cancel_command, in_form, Command("cancel"))
    typed = Typed()
    for state, handler in (
        (DogSteps.name, typed_name),
        (DogSteps.breed, typed_breed),
        (DogSteps.colour, typed_colour),
        (DogSteps.vaccinated, typed_date),
        (DogSteps.certificate, typed_certificate),
    ):
        router.message.register(handler, StateFilter(state), typed)
        router.message.register(text_please, StateFilter(state), ~F.text)
    photo_step = StateFilter(DogSteps.photo)
    router.message.register(photo, photo_step, F.photo | F.document)
    router.message.register(not_a_photo, photo_step, ~F.text)
    router.message.register(location, StateFilter(DogSteps.place), F.location)
    for state in (DogSteps.size, DogSteps.sex, DogSteps.place, DogSteps.summary):
        router.message.register(buttons_please, StateFilter(state), ~F.text)
        router.message.register(buttons_please, StateFilter(state), typed)
    router.message.register(not_a_photo, photo_step, typed)
    router.callback_query.register(pressed, DogForm.filter())
    return router
