"""Notices as staff run them: composing and scheduling, the plan list, acknowledgements."""

from aiogram import Router

from handlers.admin.notices import compose, manage


def create_router() -> Router:
    router = Router(name=__name__)
    router.include_routers(compose.create_router(), manage.create_router())
    return router
