"""The Open311 GeoReport v2 API, read-only and JSON only, under /open311/v2/, so city platforms
can pull the cases: discovery, services, requests and a request by its number.

Errors answer in the spec's form, a list of {code, description}: 400 for a bad parameter or a
format other than JSON, 404 for a case or resource that does not exist. Texts follow the
caller's Accept-Language (zh or en), else the bot's default language. Any site may read the API
from a browser (CORS, GET only).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from aiohttp import web
from multidict import MultiMapping

from app.shutdown import wait_for_signal
from bot.config import LocalSettings
from bot.errors import PoliteError
from bot.open311.feed import STATUSES, Feed, Query, window
from bot.texts import Catalogue
from storage import migrate
from storage.db import Database
from storage.types import utcnow

log = logging.getLogger(__name__)

PREFIX = "/open311/v2"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-24"  # when what the services look like last changed (migration 0012)
FEED_KEY = web.AppKey("open311_feed", Feed)
CORS = {"Access-Control-Allow-Origin": "*"}
DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
# A "+" of an offset that was not URL-encoded arrives as a space.
BARE_OFFSET = re.compile(r" (\d{2}:?\d{2})$")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def serve_api(settings: LocalSettings) -> None:
    """Serve only the API on API_HOST:API_PORT until SIGINT or SIGTERM (python -m bot serve-api).

    Without aiogram: this process never talks to Telegram."""
    database = Database(settings.database_url, one_trip_cursor=settings.sqlite_one_trip_cursor)
    try:
        await migrate.upgrade(database)
        feed = Feed(database, Catalogue.load(settings.default_language), settings.tz)
        runner = web.AppRunner(api_application(feed), access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, settings.api_host, settings.api_port).start()
            log.info("Open311 API on %s:%s%s/", settings.api_host, settings.api_port, PREFIX)
            await wait_for_signal()
        finally:
            await runner.cleanup()
    finally:
        await database.dispose()


def api_application(feed: Feed) -> web.Application:
    """The API on its own."""
    root = web.Application()
    mount(root, feed)
    return root


def mount(web_app: web.Application, feed: Feed) -> None:
    """Add the API under /open311/v2/ to a web application (the webhook server's)."""
    api = web.Application(middlewares=[_spec_errors])
    api[FEED_KEY] = feed
    api.router.add_get("/discovery.{format}", discovery)
    api.router.add_get("/services.{format}", services)
    api.router.add_get("/requests.{format}", requests)
    api.router.add_get("/requests/{service_request_id:[^/]+}.{format}", one_request)
    web_app.add_subapp(PREFIX, api)


async def discovery(request: web.Request) -> web.Response:
    feed, language = _context(request)
    scheme = request.headers.get("X-Forwarded-Proto", request.scheme)
    host = request.headers.get("X-Forwarded-Host", request.host)
    return _json(
        {
            "changeset": CHANGESET,
            "contact": feed.catalogue.get(language, "open311.discovery.contact"),
            "key_service": feed.catalogue.get(language, "open311.discovery.key_service"),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": f"{scheme}://{host}{PREFIX}",
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["application/json"],
                }
            ],
        }
    )


async def services(request: web.Request) -> web.Response:
    feed, language = _context(request)
    return _json(await feed.services(language))


async def requests(request: web.Request) -> web.Response:
    feed, language = _context(request)
    return _json(await feed.requests(_query(request.query, feed.tz), language))


async def one_request(request: web.Request) -> web.Response:
    feed, language = _context(request)
    number = request.match_info["service_request_id"]
    start, end = window(None, None, utcnow())
    query = Query(start, end, ids=(number,), extensions=_flag(request.query, "extensions"))
    found = await feed.requests(query, language)
    if not found:
        return _error(feed, language, 404, "open311.error.not_found", number=number)
    return _json(found)


def _context(request: web.Request) -> tuple[Feed, str]:
    """The feed and the caller's language; refuses any format but JSON."""
    if request.match_info["format"] != "json":
        raise PoliteError("open311.error.format")
    feed = request.app[FEED_KEY]
    return feed, _language(request, feed)


def _language(request: web.Request, feed: Feed) -> str:
    """The first language of Accept-Language if we have it, else the default."""
    first = re.split(r"[,;]", request.headers.get("Accept-Language", ""))[0].strip()
    return feed.catalogue.language_for(None, first or None)


def _query(params: MultiMapping[str], tz: ZoneInfo) -> Query:
    """The filters of GET requests, checked; a bad one is refused with its name."""
    statuses = frozenset(_listed(params, "status"))
    if not statuses <= STATUSES.keys():
        raise PoliteError("open311.error.status")
    ids = tuple(_listed(params, "service_request_id"))  # as many as fit into a URL
    start, end = window(
        _moment(params, "start_date", tz), _moment(params, "end_date", tz, end=True), utcnow()
    )
    return Query(
        start,
        end,
        ids=ids,
        service_codes=tuple(_listed(params, "service_code")),
        statuses=statuses,
        extensions=_flag(params, "extensions"),
    )


def _listed(params: MultiMapping[str], name: str) -> list[str]:
    """A parameter that may be given several times and as a comma list."""
    values = (part.strip() for value in params.getall(name, []) for part in value.split(","))
    return list(dict.fromkeys(value for value in values if value))


def _moment(
    params: MultiMapping[str], name: str, tz: ZoneInfo, end: bool = False
) -> datetime | None:
    """A w3 date-time with its offset; a bare date is that day in TIMEZONE (all of it for end)."""
    value = BARE_OFFSET.sub(r"+\1", params.get(name, "").strip())
    if not value:
        return None
    try:
        if DATE_ONLY.fullmatch(value):
            day = date.fromisoformat(value) + timedelta(days=int(end))
            return datetime.combine(day, time(), tz) - timedelta(microseconds=int(end))
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise PoliteError("open311.error.date", name=name) from None
    if moment.tzinfo is None:
        raise PoliteError("open311.error.date", name=name)
    return moment


def _flag(params: MultiMapping[str], name: str) -> bool:
    value = params.get(name, "").strip().lower()
    if value not in ("", "true", "false"):
        raise PoliteError("open311.error.flag", name=name)
    return value == "true"


@web.middleware
async def _spec_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every error in the spec's form, in the caller's language."""
    feed = request.app[FEED_KEY]
    language = _language(request, feed)
    try:
        return await handler(request)
    except PoliteError as error:
        return _error(feed, language, 400, error.key, **error.values)
    except web.HTTPMethodNotAllowed:
        return _error(feed, language, 405, "open311.error.read_only")
    except web.HTTPNotFound:
        return _error(feed, language, 404, "open311.error.no_resource")


def _error(feed: Feed, language: str, status: int, key: str, **values: object) -> web.Response:
    description = feed.catalogue.get(language, key, **values)
    return _json([{"code": status, "description": description}], status=status)


def _json(data: object, status: int = 200) -> web.Response:
    return web.json_response(
        data, status=status, headers=CORS, dumps=partial(json.dumps, ensure_ascii=False)
    )
