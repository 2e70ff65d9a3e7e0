"""What a change of a dog owes (the reviewers' cards of a submission, the owner's news of a
decision, the staff's cards of an owner's newer vaccination) is written with the change: a process that stops before sending it leaves it to the
clock, which sends it once after the lease, however many instances run. A decision edits every
reviewer's card, so no stale buttons stay behind."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.wiring import App
from bot.dogs.news import DogNews
from handlers.common import dog_claim_cards
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.client import BotMessage, TestUser
from storage.models import DogEvent, DogVaccination
from tests.e2e.owed_checks import STOP_LOGGED, delivered_once, open_owed, the_stop
from tests.e2e.test_dog_days import owned_dogs
from tests.e2e.test_dog_vaccinations import send_claim
from tests.e2e.test_dogs import dogs, edited, register_dog, street
from tests.helpers import eventually

__all__ = ["street"]  # the demo street with the dogs' reviewers, on SQLite and PostgreSQL

OWNER, FIRST, SECOND, LEAD = 8311, 8201, 8202, 8203


async def _nothing_open(app: App) -> bool:
    return not await open_owed(app)


def _stop(monkeypatch: pytest.MonkeyPatch) -> None:
    """The process stops right after the change, before anything it owes goes out."""

    async def stopped(self: DogNews, *_: object, **__: object) -> None:
        raise RuntimeError("the process stopped here")

    monkeypatch.setattr(DogNews, "deliver", stopped)


def _decided(message: BotMessage) -> bool:
    return not message.buttons and "已登记" in (message.caption or "")


async def _cards(reviewers: list[TestUser]) -> dict[int, BotMessage]:
    return {who.id: await who.next_message() for who in reviewers}


async def test_a_decision_edits_every_reviewers_card(
    emulator: TelegramEmulator, street: App
) -> None:
    owner = emulator.user(OWNER, "养犬人")
    reviewers = [emulator.user(i, n) for i, n in ((FIRST, "李"), (SECOND, "王"), (LEAD, "张"))]
    await register_dog(owner)
    cards = await _cards(reviewers)
    query = await reviewers[0].press(cards[FIRST], "✅ 通过")
    await reviewers[0].callback_answer(query)
    assert "JN-D000001" in ((await owner.next_message()).text or "")
    for who in reviewers:  # the decider's card and the others' show it, without buttons
        await edited(emulator, who, cards[who.id], _decided)
    assert await eventually(lambda: _nothing_open(street), within=10)  # settled after sending


@STOP_LOGGED
async def test_a_submission_stopped_before_its_cards_reaches_the_reviewers_later(
    emulator: TelegramEmulator, street: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = emulator.user(OWNER, "养犬人")
    reviewers = [emulator.user(i, n) for i, n in ((FIRST, "李"), (SECOND, "王"), (LEAD, "张"))]
    _stop(monkeypatch)
    await register_dog(owner)  # the owner is told it was submitted, then the process stops
    await the_stop(street)
    for who in reviewers:
        await who.expect_silence(0.2)
    monkeypatch.undo()
    [dog] = await dogs(street)
    assert [row.kind for row in await open_owed(street)] == ["dog.review"]

    await delivered_once(street, dog.created_at)
    cards = await _cards(reviewers)
    assert all(card.buttons == [["✅ 通过", "↩️ 退回"]] for card in cards.values())
    for who in reviewers:
        await who.expect_silence(0.2)  # once each


@STOP_LOGGED
async def test_a_decision_stopped_before_its_news_reaches_the_owner_later(
    emulator: TelegramEmulator, street: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = emulator.user(OWNER, "养犬人")
    reviewers = [emulator.user(i, n) for i, n in ((FIRST, "李"), (SECOND, "王"), (LEAD, "张"))]
    await register_dog(owner)
    cards = await _cards(reviewers)
    _stop(monkeypatch)
    query = await reviewers[0].press(cards[FIRST], "✅ 通过")
    await reviewers[0].callback_answer(query)
    await the_stop(street)
    await owner.expect_silence(0.3)
    monkeypatch.undo()
    async with street.database.sessions() as session:
        approved = await session.scalar(select(DogEvent).where(DogEvent.action == "approve"))
    assert approved is not None
    assert [row.kind for row in await open_owed(street)] == ["dog.decision"]

    await delivered_once(street, approved.created_at)
    assert "JN-D000001" in ((await owner.next_message()).text or "")
    for who in reviewers[1:]:  # the stale buttons are gone
        await edited(emulator, who, cards[who.id], _decided)
    await owner.expect_silence(0.3)  # once


def _stop_claim_cards(monkeypatch: pytest.MonkeyPatch) -> None:
    """The process stops right after filing a newer vaccination, before its staff's cards."""

    async def stopped(*_: object, **__: object) -> int:
        raise RuntimeError("the process stopped here")

    monkeypatch.setattr(dog_claim_cards, "send", stopped)


CLAIM_BUTTONS = [["✅ 核对无误", "✖ 不予确认"]]


async def test_a_vaccination_claims_cards_are_settled_once_sent(
    emulator: TelegramEmulator, street: App
) -> None:
    owner = emulator.user(OWNER, "养犬人")
    reviewers = [emulator.user(i, n) for i, n in ((FIRST, "李"), (SECOND, "王"), (LEAD, "张"))]
    await owned_dogs(street, emulator, owner, ["旺财"])
    await send_claim(owner, "CD-2026-5555", 1)
    cards = await _cards(reviewers)
    assert all(card.buttons == CLAIM_BUTTONS for card in cards.values())
    assert await eventually(lambda: _nothing_open(street), within=10)


@STOP_LOGGED
async def test_a_vaccination_stopped_before_its_cards_reaches_the_staff_later(
    emulator: TelegramEmulator, street: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = emulator.user(OWNER, "养犬人")
    reviewers = [emulator.user(i, n) for i, n in ((FIRST, "李"), (SECOND, "王"), (LEAD, "张"))]
    await owned_dogs(street, emulator, owner, ["旺财"])
    _stop_claim_cards(monkeypatch)
    await send_claim(owner, "CD-2026-5555", 1)  # the owner is told, then the process stops
    assert "抱歉" in ((await owner.next_message()).text or "")  # (the failure simulating it)
    await the_stop(street)
    for who in reviewers:
        await who.expect_silence(0.2)
    monkeypatch.undo()
    async with street.database.sessions() as session:
        [claim] = (await session.scalars(select(DogVaccination))).all()
    assert [row.kind for row in await open_owed(street)] == ["dog.vaccination"]

    await delivered_once(street, claim.created_at)
    cards = await _cards(reviewers)
    assert all(card.buttons == CLAIM_BUTTONS for card in cards.values())
    for who in reviewers:
        await who.expect_silence(0.2)  # once each
    await reviewers[2].press(cards[LEAD], "✅ 核对无误")  # the late card works
    assert "已核对" in ((await owner.next_message(timeout=10)).text or "")
