"""The command line: `python -m bot run | migrate | serve-api | replay-failed | …`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from app import groups_cli
from app.lean_aiogram import defer_aiogram_types
from app.telegram_check import TelegramUnavailable, check_telegram
from bot.categories.spec import CategoryFileError
from bot.config import ConfigError, DatabaseSettings, LocalSettings, Settings, load_settings
from bot.errors import PoliteError
from storage.db import Database
from storage.models import Role

if TYPE_CHECKING:
    from app import export_cli


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="The street office's resident reporting and notice bot."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _sandbox_parser(sub)
    run = sub.add_parser("run", help="start the bot (long polling), applying migrations first")
    run.add_argument(
        "--webhook", action="store_true", help="serve WEBHOOK_URL on WEBHOOK_HOST:WEBHOOK_PORT"
    )
    sub.add_parser("migrate", help="bring the database schema to the newest version")
    sub.add_parser(
        "serve-api", help="serve only the Open311 API on API_HOST:API_PORT (next to a polling bot)"
    )
    sub.add_parser("replay-failed", help="handle again the updates that failed")
    areas = sub.add_parser("areas", help="streets, communities and grids")
    areas_sub = areas.add_subparsers(dest="areas_command", required=True, metavar="ACTION")
    load = areas_sub.add_parser("import", help="load areas from a GeoJSON file (idempotent)")
    load.add_argument("file", type=Path, help="a FeatureCollection with code, name, level, parent")
    areas_sub.add_parser("list", help="print the area tree")
    _categories_parser(sub)
    groups_cli.add_parser(sub)
    duties = sub.add_parser("duties", help="routine duties: checks and patrols on a rhythm")
    duties_sub = duties.add_subparsers(dest="duties_command", required=True, metavar="ACTION")
    load_duties = duties_sub.add_parser(
        "import", help="load duties from a YAML file (all or nothing; saved by name)"
    )
    load_duties.add_argument("file", type=Path, help="see bot/duties/register.py for the format")
    demo = sub.add_parser(
        "demo-data", help="load a sample street (江南街道) with demo officers and demo cases"
    )
    demo.add_argument(
        "--cases", type=int, default=60, help="demo cases of the last 30 days (default 60; 0: none)"
    )
    people = sub.add_parser("people", help="officers, leads and admins")
    people_sub = people.add_subparsers(dest="people_command", required=True, metavar="ACTION")
    add = people_sub.add_parser("add", help="give someone a role")
    add.add_argument("--tg-id", type=int, required=True, help="their Telegram user id")
    add.add_argument("--role", choices=[r.value for r in Role], required=True)
    add.add_argument("--area", help="area code: a grid for officers, a community for leads")
    add.add_argument(
        "--backup", action="store_true", help="a backup officer: gets cases while none is on duty"
    )
    invite = sub.add_parser("invite", help="print a one-time link that gives a role")
    invite.add_argument(
        "--role",
        choices=[r.value for r in Role if r not in (Role.RESIDENT, Role.VOLUNTEER)],
        required=True,
    )
    invite.add_argument("--area", help="area code: a grid for officers, a community for leads")
    _export_parser(sub)
    return parser


def _categories_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    categories = sub.add_parser("categories", help="the street's categories and quick questions")
    actions = categories.add_subparsers(dest="categories_command", required=True, metavar="ACTION")
    load = actions.add_parser(
        "import",
        help="load categories from a YAML or JSON file (checked, all or nothing, idempotent; "
        "categories the file leaves out are deactivated, never deleted)",
    )
    load.add_argument("file", type=Path, help="e.g. app/demo/categories.yaml")
    dump = actions.add_parser("export", help="write the categories as a file import takes back")
    dump.add_argument("file", type=Path, nargs="?", help="the file (default: print YAML)")
    dump.add_argument("--json", action="store_true", help="JSON instead of YAML")


def _sandbox_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sandbox = sub.add_parser(
        "sandbox",
        help="try the bot in a browser: the built-in emulator and the demo street, no token",
    )
    sandbox.add_argument(
        "--port", type=int, default=8080, help="the page's port on 127.0.0.1 (default 8080)"
    )
    sandbox.add_argument(
        "--token",
        help="the token the bot uses against the emulator when BOT_TOKEN is set ('demo': a "
        "made-up one); it never reaches Telegram",
    )
    sandbox.add_argument(
        "--data",
        type=Path,
        default=Path("data") / "sandbox",
        help="the sandbox's folder, emptied at each start (default data/sandbox)",
    )
    sandbox.add_argument(
        "--cases", type=int, default=60, help="demo cases of the last 30 days (default 60)"
    )


def _day(text: str) -> date:
    """A day as the command line takes it."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: write YYYY-MM-DD, e.g. 2026-10-01"
        ) from None


def _export_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = sub.add_parser("export", help="write the case register (.xlsx or CSV)")
    for flag, name, what in (("--from", "first", "first"), ("--to", "last", "last")):
        export.add_argument(
            flag,
            dest=name,
            type=_day,
            required=True,
            metavar="DATE",
            help=f"{what} day of filing, YYYY-MM-DD in TIMEZONE (both included)",
        )
    export.add_argument("--area", help="area code (default: the whole street)")
    export.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    export.add_argument(
        "--out", type=Path, help="the file to write (default: EXPORT_DIR/cases_FROM_TO.xlsx)"
    )
    export.add_argument(
        "--reporters", action="store_true", help="add reporters' names and Telegram ids"
    )
    export.add_argument(
        "--language", choices=["zh", "en"], help="of headers and names (default: DEFAULT_LANGUAGE)"
    )


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    # Alembic's list of the plugins it sets up says nothing to whoever runs `migrate`.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


async def _run(settings: Settings, webhook: bool) -> None:
    from app.runner import run_polling, run_webhook
    from app.wiring import create_app

    await _check_telegram(settings)  # before migrating: a wrong token or no network says so at once
    app = await create_app(settings)
    try:
        await (run_webhook(app) if webhook else run_polling(app))
    finally:
        await app.close()


async def _check_telegram(settings: Settings) -> None:
    from bot.telegram.session import RetryMiddleware, create_bot

    bot = create_bot(
        settings.bot_token.get_secret_value(),
        settings.telegram_api_url,
        RetryMiddleware(attempts=1),
    )
    try:
        await check_telegram(bot, settings.telegram_api_url)
    finally:
        await bot.session.close()


async def _migrate(settings: DatabaseSettings) -> None:
    from storage.db import Database
    from storage.migrate import current_revision, upgrade

    database = Database(settings.database_url, one_trip_cursor=settings.sqlite_one_trip_cursor)
    try:
        await upgrade(database)
        print(f"database at revision {await current_revision(database)}")
    finally:
        await database.dispose()


async def _replay(settings: Settings) -> None:
    from app.runner import replay_failed
    from app.wiring import create_app

    app = await create_app(settings)
    try:
        handled, failing = await replay_failed(app)
        print(f"replayed: {handled} handled, {failing} still failing")
    finally:
        await app.close()


async def _with_database(
    settings: DatabaseSettings, work: Callable[[Database], Awaitable[None]]
) -> None:
    from storage.migrate import upgrade

    database = Database(settings.database_url, one_trip_cursor=settings.sqlite_one_trip_cursor)
    try:
        await upgrade(database)
        await work(database)
    finally:
        await database.dispose()


def _database_command(args: argparse.Namespace) -> Callable[[Database], Awaitable[None]] | None:
    from app import admin_cli

    if args.command == "areas":
        if args.areas_command == "import":
            return lambda db: admin_cli.import_areas(db, args.file)
        return admin_cli.list_areas
    if args.command == "categories":
        if args.categories_command == "import":
            return lambda db: admin_cli.import_categories(db, args.file)
        return lambda db: admin_cli.export_categories(db, args.file, args.json)
    if args.command == "duties":
        return lambda db: admin_cli.import_duties(db, args.file)
    if args.command == "groups":
        if args.groups_command == "add":
            return lambda db: groups_cli.set_up(db, args)
        return groups_cli.list_groups
    if args.command == "demo-data":
        local = load_settings(LocalSettings)
        return lambda db: admin_cli.demo_data(db, max(args.cases, 0), local.tz)
    if args.command == "people":
        role = Role(args.role)
        return lambda db: admin_cli.add_person(db, args.tg_id, role, args.area, args.backup)
    if args.command == "export":
        from app import export_cli

        local = load_settings(LocalSettings)
        request = _export_request(args, args.language or local.default_language, local)
        return lambda db: export_cli.write_register(db, local.tz, request)
    return None


def _export_request(
    args: argparse.Namespace, language: str, local: LocalSettings
) -> export_cli.Request:
    from app import export_cli
    from bot.register.export import Format

    return export_cli.Request(
        first=args.first,
        last=args.last,
        area_code=args.area,
        kind=Format(args.format),
        out=args.out,
        folder=local.export_dir,
        with_reporters=args.reporters,
        language=language,
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if load_settings(DatabaseSettings).lean_aiogram:
            # Before anything imports aiogram: see app/lean_aiogram.py.
            defer_aiogram_types()
        if args.command == "migrate":
            db_settings = load_settings(DatabaseSettings)
            _configure_logging(db_settings.log_level)
            asyncio.run(_migrate(db_settings))
            return 0
        if (work := _database_command(args)) is not None:
            db_settings = load_settings(DatabaseSettings)
            _configure_logging("WARNING")
            asyncio.run(_with_database(db_settings, work))
            return 0
        if args.command == "serve-api":
            from app.open311_server import serve_api

            local = load_settings(LocalSettings)
            _configure_logging(local.log_level)
            asyncio.run(serve_api(local))
            return 0
        if args.command == "sandbox":
            from app.sandbox import run_sandbox, token_to_use

            token = token_to_use(args.token)
            _configure_logging("WARNING")
            asyncio.run(run_sandbox(args.data, args.port, token, max(args.cases, 0)))
            return 0
        settings = load_settings(Settings)
        _configure_logging(settings.log_level)
        if args.command == "run":
            asyncio.run(_run(settings, args.webhook))
        elif args.command == "replay-failed":
            asyncio.run(_replay(settings))
        elif args.command == "invite":
            from app import admin_cli

            asyncio.run(admin_cli.invite(settings, Role(args.role), args.area))
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    except TelegramUnavailable as error:
        print(error, file=sys.stderr)
        return 3
    except CategoryFileError as error:
        from bot.texts import Catalogue

        print(error.text(Catalogue.load("en").translator("en")), file=sys.stderr)
        return 1
    except PoliteError as error:
        from bot.texts import Catalogue

        print(Catalogue.load("en").get("en", error.key, **error.values), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
