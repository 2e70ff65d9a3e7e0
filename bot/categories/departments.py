"""Department groups: which group chat gets the cases of which department's categories."""

from __future__ import annotations

from sqlalchemy import select

from bot.categories import answers, table
from bot.errors import PoliteError
from bot.texts import Translator
from storage.db import Database
from storage.models import Case, DepartmentGroup
from storage.upsert import upsert

# The seeded and demo categories' department codes, said by name (`department.<code>` in the
# catalogues); a department an admin typed in their own words is shown as typed.
NAMED = frozenset({"emergency", "labour", "land", "mediation", "police", "urban"})


def department_name(t: Translator, code: str | None) -> str:
    """A department as people call it."""
    if not code:
        return "—"
    return t(f"department.{code}") if code in NAMED else code


def with_name(t: Translator, code: str) -> str:
    """A code someone types, with its name beside it: emergency（应急消防）."""
    name = department_name(t, code)
    return code if name == code else t("department.code_and_name", code=code, name=name)


async def departments(database: Database) -> list[str]:
    """The department codes the categories and their answers name."""
    codes: set[str] = set()
    for category in await table.every(database):
        codes.update(answers.named_departments(category))
    return sorted(codes)


async def bind(
    database: Database, department: str, chat_id: int, title: str, admin_id: int
) -> None:
    """Bind a department to a group chat (a department has one group; binding again moves it)."""
    if department not in await departments(database):
        raise PoliteError("groups.unknown_department", codes=", ".join(await departments(database)))
    async with database.transaction() as session:
        await upsert(
            session,
            DepartmentGroup,
            {
                "department": department,
                "chat_id": chat_id,
                "title": title[:256],
                "bound_by_id": admin_id,
            },
            ["department"],
        )


async def groups_of(database: Database, case: Case) -> list[int]:
    """The chats of the departments of the case: its category's, then those its answers add
    (those bound to a group)."""
    category = await table.category(database, case.category_id)
    if category is None:
        return []
    codes = answers.departments(category, case.answers or {})
    if not codes:
        return []
    async with database.sessions() as session:
        groups = await session.scalars(
            select(DepartmentGroup).where(DepartmentGroup.department.in_(codes))
        )
        chats = {group.department: group.chat_id for group in groups}
    return list(dict.fromkeys(chats[code] for code in codes if code in chats))
