"""/start, /help and /language through the real bot and the emulator."""

from __future__ import annotations

from sqlalchemy import select

from app.wiring import App
from bot.telegram.commands import COMMANDS
from sandbox.emulator import TelegramEmulator
from storage import updates as journal
from storage.models import Person, Role, UpdateState
from tests.helpers import eventually


async def _handled(app: App, update_id: int) -> bool:
    record = await journal.get_record(app.database, app.bot.id, update_id)
    return record is not None and record.state == UpdateState.HANDLED


async def _person(app: App, tg_id: int) -> Person:
    async with app.database.sessions() as session:
        person = await session.scalar(select(Person).where(Person.tg_id == tg_id))
    assert person is not None
    return person


async def test_start_greets_in_chinese_with_a_menu(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    alice = emulator.user(1001, "李四", language_code="zh-hans")
    reply = await alice.ask("/start")
    assert reply.text is not None
    assert "您好，李四" in reply.text
    assert "119" in reply.text
    assert reply.keyboard == [
        ["📝 我要报事", "📋 我的案件"],
        ["🐕 我的犬只", "❓ 帮助"],
        ["🌐 语言 / Language"],
    ]
    person = await _person(bot_app, 1001)
    assert person.role == Role.RESIDENT
    assert person.tg_language == "zh-hans"


async def test_start_greets_in_english_for_english_users(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    bob = emulator.user(1002, "Bob", language_code="en")
    reply = await bob.ask("/start")
    assert reply.text is not None
    assert reply.text.startswith("Hello, Bob!")
    assert ["🐕 My dogs", "❓ Help"] in reply.keyboard


async def test_help_shows_each_role_what_it_may_use(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    resident = emulator.user(1003, "居民")
    admin = emulator.user(900001, "管理员")  # in ADMIN_IDS
    resident_help = await resident.ask("/help")
    admin_help = await admin.ask("/help")
    assert "/failed" not in (resident_help.text or "")
    assert "/failed" in (admin_help.text or "")
    assert "街道管理员" in (admin_help.text or "")
    assert (await _person(bot_app, 900001)).role == Role.ADMIN


async def test_command_menus_are_set_per_role_and_language(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    await emulator.wait_for(lambda: ("all_private_chats", "en") in emulator.commands, 5)
    default = [c["command"] for c in emulator.commands[("all_private_chats", "")]]
    assert default == list(COMMANDS[Role.RESIDENT])
    assert "subscribe" in default
    assert "notice" not in default
    assert emulator.commands[("all_private_chats", "")][0]["description"] == "回到首页"
    assert emulator.commands[("all_private_chats", "en")][0]["description"] == "Back to the start"
    admin = emulator.user(900001, "管理员")
    await admin.ask("/start")
    admin_menu = [c["command"] for c in emulator.commands[("chat:900001", "")]]
    assert "failed" in admin_menu


async def test_language_switch_is_remembered(emulator: TelegramEmulator, bot_app: App) -> None:
    carol = emulator.user(1004, "Carol", language_code="zh-hans")
    choose = await carol.ask("/language")
    assert choose.buttons == [["✓ 简体中文", "English"]]
    query = await carol.press(choose, "English")
    assert (await carol.callback_answer(query))["show_alert"] is False
    confirmation = await carol.next_message()
    assert confirmation.text == "Done, I will speak English with you from now on."
    assert confirmation.keyboard[1][1] == "❓ Help"
    assert choose.buttons == [["简体中文", "✓ English"]]  # the buttons were edited
    assert (await _person(bot_app, 1004)).language == "en"
    assert (await carol.ask("/start")).text.startswith("Hello, Carol!")  # type: ignore[union-attr]
    assert emulator.commands[("chat:1004", "")][0]["description"] == "Back to the start"
    await carol.send("❓ Help")  # the menu button, recognised in English
    assert "What this bot does" in ((await carol.next_message()).text or "")


async def test_unknown_text_gets_a_polite_pointer(emulator: TelegramEmulator, bot_app: App) -> None:
    dave = emulator.user(1005, "Dave", language_code="en")
    reply = await dave.ask("what is this?")
    assert reply.text == "Sorry, I did not understand that. Send /help to see what I can do."
    await dave.send_voice()
    assert "/help" in ((await dave.next_message()).text or "")


async def test_residents_are_refused_staff_commands(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    eve = emulator.user(1006, "小明")
    assert (await eve.ask("/failed")).text == "抱歉，您没有权限进行这个操作。"


async def test_forged_and_stale_buttons_are_refused_politely(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    frank = emulator.user(1007, "小红")
    menu = await frank.ask("/language")
    forged = await frank.press_data(menu, "v1lang:xx")
    assert (await frank.callback_answer(forged)) == {
        "text": "暂不支持这种语言，请从按钮中选择。",
        "show_alert": True,
    }
    stale = await frank.press_data(menu, "v0case:accept:12")
    assert (await frank.callback_answer(stale))["text"] == "这个按钮已经失效，请重新打开菜单。"
    assert (await _person(bot_app, 1007)).language is None
    await frank.expect_silence()


async def test_group_messages_are_not_answered_as_private_chat(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    group = emulator.group(-100500, "城管执法群")
    member = emulator.user(1008, "队员")
    await group.send(member, "hello")
    await group.send(member, "/start")
    # Both updates handled (on a busy machine that takes a while), and nothing said in the group.
    assert await eventually(lambda: _handled(bot_app, group.last_update_id), within=20)
    await group.expect_silence(0.5)
    assert await _person(bot_app, 1008)  # still registered: every update registers its sender
