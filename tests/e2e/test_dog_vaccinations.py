"""A newer vaccination by certificate photo, through the real bot: the owner gives the date
(not in the future, not before the current one), the certificate number and a photo (a file
that is not an image is refused), with Back and Cancel; the community's staff get a card to
confirm or refuse; forged and outside presses change nothing; only a confirmation renews the
vaccination, and the owner is told either way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import select

from app.admin_cli import DEMO_FILE
from app.wiring import App
from bot.config import Settings
from bot.people import staff
from bot.places.areas import import_file
from handlers.common.callbacks import DogClaim
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.client import BotMessage, TestUser
from sandbox.emulator.files import make_image
from storage.models import Dog, DogEvent, DogVaccination, Role
from tests.conftest import StartBot
from tests.e2e.test_dog_days import VACCINATED, owned_dogs
from tests.e2e.test_dogs import choose, street  # noqa: F401  (the fixture)

NEWER = date.today() - timedelta(days=3)


async def begin(owner: TestUser) -> BotMessage:
    """From /mydogs to the vaccination's first question."""
    listing = await owner.ask("/mydogs")
    page = await choose(owner, listing, "🐕 旺财 · 已登记")
    return await choose(owner, page, "💉 更新疫苗接种")


async def send_claim(owner: TestUser, certificate: str, color: int) -> None:
    await begin(owner)
    await owner.ask(NEWER.isoformat())
    await owner.ask(certificate)
    await owner.send_photo(make_image(color=(color, 1, 1)))
    assert "交给社区核对" in ((await owner.next_message()).text or "")


async def stored(app: App, dog_id: int) -> Dog:
    async with app.database.sessions() as session:
        dog = await session.get(Dog, dog_id)
    assert dog is not None
    return dog


async def test_bad_input_back_and_cancel_then_staff_refuse_and_confirm(
    emulator: TelegramEmulator,
    street: App,  # noqa: F811
) -> None:
    owner = emulator.user(8301, "养犬人8301")
    officer, other = emulator.user(8201, "李网格"), emulator.user(8202, "王网格")
    lead, far_lead = emulator.user(8203, "社区张"), emulator.user(8206, "外社区")
    resident = emulator.user(8399, "路人")
    [dog] = await owned_dogs(street, emulator, owner, ["旺财"])

    ask = await begin(owner)
    assert "接种日期" in (ask.text or "")
    assert ask.buttons == [["✖ 取消"]]
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    assert "不能晚于今天" in ((await owner.ask(tomorrow)).text or "")
    before = (VACCINATED - timedelta(days=1)).isoformat()
    assert "应晚于已登记" in ((await owner.ask(before)).text or "")
    certificate = await owner.ask(NEWER.isoformat())
    assert "免疫证" in (certificate.text or "")
    assert certificate.buttons == [["⬅️ 上一步", "✖ 取消"]]
    again = await choose(owner, certificate, "⬅️ 上一步")
    assert "接种日期" in (again.text or "")
    await owner.ask(NEWER.isoformat())
    photo = await owner.ask("CD-2026-5555")
    assert "照片" in (photo.text or "")
    assert "只能保存照片" in ((await owner.ask("这是证号")).text or "")
    await owner.send_document(b"%PDF-1.4 not an image", "cert.jpg", "image/jpeg")
    assert "只能保存照片" in ((await owner.next_message()).text or "")
    cancelled = await choose(owner, photo, "✖ 取消")
    assert "取消" in (cancelled.text or "")
    async with street.database.sessions() as session:
        assert (await session.scalars(select(DogVaccination))).all() == []

    # sent: the community's staff get the card; outsiders' presses change nothing
    await send_claim(owner, "CD-2026-5555", 1)
    cards = {who.id: await who.next_message() for who in (officer, other, lead)}
    card = cards[8203]
    assert card.photo is not None
    assert "新接种待核对" in (card.caption or "")
    assert "CD-2026-5555" in (card.caption or "")
    assert "犬主：养犬人8301" in (card.caption or "")
    assert card.buttons == [["✅ 核对无误", "✖ 不予确认"]]
    await far_lead.expect_silence(0.2)
    confirm = card.callback_data("✅ 核对无误")
    refused = await far_lead.callback_answer(await far_lead.press_data(card, confirm))
    assert "没有权限" in refused["text"] or "不能" in refused["text"]
    await resident.ask("/start")
    refused = await resident.callback_answer(await resident.press_data(card, confirm))
    assert refused["text"]
    forged = DogClaim(claim_id=2**31 - 1, confirm=True).pack()  # no such claim
    refused = await officer.callback_answer(await officer.press_data(card, forged))
    assert "没有找到" in refused["text"]
    beyond = "v1dv:4611686018427387904:1"  # no key holds it: the button does not parse
    refused = await officer.callback_answer(await officer.press_data(card, beyond))
    assert "这个按钮已经失效" in refused["text"]
    assert (await stored(street, dog.id)).vaccinated_on == VACCINATED

    # refused by the lead: unchanged, the owner told; a later confirm is too late
    await lead.press(card, "✖ 不予确认")
    told = await owner.next_message(timeout=10)
    assert "未能核实" in (told.text or "")
    late = await officer.callback_answer(
        await officer.press_data(cards[8201], cards[8201].callback_data("✅ 核对无误"))
    )
    assert "已经核对过" in late["text"]
    assert (await stored(street, dog.id)).vaccinated_on == VACCINATED

    # sent again and confirmed: renewed with the new certificate, the owner told
    await send_claim(owner, "CD-2026-6666", 2)
    card = await officer.next_message()
    await officer.press(card, "✅ 核对无误")
    told = await owner.next_message(timeout=10)
    assert "已核对" in (told.text or "")
    renewed = await stored(street, dog.id)
    assert (renewed.vaccinated_on, renewed.certificate) == (NEWER, "CD-2026-6666")
    async with street.database.sessions() as session:
        actions = list(await session.scalars(select(DogEvent.action).order_by(DogEvent.id)))
    assert actions[-4:] == [
        "vaccinate",
        "refuse_vaccination",
        "vaccinate",
        "confirm_vaccination",
    ]


async def test_the_vaccination_steps_survive_a_restart(
    emulator: TelegramEmulator, make_settings: Callable[..., Settings], checked_bot: StartBot
) -> None:
    settings = make_settings()
    owner = emulator.user(8301, "养犬人8301")
    async with checked_bot(settings) as app:
        await import_file(app.database, DEMO_FILE)
        await staff.appoint(app.database, 8203, Role.LEAD, "JN01")
        [dog] = await owned_dogs(app, emulator, owner, ["旺财"])
        await begin(owner)
        certificate = await owner.ask(NEWER.isoformat())
    async with checked_bot(settings) as app:
        photo = await owner.ask("CD-2026-7777")  # the step the first process asked
        assert "照片" in (photo.text or "")
        back = await choose(owner, photo, "⬅️ 上一步")
        assert "免疫证" in (back.text or "")
        await owner.ask("CD-2026-7777")
        await owner.send_photo(make_image(color=(7, 7, 7)))
        assert "交给社区核对" in ((await owner.next_message()).text or "")
        async with app.database.sessions() as session:
            [claim] = (await session.scalars(select(DogVaccination))).all()
        assert (claim.dog_id, claim.certificate, claim.vaccinated_on) == (
            dog.id,
            "CD-2026-7777",
            NEWER,
        )
        assert certificate.buttons
