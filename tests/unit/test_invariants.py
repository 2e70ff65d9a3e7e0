"""The end-to-end invariants catch what they promise to (tests/invariants.py)."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

from bot.texts import Catalogue
from sandbox.emulator.server import Chat
from tests import invariants

BOT = {"id": 1, "is_bot": True}
PERSON = {"id": 42, "is_bot": False}


def _emulator(*chats: Chat, queries: tuple[str, ...] = (), answers: tuple[str, ...] = ()) -> Any:
    return SimpleNamespace(
        chats={chat.id: chat for chat in chats},
        callback_queries={key: {} for key in queries},
        callback_answers={key: {} for key in answers},
    )


def _chat(chat_id: int, sent: list[str], written: list[str] = (), kind: str = "private") -> Chat:
    chat = Chat(info={"id": chat_id, "type": kind})
    chat.sent = [{"text": text, "from": BOT} for text in sent]
    chat.messages = {n: {"text": text, "from": PERSON} for n, text in enumerate(written)}
    return chat


def test_a_number_the_person_did_not_write_is_a_leak() -> None:
    leaky = _chat(42, ["邻居的电话 13812345678"])
    own = _chat(43, ["您写的 13912345678"], written=["我的电话 13912345678"])
    card = _chat(44, ["身份证 110101199003071234"])  # staff
    group = _chat(-5, ["13812345678"], kind="group")
    leaks = invariants.leaked_numbers(_emulator(leaky, own, card, group), staff_chats={44})
    assert leaks == ["chat 42: 13812345678"]


def test_keys_and_unfilled_placeholders_are_found() -> None:
    catalogue = Catalogue.load()
    chat = _chat(42, ["report.submitted", "您的案件 {number} 已受理", "photo.jpg 收到"])
    found = invariants.raw_texts(_emulator(chat), catalogue)
    assert found == ["chat 42: key report.submitted", "chat 42: {number}"]


def test_unanswered_buttons_and_tracebacks() -> None:
    assert invariants.unanswered_buttons(_emulator(queries=("a", "b"), answers=("a",))) == ["b"]
    quiet = logging.LogRecord("x", logging.WARNING, "", 0, "slow", None, None)
    loud = logging.LogRecord("x", logging.ERROR, "", 0, "boom", None, (ValueError, None, None))
    assert invariants.tracebacks([quiet, loud]) == ["x: boom [ValueError]"]  # its type, to match
