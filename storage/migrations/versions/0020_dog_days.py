"""Concentrated immunisation days (集中免疫日): the day, its slots with a capacity, the
bookings of dogs; and a notice's subject, so each reader's text and buttons are drawn when
it is sent.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.add_column(sa.Column("subject_kind", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))
    op.create_table(
        "dog_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=128), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("announced_at", WHEN, nullable=True),
        sa.Column("notice_id", sa.Integer(), nullable=True),
        sa.Column("reminded_at", WHEN, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name="fk_dog_days_area_id_areas"),
        sa.ForeignKeyConstraint(
            ["author_id"], ["people.id"], name="fk_dog_days_author_id_people", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name="fk_dog_days_notice_id_notices", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_dog_days"),
    )
    op.create_index("ix_dog_days_day", "dog_days", ["day"])
    op.create_table(
        "dog_day_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day_id", sa.Integer(), nullable=False),
        sa.Column("starts", sa.String(length=5), nullable=False),
        sa.Column("ends", sa.String(length=5), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["day_id"], ["dog_days.id"], name="fk_dog_day_slots_day_id_dog_days", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_dog_day_slots"),
    )
    op.create_index("ix_dog_day_slots_day_id", "dog_day_slots", ["day_id"])
    op.create_table(
        "dog_bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day_id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("dog_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("attended_at", WHEN, nullable=True),
        sa.Column("attended_by", sa.Integer(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["day_id"], ["dog_days.id"], name="fk_dog_bookings_day_id_dog_days", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["dog_day_slots.id"],
            name="fk_dog_bookings_slot_id_dog_day_slots",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dog_id"], ["dogs.id"], name="fk_dog_bookings_dog_id_dogs", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["people.id"], name="fk_dog_bookings_owner_id_people"
        ),
        sa.ForeignKeyConstraint(
            ["attended_by"], ["people.id"], name="fk_dog_bookings_attended_by_people"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_dog_bookings"),
        sa.UniqueConstraint("day_id", "dog_id", name="uq_dog_bookings_day_id"),
    )
    op.create_index("ix_dog_bookings_slot_id", "dog_bookings", ["slot_id"])
    op.create_index("ix_dog_bookings_dog_id", "dog_bookings", ["dog_id"])


def downgrade() -> None:
    op.drop_table("dog_bookings")
    op.drop_table("dog_day_slots")
    op.drop_table("dog_days")
    with op.batch_alter_table("notices") as batch:
        batch.drop_column("subject_id")
        batch.drop_column("subject_kind")
