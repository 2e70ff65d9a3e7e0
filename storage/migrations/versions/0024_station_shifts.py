"""Micro fire station members' weekly shifts, and when a member last switched their duty
themselves (a switch holds until one of their shifts starts or ends).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

members = sa.table(
    "fire_station_members", sa.column("on_duty", sa.Boolean), sa.column("switched_at")
)


def upgrade() -> None:
    with op.batch_alter_table("fire_station_members") as batch:
        batch.add_column(sa.Column("switched_at", sa.DateTime(timezone=True), nullable=True))
    # Who went off duty before shifts existed stays off: that was their own switch.
    op.execute(
        members.update()
        .where(members.c.on_duty == sa.false())
        .values(switched_at=sa.func.current_timestamp())
    )
    op.create_table(
        "fire_station_shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start_minute", sa.SmallInteger(), nullable=False),
        sa.Column("end_minute", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id", "person_id"],
            ["fire_station_members.station_id", "fire_station_members.person_id"],
            name="fk_fire_station_shifts_station_id_fire_station_members",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_fire_station_shifts"),
    )
    op.create_index(
        "ix_fire_station_shifts_member", "fire_station_shifts", ["station_id", "person_id"]
    )


def downgrade() -> None:
    op.drop_table("fire_station_shifts")
    with op.batch_alter_table("fire_station_members") as batch:
        batch.drop_column("switched_at")
