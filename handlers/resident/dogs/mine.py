"""/mydogs: an owner's dogs, one dog's page, and what the owner may change: a newer
vaccination (its steps in `vaccination`), lost, found, dead or rehomed (confirmed first), a
returned dog sent again. Staff of the dog's community open the same page from the register
(with the owner, and review buttons while it waits)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.types import CallbackQuery, Message

from bot.dogs import registry, views
from bot.dogs.registry import Action
from bot.dogs.rules import DogError
from bot.telegram.session import CAPTION_LIMIT
from handlers.common import dog_keyboards as kb
from handlers.common.callbacks import DogDo, DogOpen, DogOwner
from handlers.common.filters import MenuButton
from handlers.resident.dogs import form as registration
from handlers.resident.dogs import vaccination
from handlers.resident.dogs.common import DogUpdate, Form, FormMiddleware, Typed
from storage.models import DogStatus

DO_ACTION = {
    DogDo.LOST: Action.LOST,
    DogDo.FOUND: Action.FOUND,
    DogDo.DEAD: Action.DEAD,
    DogDo.REHOMED: Action.REHOMED,
}


async def list_dogs(message: Message, form: Form) -> None:
    dogs = await registry.dogs_of(form.database, form.person)
    key = "dogs.mine_title" if dogs else "dogs.mine_none"
    await form.say(key, count=len(dogs), reply_markup=kb.my_dogs(form.t, dogs))


async def open_dog(query: CallbackQuery, callback_data: DogOpen, form: Form) -> None:
    card = await views.card(form.database, callback_data.dog_id, form.person, form.t, form.today)
    if card is None:
        raise DogError("dogs.not_found")
    await query.answer()
    dog = card.dog
    if dog.owner_id == form.person.id:
        markup = kb.owner_buttons(form.t, dog, form.person)
    else:  # staff of its community
        markup = kb.review(form.t, dog.id) if dog.status == DogStatus.PENDING else None
    await form.bot.send_photo(
        form.chat_id, dog.photo_file_id, caption=card.text[:CAPTION_LIMIT], reply_markup=markup
    )


async def owner_action(query: CallbackQuery, callback_data: DogOwner, form: Form) -> None:
    dog = await registry.dog_of_owner(form.database, form.person, callback_data.dog_id)
    do = callback_data.action
    if do is DogDo.KEEP:
        await query.answer(form.t("dogs.kept"))
        return
    if do is DogDo.RESUBMIT:
        _check(Action.RESUBMIT, dog, form)
        await query.answer()
        await registration.start(form, dog.id)
        return
    if do is DogDo.VACCINATE:
        _check(Action.VACCINATE, dog, form)
        await query.answer()
        await form.state.set_data({"dog_id": dog.id})
        await vaccination.ask(form, DogUpdate.vaccinated)
        return
    action = DO_ACTION[do]
    _check(action, dog, form)
    await query.answer()
    if not callback_data.confirmed:
        await form.say(
            f"dogs.confirm_{action.value}",
            name=dog.name,
            reply_markup=kb.confirm(form.t, dog.id, do),
        )
        return
    await registry.act(form.database, dog.id, action, form.person)
    await form.say(f"dogs.done_{action.value}", name=dog.name)


def _check(action: Action, dog: object, form: Form) -> None:
    """The register's own rule, before asking anything (it is asked again when done)."""
    refusal = registry.allowed(action, dog, form.person)  # type: ignore[arg-type]
    if refusal:
        raise DogError(refusal)


async def cancel_update(message: Message, form: Form) -> None:
    await registration.cancel_form(form)


async def text_please(message: Message) -> None:
    raise DogError("dogs.text_please")


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    middleware = FormMiddleware()
    router.message.middleware(middleware)
    router.callback_query.middleware(middleware)
    router.message.register(list_dogs, Command("mydogs"))
    router.message.register(list_dogs, MenuButton("menu.mydogs"))
    updating = StateFilter(DogUpdate)
    router.message.register(cancel_update, updating, Command("cancel"))
    vaccination.register(router, Typed())
    router.message.register(text_please, updating, ~F.text)
    router.callback_query.register(open_dog, DogOpen.filter())
    router.callback_query.register(owner_action, DogOwner.filter())
    return router
