"""aiogram routers, one per feature, assembled in the order they must be tried.

Each feature module builds its router in `create_router()` rather than at import time, so every
Dispatcher (one per test, or per process) gets routers of its own.
"""

from aiogram import Router

from handlers import (
    admin,
    areas,
    categories,
    desk,
    errors,
    export,
    fallback,
    feedback,
    find,
    groups,
    language,
    maps,
    membership,
    mycases,
    notices,
    people,
    report,
    staff_tools,
    start,
    stats,
)

# `fallback` answers what nobody else took, so it comes last.
FEATURES = (
    errors,
    membership,
    start,
    language,
    admin,
    stats,
    export,
    maps,
    groups,
    staff_tools,
    people,
    areas,
    categories,
    find,
    notices,
    desk,
    mycases,
    feedback,
    report,
    fallback,
)


def get_routers() -> list[Router]:
    """Fresh routers of every feature, in order."""
    return [feature.create_router() for feature in FEATURES]
