"""An owner sends a newer vaccination: its date, the certificate number, then a photo of the
certificate (an image file's bytes are checked as a report's are); each step has Back and
Cancel. The community's staff get a card to confirm or refuse it; only a confirmed one renews
the dog's vaccination."""

from __future__ import annotations

from datetime import date

from aiogram import F, Router
from aiogram.filters import Filter, StateFilter
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message

from bot.dogs import registry, rules, vaccinations
from bot.dogs.rules import DogError
from bot.reports import drafts
from handlers.common import dog_claim_cards
from handlers.common import dog_keyboards as kb
from handlers.common.callbacks import DogForm, DogStep
from handlers.common.images import incoming_image
from handlers.common.keyboards import main_menu
from handlers.resident.dogs import form as registration
from handlers.resident.dogs.common import DogUpdate, Form
from storage.models import MediaKind

ASKED = {
    DogUpdate.vaccinated: "dogs.ask_vaccinated",
    DogUpdate.certificate: "dogs.ask_certificate",
    DogUpdate.photo: "dogs.ask_certificate_photo",
}
ORDER = list(ASKED)


async def ask(form: Form, step: State) -> None:
    await form.state.set_state(step)
    markup = kb.choices(form.t, DogStep.BACK, [], back=step != ORDER[0])
    await form.say(ASKED[step], reply_markup=markup)


async def _dog_id(form: Form) -> int:
    data = await form.state.get_data()
    try:
        return int(data["dog_id"])
    except (KeyError, ValueError, TypeError):
        await form.state.clear()
        raise DogError("error.stale_button") from None


async def typed_date(message: Message, form: Form) -> None:
    day = rules.parse_date(message.text, form.today)
    dog = await registry.dog_of_owner(form.database, form.person, await _dog_id(form))
    if day <= dog.vaccinated_on:
        raise DogError("dogs.not_newer", date=dog.vaccinated_on.isoformat())
    await form.state.update_data(vaccinated_on=day.isoformat())
    await ask(form, DogUpdate.certificate)


async def typed_certificate(message: Message, form: Form) -> None:
    await form.state.update_data(certificate=rules.check_certificate(message.text))
    await ask(form, DogUpdate.photo)


async def photo(message: Message, form: Form) -> None:
    image = incoming_image(message)
    if image.kind is MediaKind.DOCUMENT:
        await form.media.check_image_file(image.file_id)
    data = await form.state.get_data()
    try:
        day, certificate = date.fromisoformat(data["vaccinated_on"]), str(data["certificate"])
    except (KeyError, ValueError, TypeError):
        await form.state.clear()
        raise DogError("error.stale_button") from None
    sent = await vaccinations.send(
        form.database,
        form.person,
        await _dog_id(form),
        (day, certificate),
        vaccinations.Photo(image.file_id, image.file_unique_id),
    )
    await form.state.clear()
    await form.say(
        "dogs.vaccination_sent",
        name=sent.dog.name,
        reply_markup=main_menu(form.t, form.person.role),
    )
    await dog_claim_cards.after(form.bot, form.database, form.catalogue, sent, form.today)


async def not_a_photo(message: Message) -> None:
    raise drafts.ReportError("report.photos_only")


async def pressed(query: CallbackQuery, callback_data: DogForm, form: Form) -> None:
    """Back to the step before, or Cancel."""
    current = await form.state.get_state()
    steps = [step.state for step in ORDER]
    await query.answer()
    if callback_data.step is DogStep.BACK and current in steps[1:]:
        await ask(form, ORDER[steps.index(current) - 1])
    else:
        await registration.cancel_form(form)


def register(router: Router, typed: Filter) -> None:
    """The steps' handlers, on the router of /mydogs."""
    router.message.register(typed_date, StateFilter(DogUpdate.vaccinated), typed)
    router.message.register(typed_certificate, StateFilter(DogUpdate.certificate), typed)
    on_photo = StateFilter(DogUpdate.photo)
    router.message.register(photo, on_photo, F.photo | F.document)
    router.message.register(not_a_photo, on_photo, typed)
    router.message.register(not_a_photo, on_photo, ~F.text)
    navigation = F.step.in_({DogStep.BACK, DogStep.CANCEL})
    router.callback_query.register(pressed, StateFilter(DogUpdate), DogForm.filter(navigation))
