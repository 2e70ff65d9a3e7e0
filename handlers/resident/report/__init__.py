"""The report flow: a resident files a problem with photos and a place, step by step."""

from aiogram import Router

from handlers.resident.report import content, danger, dog, entry, place, submit
from handlers.resident.report.middleware import FlowMiddleware


def create_router() -> Router:
    """Entry points first; the summary router's catch-all hint comes last."""
    router = Router(name=__name__)
    middleware = FlowMiddleware()
    for part in (entry, dog, content, place, submit):
        built = part.create_router()
        built.message.middleware(middleware)
        built.callback_query.middleware(middleware)
        router.include_router(built)
    router.include_router(danger.create_router())
    return router
