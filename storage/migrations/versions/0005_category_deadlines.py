"""The default deadlines agreed for the officer desk (accept / resolve, in minutes).

fire hazard 30 min / 24 h (urgent); dog 2 h / 48 h; illegal land use or building 24 h / 7 days;
sanitation 4 h / 72 h; other 24 h / 7 days. Only rows still at the 0001 defaults are changed, so
deadlines an admin has edited are kept.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HOUR, DAY = 60, 24 * 60
# code: (old accept, old resolve) -> (new accept, new resolve)
CHANGES = {
    "land": ((240, 7 * DAY), (24 * HOUR, 7 * DAY)),
    "sanitation": ((120, 24 * HOUR), (4 * HOUR, 72 * HOUR)),
    "other": ((240, 72 * HOUR), (24 * HOUR, 7 * DAY)),
}

categories = sa.table(
    "categories",
    sa.column("code", sa.String),
    sa.column("accept_minutes", sa.Integer),
    sa.column("resolve_minutes", sa.Integer),
)


def _move(direction: int) -> None:
    for code, pair in CHANGES.items():
        (old_accept, old_resolve), (new_accept, new_resolve) = pair[::direction]
        op.execute(
            categories.update()
            .where(
                categories.c.code == code,
                categories.c.accept_minutes == old_accept,
                categories.c.resolve_minutes == old_resolve,
            )
            .values(accept_minutes=new_accept, resolve_minutes=new_resolve)
        )


def upgrade() -> None:
    _move(1)


def downgrade() -> None:
    _move(-1)
