"""Categories as data: an icon per category, and answers' flags named for what they do.

An answer marked `urgent` meant danger now (filed and alerted at once); it is now `danger_now`,
and `urgent` means urgent deadlines only. The icons the residents' buttons showed from code
(fire, dog, land, sanitation) move into the table.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-12
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ICONS = {"fire": "🔥", "dog": "🐕", "land": "🏗", "sanitation": "🧹", "other": "📌"}
OLD_COMMENT = "quick questions: [{key, zh, en, options: [{key, zh, en, urgent}]}]"
NEW_COMMENT = "quick questions: [{key, zh, en, options: [{key, zh, en, flags}]}]"

categories = sa.table(
    "categories",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("icon", sa.String),
    sa.column("questions", sa.JSON),
)


def _rename_flag(questions: list[dict[str, Any]], old: str, new: str) -> list[dict[str, Any]]:
    return [
        {**question, "options": [_renamed(o, old, new) for o in question.get("options", [])]}
        for question in questions or []
    ]


def _renamed(option: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    kept = {k: v for k, v in option.items() if k not in (old, new)}
    if option.get(old):
        kept[new] = True
    return kept


def _move_flags(old: str, new: str) -> None:
    connection = op.get_bind()
    for row in connection.execute(sa.select(categories.c.id, categories.c.questions)).all():
        questions = _rename_flag(row.questions, old, new)
        if questions != (row.questions or []):
            connection.execute(
                categories.update().where(categories.c.id == row.id).values(questions=questions)
            )


def upgrade() -> None:
    with op.batch_alter_table("categories") as batch:
        batch.add_column(sa.Column("icon", sa.String(length=8), nullable=True))
        batch.alter_column(
            "questions",
            existing_type=sa.JSON(),
            existing_nullable=False,
            comment=NEW_COMMENT,
            existing_comment=OLD_COMMENT,
        )
    for code, icon in ICONS.items():
        op.execute(categories.update().where(categories.c.code == code).values(icon=icon))
    _move_flags("urgent", "danger_now")


def downgrade() -> None:
    _move_flags("danger_now", "urgent")
    with op.batch_alter_table("categories") as batch:
        batch.drop_column("icon")
        batch.alter_column(
            "questions",
            existing_type=sa.JSON(),
            existing_nullable=False,
            comment=OLD_COMMENT,
            existing_comment=NEW_COMMENT,
        )
