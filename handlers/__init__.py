"""aiogram routers by audience, assembled in the order they must be tried.

    resident/   /start and /help, case links, language, the report flow, /mycases, feedback,
                subscriptions
    staff/      the case card's buttons, /queue, /case, duty, /invite, /find, fire stations'
                members (出发, arrival), routine duties (/duties) and their patrol tracks
    admin/      /failed, /stats, /export, /map, /poster, people, areas, categories, notices,
                fire stations
    groups/     department group chats
    common/     callback data, keyboards, filters, middlewares, long answers, membership
    errors, fallback

Handlers parse, call one function of the domain (`bot`), and present; they never change a case's
status or decide who may do what. Imports go `handlers → bot → storage`, never to `app`.

Each feature module builds its router in `create_router()` rather than at import time, so every
Dispatcher (one per test, or per process) gets routers of its own.
"""

from aiogram import Router

from handlers import errors, fallback
from handlers.admin import (
    areas,
    categories,
    export,
    failed_updates,
    maps,
    notices,
    people,
    posters,
    stations,
    stats,
)
from handlers.common import membership
from handlers.groups import binding
from handlers.resident import (
    dogs,
    doors,
    feedback,
    language,
    mycases,
    report,
    start,
    subscriptions,
    withdraw,
)
from handlers.staff import (
    case_buttons,
    dog_attendance,
    dog_days,
    dog_vaccinations,
    duties,
    duty_reports,
    find,
    fire,
    tools,
    tracks,
    volunteers,
)
from handlers.staff import dogs as dog_register

# `fallback` answers what nobody else took, so it comes last.
FEATURES = (
    errors,
    membership,
    doors,  # before start: `/start c_…` is a case's link
    start,
    language,
    failed_updates,
    stats,
    export,
    maps,
    posters,
    binding,
    fire,  # before tools: a station member's /onduty, an arrival's location
    duties,  # its summary and photos while finishing, before the report's
    duty_reports,  # a report duty's typed figures, before the report's
    tracks,  # a live location while doing a duty, before a location starts a report
    volunteers,
    tools,
    stations,
    people,
    areas,
    categories,
    find,
    notices,
    subscriptions,
    case_buttons,
    dog_register,
    dog_days,
    dog_attendance,
    dog_vaccinations,
    mycases,
    withdraw,
    feedback,
    dogs,  # its typed answers after the menus' and commands' routers, before the report's
    report,
    fallback,
)


def get_routers() -> list[Router]:
    """Fresh routers of every feature, in order."""
    return [feature.create_router() for feature in FEATURES]
