"""The report flow: a resident files a problem with photos and a place, step by step."""

from aiogram import Router

from handlers.report import content, entry, place, submit


def create_router() -> Router:
    """Entry points first; the summary router's catch-all hint comes last."""
    router = Router(name=__name__)
    router.include_routers(
        entry.create_router(),
        content.create_router(),
        place.create_router(),
        submit.create_router(),
    )
    return router
