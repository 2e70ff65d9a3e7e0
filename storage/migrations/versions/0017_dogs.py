"""Dog management: the register of dogs (犬类登记), its audit trail, and the vaccination
reminders queued once per dog, vaccination date and stage.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "dogs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "returned",
                "approved",
                "lost",
                "dead",
                "rehomed",
                name="dog_status",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("breed", sa.String(length=64), nullable=False),
        sa.Column("colour", sa.String(length=64), nullable=False),
        sa.Column("size", sa.String(length=16), nullable=False),
        sa.Column("sex", sa.String(length=16), nullable=False),
        sa.Column("photo_file_id", sa.String(length=256), nullable=False),
        sa.Column("photo_unique_id", sa.String(length=64), nullable=False),
        sa.Column("vaccinated_on", sa.Date(), nullable=False),
        sa.Column("certificate", sa.String(length=64), nullable=False),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.Column("return_reason", sa.String(length=32), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("approved_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(["owner_id"], ["people.id"], name="fk_dogs_owner_id_people"),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name="fk_dogs_area_id_areas"),
        sa.PrimaryKeyConstraint("id", name="pk_dogs"),
        sa.UniqueConstraint("number", name="uq_dogs_number"),
    )
    op.create_index("ix_dogs_owner_id", "dogs", ["owner_id"])
    op.create_index("ix_dogs_area_status", "dogs", ["area_id", "status"])
    op.create_index("ix_dogs_status_vaccinated", "dogs", ["status", "vaccinated_on"])
    op.create_table(
        "dog_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dog_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["dog_id"], ["dogs.id"], name="fk_dog_events_dog_id_dogs", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["actor_id"], ["people.id"], name="fk_dog_events_actor_id_people"),
        sa.PrimaryKeyConstraint("id", name="pk_dog_events"),
    )
    op.create_index("ix_dog_events_dog_id", "dog_events", ["dog_id"])
    op.create_index("ix_dog_events_actor_id", "dog_events", ["actor_id"])
    op.create_table(
        "dog_reminders",
        sa.Column("dog_id", sa.Integer(), nullable=False),
        sa.Column("vaccinated_on", sa.Date(), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["dog_id"], ["dogs.id"], name="fk_dog_reminders_dog_id_dogs", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["notices.id"],
            name="fk_dog_reminders_notice_id_notices",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("dog_id", "vaccinated_on", "stage", name="pk_dog_reminders"),
    )
    op.create_index("ix_dog_reminders_notice_id", "dog_reminders", ["notice_id"])


def downgrade() -> None:
    op.drop_table("dog_reminders")
    op.drop_table("dog_events")
    op.drop_table("dogs")
