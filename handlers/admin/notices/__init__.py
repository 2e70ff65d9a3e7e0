"""Notices as staff run them: composing and scheduling, the plan list, acknowledgements."""

from aiogram import Router

from handlers.admin.notices import compose, manage, phase_texts


def create_router() -> Router:
    router = Router(name=__name__)
    # The phase texts' button comes before the composer's, which refuses presses outside
    # its own step.
    router.include_routers(
        phase_texts.create_router(), compose.create_router(), manage.create_router()
    )
    return router
