"""Reports meet the dog register: which categories ask for a dog's registration number (a
category's field; the seeded dog category does), and the registered dog a case names. And the
newer vaccinations owners send with a certificate photo, for staff to confirm or refuse.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

categories = sa.table("categories", sa.column("code", sa.String), sa.column("asks_dog_number"))


def upgrade() -> None:
    with op.batch_alter_table("categories") as batch:
        batch.add_column(
            sa.Column("asks_dog_number", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute(categories.update().where(categories.c.code == "dog").values(asks_dog_number=True))
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("dog_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_cases_dog_id_dogs", "dogs", ["dog_id"], ["id"], ondelete="SET NULL"
        )

    op.create_table(
        "dog_vaccinations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dog_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("vaccinated_on", sa.Date(), nullable=False),
        sa.Column("certificate", sa.String(length=64), nullable=False),
        sa.Column("photo_file_id", sa.String(length=256), nullable=False),
        sa.Column("photo_unique_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dog_id"],
            ["dogs.id"],
            name=op.f("fk_dog_vaccinations_dog_id_dogs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["people.id"], name=op.f("fk_dog_vaccinations_owner_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["people.id"], name=op.f("fk_dog_vaccinations_decided_by_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dog_vaccinations")),
    )
    op.create_index(
        op.f("ix_dog_vaccinations_dog_id"), "dog_vaccinations", ["dog_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_dog_vaccinations_dog_id"), table_name="dog_vaccinations")
    op.drop_table("dog_vaccinations")
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint("fk_cases_dog_id_dogs", type_="foreignkey")
        batch.drop_column("dog_id")
    with op.batch_alter_table("categories") as batch:
        batch.drop_column("asks_dog_number")
