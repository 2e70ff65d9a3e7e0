"""Webhook mode: an aiohttp server that checks Telegram's secret token and handles each update
before answering, so a failed update is answered 500 and Telegram delivers it again, and so is one
another instance claimed (503): if that instance died, a later delivery takes it over."""

from __future__ import annotations

import json
import logging
import secrets
from urllib.parse import urlsplit

from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from app import open311_server
from app.metrics import CONTENT_TYPE
from app.wiring import App
from bot.open311.feed import Feed
from handlers.common.middlewares import UpdateOutcome

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
# After this many failed attempts the update is acknowledged and left for `replay-failed`.
MAX_ATTEMPTS = 3
APP_KEY = web.AppKey("bot_app", App)


def webhook_path(url: str | None) -> str:
    return (urlsplit(url).path if url else "") or "/webhook"


async def handle_update(request: web.Request) -> web.Response:
    app = request.app[APP_KEY]
    expected = app.settings.webhook_secret
    given = request.headers.get(SECRET_HEADER, "")
    if expected is None or not secrets.compare_digest(given, expected.get_secret_value()):
        log.warning("webhook call with a wrong secret token from %s", request.remote)
        return web.json_response({"ok": False}, status=401)
    try:
        update = Update.model_validate(await request.json(), context={"bot": app.bot})
    except (json.JSONDecodeError, ValidationError, UnicodeDecodeError):
        log.warning("webhook call with a malformed update")
        return web.json_response({"ok": False}, status=400)
    outcome = UpdateOutcome()
    try:
        async with app.update_slots:
            await app.dispatcher.feed_update(app.bot, update, update_outcome=outcome)
    except Exception:
        log.exception("update %s could not be handled", update.update_id)
        return web.json_response({"ok": False}, status=500)
    if outcome.failed and outcome.attempts < MAX_ATTEMPTS:
        return web.json_response({"ok": False}, status=500)
    if outcome.busy:  # another instance has it, or had it and died: Telegram asks again later
        return web.json_response({"ok": False}, status=503)
    return web.json_response({"ok": True})


async def health(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def metrics(request: web.Request) -> web.Response:
    """Prometheus' text format; meant for the internal network (the proxy does not expose it)."""
    app = request.app[APP_KEY]
    body = await app.metrics.render(app.database)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


def web_application(app: App) -> web.Application:
    """The aiohttp application: the webhook, a health check, metrics and the Open311 API."""
    web_app = web.Application()
    web_app[APP_KEY] = app
    web_app.router.add_post(webhook_path(app.settings.webhook_url), handle_update)
    web_app.router.add_get("/healthz", health)
    web_app.router.add_get("/metrics", metrics)
    if app.settings.open311_enabled:
        open311_server.mount(web_app, Feed(app.database, app.catalogue, app.settings.tz))
    return web_app
