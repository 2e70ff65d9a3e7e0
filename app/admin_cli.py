"""The command line's admin work: areas, categories, demo data, people and invites (prints for
operators)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, tzinfo
from pathlib import Path

from sqlalchemy import update

from app.demo_cases import DEMO_TEXTS, file_demo_cases
from bot.categories import importing
from bot.config import Settings
from bot.duties import register as duty_register
from bot.people import staff
from bot.people.menus import owe_menu
from bot.places import areas
from storage.db import Database
from storage.migrate import upgrade
from storage.models import AreaLevel, Person, Role

DEMO_FILE = Path(__file__).with_name("demo") / "jiangnan.geojson"
# Demo staff get Telegram ids nobody has, so trying the bot never messages a stranger.
DEMO_OFFICER_IDS = 10_000_000
DEMO_LEAD_IDS = 20_000_000


async def import_areas(database: Database, path: Path) -> None:
    summary = await areas.import_file(database, path)
    print(
        f"areas imported from {path.name}: {len(summary.added)} added, "
        f"{len(summary.updated)} updated, {summary.unchanged} unchanged"
    )


async def import_categories(database: Database, path: Path) -> None:
    summary = await importing.import_file(database, path)
    if summary.nothing_changed:
        print(f"categories from {path.name}: nothing changed ({len(summary.unchanged)} unchanged)")
        return
    print(
        f"categories imported from {path.name}: {len(summary.added)} added"
        f"{_codes(summary.added)}, {len(summary.changed)} changed{_codes(summary.changed)}, "
        f"{len(summary.deactivated)} deactivated{_codes(summary.deactivated)}, "
        f"{len(summary.unchanged)} unchanged"
        + (
            "\n(deactivated: not in the file; kept, with their cases)"
            if summary.deactivated
            else ""
        )
    )


def _codes(codes: list[str]) -> str:
    return f" ({', '.join(codes)})" if codes else ""


async def import_duties(database: Database, path: Path) -> None:
    text = await asyncio.to_thread(path.read_text, encoding="utf-8")
    names = await duty_register.import_text(database, text)
    print(f"duties imported from {path.name}: {len(names)} ({', '.join(names)})")


async def export_categories(database: Database, path: Path | None, as_json: bool) -> None:
    text = await importing.export(database, as_json)
    if path is None:
        print(text, end="")
        return
    await asyncio.to_thread(path.write_text, text, encoding="utf-8")
    print(f"categories written to {path}")


async def list_areas(database: Database) -> None:
    lines = await areas.tree(database)
    empty = (
        "no areas yet: python -m bot areas import FILE.geojson (your street's boundaries),"
        " or python -m bot demo-data for a demo street to try the bot with"
    )
    print("\n".join(lines) if lines else empty)


@dataclass(frozen=True)
class DemoStreet:
    """What `load_demo` put in: area codes in the file's order, whose staff are numbered."""

    communities: list[str]  # the lead of the n-th (from 1) is DEMO_LEAD_IDS + n
    grids: list[str]  # the officer of the n-th (from 1) is DEMO_OFFICER_IDS + n
    added: int
    filed: int


async def load_demo(database: Database, cases: int = 0, tz: tzinfo = UTC) -> DemoStreet:
    """The demo street, its demo staff, and (`cases`) a month of demo cases."""
    features = await areas.read_file(DEMO_FILE)
    summary = await areas.import_features(database, features)
    grids = [f.code for f in features if f.level == AreaLevel.GRID]
    communities = [f.code for f in features if f.level == AreaLevel.COMMUNITY]
    names = {f.code: f.name for f in features}
    for number, grid in enumerate(grids, start=1):
        await staff.appoint(database, DEMO_OFFICER_IDS + number, Role.OFFICER, grid)
        await _name(database, DEMO_OFFICER_IDS + number, "officer_name", names[grid])
    for number, community in enumerate(communities, start=1):
        await staff.appoint(database, DEMO_LEAD_IDS + number, Role.LEAD, community)
        await _name(database, DEMO_LEAD_IDS + number, "lead_name", names[community])
    filed = await file_demo_cases(database, cases, tz) if cases else 0
    return DemoStreet(communities, grids, len(summary.added), filed)


async def _name(database: Database, tg_id: int, text: str, area: str) -> None:
    """A demo person never writes, so Telegram never names them: the demo does (a name they
    give by writing is kept)."""
    async with database.transaction() as session:
        await session.execute(
            update(Person)
            .where(Person.tg_id == tg_id, Person.name == "")
            .values(name=DEMO_TEXTS[text].format(area=area))
        )


async def demo_data(database: Database, cases: int = 0, tz: tzinfo = UTC) -> None:
    """The demo street, its demo staff, and (`cases`) a month of demo cases; says what it did."""
    street = await load_demo(database, cases, tz)
    filed = street.filed
    print(
        f"demo street 江南街道 (JN): {len(street.communities)} communities, "
        f"{len(street.grids)} grids ({street.added} areas added); demo officers and leads appointed"
        + (f"; {filed} demo cases of the last 30 days filed" if filed else "")
        + ".\n"
        "To act as an officer yourself: python -m bot people add --tg-id YOUR_ID "
        "--role officer --area JN01-1"
    )


async def add_person(
    database: Database, tg_id: int, role: Role, area_code: str | None, backup: bool = False
) -> None:
    appointment = await staff.appoint(database, tg_id, role, area_code, backup)
    await owe_menu(database, appointment.person.id)  # the running bot sets their new menu
    where = f" of {appointment.area.code} {appointment.area.name}" if appointment.area else ""
    kind = "backup officer" if appointment.person.backup else role.value
    print(f"{tg_id} is now {kind}{where}")


async def invite(settings: Settings, role: Role, area_code: str | None) -> None:
    from app.telegram_check import check_telegram
    from bot.telegram.session import RetryMiddleware, create_bot

    database = Database(settings.database_url, one_trip_cursor=settings.sqlite_one_trip_cursor)
    bot = create_bot(
        settings.bot_token.get_secret_value(),
        settings.telegram_api_url,
        RetryMiddleware(attempts=1),
    )
    try:
        me = await check_telegram(bot, settings.telegram_api_url)  # before an invite is made
        await upgrade(database)
        made = await staff.create_invite(database, role, area_code)
        print(staff.invite_link(me.username or "", made))
    finally:
        await bot.session.close()
        await database.dispose()
