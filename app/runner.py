"""Running the bot: long polling, webhook mode, and replaying failed updates."""

from __future__ import annotations

import logging
from datetime import timedelta

from aiogram.types import Update
from aiohttp import web

from app.clock import deliver_owed
from app.shutdown import wait_for_signal
from app.webhook import web_application
from app.wiring import App
from bot.config import ConfigError
from storage import updates as journal

log = logging.getLogger(__name__)


async def run_polling(app: App, *, handle_signals: bool = True, polling_timeout: int = 30) -> None:
    """Long polling until SIGINT or SIGTERM (or `dispatcher.stop_polling()`), after finishing
    what a stopped predecessor left."""
    await app.bot.delete_webhook(drop_pending_updates=False)
    await recover_after_stop(app)
    await app.dispatcher.start_polling(
        app.bot,
        allowed_updates=app.dispatcher.resolve_used_update_types(),
        close_bot_session=False,
        handle_signals=handle_signals,
        polling_timeout=polling_timeout,
        tasks_concurrency_limit=app.settings.update_concurrency,
    )
    await app.drain()


async def start_webhook(app: App) -> web.AppRunner:
    """Start the webhook server and (re)set the webhook with our secret and update types."""
    settings = app.settings
    if not settings.webhook_url or settings.webhook_secret is None:
        raise ConfigError(
            "configuration error: WEBHOOK_URL and WEBHOOK_SECRET must be set for --webhook"
        )
    runner = web.AppRunner(web_application(app), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
    log.info("webhook server on %s:%s", settings.webhook_host, settings.webhook_port)
    await app.dispatcher.emit_startup(bot=app.bot)
    await app.bot.set_webhook(
        settings.webhook_url,
        secret_token=settings.webhook_secret.get_secret_value(),
        allowed_updates=app.dispatcher.resolve_used_update_types(),
    )
    return runner


async def stop_webhook(app: App, runner: web.AppRunner) -> None:
    await runner.cleanup()
    await app.dispatcher.emit_shutdown(bot=app.bot)


async def run_webhook(app: App) -> None:
    """Serve the webhook until SIGINT or SIGTERM."""
    runner = await start_webhook(app)
    try:
        await wait_for_signal()
    finally:
        await stop_webhook(app, runner)


async def recover_after_stop(app: App) -> None:
    """Polling has one process per bot (Telegram refuses a second poller), so updates the
    journal shows being handled, and what changes (of cases, dogs, duties, fires) owe, belong
    to a process that stopped: handle those updates again and send what it owed, now rather
    than after the lease that protects them while instances run side by side."""
    if await journal.give_up_interrupted(app.database, timedelta(0)):
        handled, failing = await replay_failed(app, interrupted_only=True)
        log.warning(
            "updates a stopped process was handling: %s handled now, %s failed", handled, failing
        )
    if delivered := await deliver_owed(app.database, app.desk, lease=timedelta(0)):
        log.warning("%s changes a stopped process owed were delivered", delivered)


async def replay_failed(app: App, *, interrupted_only: bool = False) -> tuple[int, int]:
    """Handle again every kept failed update (`interrupted_only`: those whose process stopped
    while handling them); returns (handled now, still failing)."""
    handled = failing = 0
    kept = await journal.failed_updates(
        app.database, app.bot.id, limit=10_000, interrupted_only=interrupted_only
    )
    for record in kept:
        if record.payload is None:  # claimed before claims kept payloads: nothing to replay
            failing += 1
            continue
        update = Update.model_validate(record.payload, context={"bot": app.bot})
        await app.dispatcher.feed_update(app.bot, update)
        after = await journal.get_record(app.database, app.bot.id, record.update_id)
        if after is not None and after.state == "handled":
            handled += 1
        else:
            failing += 1
    return handled, failing
