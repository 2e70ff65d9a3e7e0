"""Dog owners: /mydogs, registering a dog step by step, and keeping it up to date."""

from aiogram import Router

from handlers.resident.dogs import booking, form, mine


def create_router() -> Router:
    router = Router(name=__name__)
    router.include_routers(mine.create_router(), booking.create_router(), form.create_router())
    return router
