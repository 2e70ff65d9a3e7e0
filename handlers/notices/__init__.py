"""Notices: subscriptions, composing and scheduling, the plan list, acknowledgements."""

from aiogram import Router

from handlers.notices import compose, manage, subscribe


def create_router() -> Router:
    router = Router(name=__name__)
    router.include_routers(
        compose.create_router(), subscribe.create_router(), manage.create_router()
    )
    return router
