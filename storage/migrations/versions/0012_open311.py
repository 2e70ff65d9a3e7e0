"""Open311: service codes and national class fields of categories; cases indexed by filing time.

Each category gets an Open311 service code and, where one fits, the class of the national digital
city management standard (GB/T 30428.2 大类/小类). The Open311 feed filters and orders cases by
the time they were filed, hence the index.

The national class codes are left empty: no code is filled in that was not checked against the
standard's text. The class names are filled where the standard's event classes clearly cover
the category (its 市容环境 class holds exposed rubbish, unclean roads and 私搭乱建).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# code: (service code, national class name, national subclass name)
SEEDED = {
    "fire": ("fire-hazard", None, None),
    "dog": ("dogs", None, None),
    "land": ("illegal-building", "市容环境", "私搭乱建"),
    "sanitation": ("sanitation", "市容环境", None),
    "other": ("other", None, None),
}

categories = sa.table(
    "categories",
    sa.column("code", sa.String),
    sa.column("service_code", sa.String),
    sa.column("national_class_name", sa.String),
    sa.column("national_subclass_name", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("categories") as batch:
        batch.add_column(sa.Column("service_code", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("national_class", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("national_subclass", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("national_class_name", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("national_subclass_name", sa.String(length=32), nullable=True))
    # Categories an admin added keep their own code as service code.
    op.execute(categories.update().values(service_code=categories.c.code))
    for code, (service_code, class_name, subclass_name) in SEEDED.items():
        op.execute(
            categories.update()
            .where(categories.c.code == code)
            .values(
                service_code=service_code,
                national_class_name=class_name,
                national_subclass_name=subclass_name,
            )
        )
    with op.batch_alter_table("categories") as batch:
        batch.alter_column("service_code", existing_type=sa.String(length=32), nullable=False)
        batch.create_unique_constraint(batch.f("uq_categories_service_code"), ["service_code"])
    with op.batch_alter_table("cases") as batch:
        batch.create_index(batch.f("ix_cases_submitted_at"), ["submitted_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_index(batch.f("ix_cases_submitted_at"))
    with op.batch_alter_table("categories") as batch:
        batch.drop_constraint(batch.f("uq_categories_service_code"), type_="unique")
        batch.drop_column("national_subclass_name")
        batch.drop_column("national_class_name")
        batch.drop_column("national_subclass")
        batch.drop_column("national_class")
        batch.drop_column("service_code")
