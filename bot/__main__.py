"""The command line: `python -m bot run | migrate | replay-failed`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.config import ConfigError, DatabaseSettings, Settings, load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="The street office's resident reporting and notice bot."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="start the bot (long polling), applying migrations first")
    run.add_argument(
        "--webhook", action="store_true", help="serve WEBHOOK_URL on WEBHOOK_HOST:WEBHOOK_PORT"
    )
    sub.add_parser("migrate", help="bring the database schema to the newest version")
    sub.add_parser("replay-failed", help="handle again the updates that failed")
    return parser


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


async def _run(settings: Settings, webhook: bool) -> None:
    from bot.app import create_app
    from bot.runner import run_polling, run_webhook

    app = await create_app(settings)
    try:
        await (run_webhook(app) if webhook else run_polling(app))
    finally:
        await app.close()


async def _migrate(settings: DatabaseSettings) -> None:
    from storage.db import Database
    from storage.migrate import current_revision, upgrade

    database = Database(settings.database_url)
    try:
        await upgrade(database)
        print(f"database at revision {await current_revision(database)}")
    finally:
        await database.dispose()


async def _replay(settings: Settings) -> None:
    from bot.app import create_app
    from bot.runner import replay_failed

    app = await create_app(settings)
    try:
        handled, failing = await replay_failed(app)
        print(f"replayed: {handled} handled, {failing} still failing")
    finally:
        await app.close()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "migrate":
            db_settings = load_settings(DatabaseSettings)
            _configure_logging(db_settings.log_level)
            asyncio.run(_migrate(db_settings))
            return 0
        settings = load_settings(Settings)
        _configure_logging(settings.log_level)
        if args.command == "run":
            asyncio.run(_run(settings, args.webhook))
        elif args.command == "replay-failed":
            asyncio.run(_replay(settings))
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
