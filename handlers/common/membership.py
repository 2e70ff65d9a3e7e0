"""A person blocking or unblocking the bot (my_chat_member in a private chat)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated

from storage import people as people_queries
from storage.db import Database


async def blocked(event: ChatMemberUpdated, database: Database) -> None:
    await people_queries.set_reachable(database, event.from_user.id, reachable=False)


async def unblocked(event: ChatMemberUpdated, database: Database) -> None:
    await people_queries.set_reachable(database, event.from_user.id, reachable=True)


def create_router() -> Router:
    router = Router(name=__name__)
    router.my_chat_member.filter(F.chat.type == "private")
    router.my_chat_member.register(blocked, ChatMemberUpdatedFilter(member_status_changed=KICKED))
    router.my_chat_member.register(unblocked, ChatMemberUpdatedFilter(member_status_changed=MEMBER))
    return router
