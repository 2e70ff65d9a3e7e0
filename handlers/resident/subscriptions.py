"""/subscribe, /unsubscribe and the offers to subscribe (at /start, after a first report)."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, KeyboardButton, Message, ReplyKeyboardMarkup
from sqlalchemy import func, select

from bot.config import Settings
from bot.errors import PoliteError
from bot.notices import subscriptions
from bot.places import routing
from bot.texts import Translator
from handlers.common import notice_keyboards
from handlers.common.callbacks import Sub, SubPick
from handlers.common.keyboards import main_menu
from storage.db import Database
from storage.models import Area, Case, CaseStatus, Person, Role


class SubscribeState(StatesGroup):
    place = State()  # waiting for the resident's location


async def show_menu(message: Message, t: Translator, person: Person, database: Database) -> None:
    text, markup = await _menu(t, person, database)
    await message.answer(text, reply_markup=markup)


async def _menu(t: Translator, person: Person, database: Database) -> tuple[str, object]:
    mine = await subscriptions.choices(database, person.id)
    communities = await subscriptions.communities(database)
    text = await _summary(t, mine, database)
    return text, notice_keyboards.subscribe_menu(t, communities, {a.id for a in mine.areas})


async def _summary(t: Translator, mine: subscriptions.Choices, database: Database) -> str:
    if not mine.subscribed:
        return t("subscribe.none")
    areas = t("list.names").join(area.name for area in mine.areas)
    names = [
        notice_keyboards.category_name(t, category)
        for category in await subscriptions.topics(database)
        if category.code in mine.topics
    ]
    topics = t("list.names").join(names) if names else t("subscribe.all_topics")
    return t("subscribe.current", areas=areas, topics=topics)


async def on_pick(
    query: CallbackQuery,
    callback_data: SubPick,
    t: Translator,
    person: Person,
    database: Database,
    state: FSMContext,
    bot: Bot,
) -> None:
    message = query.message
    assert isinstance(message, Message)
    action = callback_data.action
    if action == Sub.AREA:
        await subscriptions.toggle_area(database, person, callback_data.value)
    elif action in (Sub.TOPIC, Sub.ALL_TOPICS):
        await _toggle_topic(database, person, callback_data.value if action == Sub.TOPIC else None)
    elif action == Sub.PLACE:
        await query.answer()
        await state.set_state(SubscribeState.place)
        await bot.send_message(
            message.chat.id, t("subscribe.ask_place"), reply_markup=_place_keyboard(t)
        )
        return
    await query.answer(t("subscribe.saved"))
    if action in (Sub.TOPICS, Sub.TOPIC, Sub.ALL_TOPICS):
        mine = await subscriptions.choices(database, person.id)
        markup = notice_keyboards.topic_menu(t, await subscriptions.topics(database), mine.topics)
        await message.edit_text(t("subscribe.ask_topics"), reply_markup=markup)
    elif action == Sub.DONE:
        text = await _summary(t, await subscriptions.choices(database, person.id), database)
        await message.edit_text(text + "\n\n" + t("subscribe.how_to_change"))
    else:
        text, markup = await _menu(t, person, database)
        await message.edit_text(text, reply_markup=markup)  # type: ignore[arg-type]


async def _toggle_topic(database: Database, person: Person, category_id: int | None) -> None:
    code = None
    if category_id is not None:
        found = [c for c in await subscriptions.topics(database) if c.id == category_id]
        if not found:
            raise PoliteError("error.stale_button")
        code = found[0].code
    await subscriptions.toggle_topic(database, person, code)


def _place_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=t("subscribe.button_send_location"), request_location=True)],
            [KeyboardButton(text=t("subscribe.button_back"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


async def got_place(
    message: Message,
    t: Translator,
    person: Person,
    database: Database,
    state: FSMContext,
    settings: Settings,
) -> None:
    if message.location is None:
        await state.clear()
        await message.answer(t("subscribe.place_skipped"), reply_markup=main_menu(t, person.role))
        return
    area = await subscriptions.subscribe_at(
        database,
        person,
        message.location.latitude,
        message.location.longitude,
        settings.routing_tolerance_m,
    )
    await state.clear()
    await message.answer(
        t("subscribe.place_saved", area=area.name), reply_markup=main_menu(t, person.role)
    )


async def unsubscribe(message: Message, t: Translator, person: Person, database: Database) -> None:
    removed = await subscriptions.unsubscribe(database, person)
    await message.answer(t("subscribe.removed" if removed else "subscribe.none"))


async def offer_after_first_report(
    t: Translator, database: Database, person: Person, case: Case
) -> str:
    """After a resident's first report, a line offering the notices of its community."""
    if person.role != Role.RESIDENT:
        return ""
    async with database.sessions() as session:
        filed = await session.scalar(
            select(func.count()).where(
                Case.reporter_id == person.id, Case.status != CaseStatus.DRAFT
            )
        )
    if filed != 1 or (await subscriptions.choices(database, person.id)).subscribed:
        return ""
    community_id = await routing.community_of(database, case)
    async with database.sessions() as session:
        community = await session.get(Area, community_id) if community_id else None
    if community is None:
        return t("subscribe.offer_line")
    return t("subscribe.offer_line_area", area=community.name)


async def offer_at_start(t: Translator, database: Database, person: Person) -> str:
    """At /start, a line offering subscriptions to a resident who follows nothing."""
    if person.role != Role.RESIDENT:
        return ""
    if (await subscriptions.choices(database, person.id)).subscribed:
        return ""
    return t("subscribe.offer_line")


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(show_menu, Command("subscribe"))
    router.message.register(unsubscribe, Command("unsubscribe"))
    router.message.register(got_place, StateFilter(SubscribeState.place))
    router.callback_query.register(on_pick, SubPick.filter())
    return router
