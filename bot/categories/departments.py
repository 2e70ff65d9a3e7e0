"""Department groups: which group chat gets the cases of which department's categories."""

from __future__ import annotations

from sqlalchemy import select

from bot.categories import table
from bot.errors import PoliteError
from bot.texts import Translator
from storage.db import Database
from storage.models import Case, Category, DepartmentGroup
from storage.upsert import upsert

# The seeded categories' department codes, said by name (`department.<code>` in the catalogues);
# a department an admin typed in their own words is shown as typed.
NAMED = frozenset({"emergency", "land", "police", "urban"})


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
    """The department codes the categories name."""
    async with database.sessions() as session:
        rows = await session.scalars(
            select(Category.department).where(Category.department.is_not(None)).distinct()
        )
        return sorted(code for code in rows if code)


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


async def group_of(database: Database, case: Case) -> int | None:
    """The chat of the department of the case's category, if bound."""
    category = await table.category(database, case.category_id)
    if category is None or not category.department:
        return None
    async with database.sessions() as session:
        group = await session.get(DepartmentGroup, category.department)
        return group.chat_id if group else None
