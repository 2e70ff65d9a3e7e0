"""Keyboards of dog management: the owner's, the form's and the review card's."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.dogs import registry
from bot.dogs.registry import Action
from bot.texts import Translator as T
from handlers.common.callbacks import (
    DogDo,
    DogForm,
    DogOpen,
    DogOwner,
    DogPage,
    DogReview,
    DogStep,
    DogVerdict,
)
from storage.models import Dog, Person

OWNER_BUTTONS = (
    (Action.VACCINATE, DogDo.VACCINATE),
    (Action.RESUBMIT, DogDo.RESUBMIT),
    (Action.LOST, DogDo.LOST),
    (Action.FOUND, DogDo.FOUND),
    (Action.DEAD, DogDo.DEAD),
    (Action.REHOMED, DogDo.REHOMED),
)


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data)


def form_button(t: T, key: str, step: DogStep, value: str = "") -> InlineKeyboardButton:
    return _button(t(key), DogForm(step=step, value=value).pack())


def nav_row(t: T, back: bool = True) -> list[InlineKeyboardButton]:
    row = [form_button(t, "dogs.button_back", DogStep.BACK)] if back else []
    return [*row, form_button(t, "dogs.button_cancel", DogStep.CANCEL)]


def choices(
    t: T, step: DogStep, options: Sequence[tuple[str, str]], per_row: int = 3, back: bool = True
) -> InlineKeyboardMarkup:
    """Buttons of (value, label), a few to a row, then Back and Cancel."""
    buttons = [_button(label, DogForm(step=step, value=value).pack()) for value, label in options]
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    return InlineKeyboardMarkup(inline_keyboard=[*rows, nav_row(t, back)])


def my_dogs(t: T, dogs: Sequence[Dog]) -> InlineKeyboardMarkup:
    rows = [
        [
            _button(
                t("dogs.list_line", name=d.name, status=t(f"dogs.status_{d.status.value}")),
                DogOpen(dog_id=d.id).pack(),
            )
        ]
        for d in dogs
    ]
    rows.append([form_button(t, "dogs.button_register", DogStep.START)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def owner_buttons(t: T, dog: Dog, owner: Person) -> InlineKeyboardMarkup | None:
    """The owner's buttons: exactly the actions the register would accept now."""
    rows = [
        [_button(t(f"dogs.button_{action.value}"), DogOwner(dog_id=dog.id, action=do).pack())]
        for action, do in OWNER_BUTTONS
        if registry.allowed(action, dog, owner) is None
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def confirm(t: T, dog_id: int, do: DogDo) -> InlineKeyboardMarkup:
    yes = DogOwner(dog_id=dog_id, action=do, confirmed=True).pack()
    keep = DogOwner(dog_id=dog_id, action=DogDo.KEEP).pack()
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(t("dogs.button_confirm"), yes), _button(t("dogs.button_keep"), keep)]
        ]
    )


def resubmit(t: T, dog_id: int) -> InlineKeyboardMarkup:
    """Under a returned dog's news: send it again, corrected."""
    button = DogOwner(dog_id=dog_id, action=DogDo.RESUBMIT).pack()
    return InlineKeyboardMarkup(inline_keyboard=[[_button(t("dogs.button_resubmit"), button)]])


def review(t: T, dog_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(
                    t("dogs.button_approve"),
                    DogReview(dog_id=dog_id, verdict=DogVerdict.APPROVE).pack(),
                ),
                _button(
                    t("dogs.button_return"),
                    DogReview(dog_id=dog_id, verdict=DogVerdict.RETURN).pack(),
                ),
            ]
        ]
    )


def return_reasons(t: T, dog_id: int) -> InlineKeyboardMarkup:
    rows = [
        [
            _button(
                t(f"dogs.reason_{reason}"),
                DogReview(dog_id=dog_id, verdict=DogVerdict.REASON, reason=index).pack(),
            )
        ]
        for index, reason in enumerate(registry.RETURN_REASONS)
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def register_page(
    t: T, rows: list[tuple[int, str]], page: int, pages: int, lapsed: bool
) -> InlineKeyboardMarkup:
    buttons = [[_button(text, DogOpen(dog_id=dog_id).pack())] for dog_id, text in rows]
    paging = []
    if page > 0:
        paging.append(_button("◀", DogPage(page=page - 1, lapsed=lapsed).pack()))
    if pages > 1:
        paging.append(_button(f"{page + 1}/{pages}", DogPage(page=page, lapsed=lapsed).pack()))
    if page + 1 < pages:
        paging.append(_button("▶", DogPage(page=page + 1, lapsed=lapsed).pack()))
    return InlineKeyboardMarkup(inline_keyboard=[*buttons, paging] if paging else buttons)
