"""Every command the routers keep for some roles, sent by someone of each other role, through the
real bot: refused politely. The list is read from the routers themselves, so a new staff command
is covered the day it is registered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiogram import Router
from aiogram.filters import Command

from app.wiring import App
from bot.telegram.commands import COMMANDS
from handlers import get_routers
from handlers.common.filters import HasRole
from sandbox.emulator import TelegramEmulator
from storage.models import Area, AreaLevel, Person, Role

NOT_ALLOWED = "抱歉，您没有权限进行这个操作。"


EVERYONE = frozenset(Role)


def _roles(filters: list[object]) -> frozenset[Role]:
    kept = [f.roles for f in filters if isinstance(f, HasRole)]
    return frozenset.intersection(*kept) if kept else EVERYONE


def _walk(router: Router, allowed: frozenset[Role]) -> Iterator[tuple[Router, frozenset[Role]]]:
    """Each router with the roles its own and its parents' filters let through."""
    allowed = allowed & _roles([f.callback for f in router.message._handler.filters or []])
    yield router, allowed
    for sub in router.sub_routers:
        yield from _walk(sub, allowed)


def role_commands() -> dict[str, frozenset[Role]]:
    """Each command, and the roles some handler of it lets through; those with every role are
    left out (a command for everyone, such as /cancel, is nobody's to refuse). The fallback
    router is what answers the refusal, so it is not read."""
    found: dict[str, frozenset[Role]] = {}
    tops = [top for top in get_routers() if top.name != "handlers.fallback"]
    for router, allowed in (pair for top in tops for pair in _walk(top, EVERYONE)):
        for handler in router.message.handlers:
            filters = [f.callback for f in handler.filters or []]
            roles = allowed & _roles(filters)
            for command in (f for f in filters if isinstance(f, Command)):
                for name in (n for n in command.commands if isinstance(n, str)):
                    found[name] = found.get(name, frozenset()) | roles
    return {name: roles for name, roles in found.items() if roles != EVERYONE}


def test_the_routers_keep_commands_for_staff() -> None:
    commands = role_commands()
    assert {"queue", "case", "stats", "export", "failed", "invite"} <= set(commands)
    assert all(Role.RESIDENT not in roles for roles in commands.values())


@pytest.mark.parametrize("role", list(Role))
def test_help_lists_exactly_the_commands_a_role_may_use(role: Role) -> None:
    """/help and the command menu (`COMMANDS`) against what the routers let through."""
    kept = role_commands()
    listed = set(COMMANDS[role])
    assert {name for name, roles in kept.items() if role in roles} <= listed
    assert not {name for name in listed if name in kept and role not in kept[name]}


ROLES = (Role.RESIDENT, Role.OFFICER, Role.LEAD, Role.VOLUNTEER)


@pytest.mark.parametrize("role", ROLES)
async def test_a_command_kept_for_other_roles_is_refused(
    emulator: TelegramEmulator, bot_app: App, role: Role
) -> None:
    async with bot_app.database.transaction() as session:
        community = Area(code="C9", name="九社区", level=AreaLevel.COMMUNITY)
        session.add(community)
        await session.flush()
        grid = Area(code="C9-1", name="九网格", level=AreaLevel.GRID, parent_id=community.id)
        session.add(grid)
        await session.flush()
        area = {Role.OFFICER: grid.id, Role.LEAD: community.id, Role.VOLUNTEER: community.id}.get(
            role
        )
        session.add(Person(tg_id=9400, name="试", role=role, area_id=area))
    person = emulator.user(9400, "试")
    refused = sorted(name for name, roles in role_commands().items() if role not in roles)
    assert refused, f"nothing is kept from a {role.value}?"
    for name in refused:
        answer = await person.ask(f"/{name}")
        assert answer.text == NOT_ALLOWED, f"/{name} sent by a {role.value}: {answer.text!r}"
