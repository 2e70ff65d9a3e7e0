"""Indexes for three lookups that scanned a whole table.

- cases.duplicate_of_id: deleting a case (a resident cancelling a draft) makes the database check
  that no case is a duplicate of it; without an index both SQLite and PostgreSQL scan every case
  (~90 ms at 1,000,000 cases on PostgreSQL, for each cancelled draft).
- people (role, area_id): the staff of an area (routing a new case to its grid's officers, the
  community's leads and the admins; escalation; notices to staff) scanned all people.
- deliveries.person_id: a resident's /notices reads the notices they received; it scanned every
  delivery of every notice.

case_media.case_id needs none: the unique constraint on (case_id, file_unique_id) is an index
that starts with it.

On PostgreSQL the indexes are built CONCURRENTLY, outside a transaction: a plain CREATE INDEX
blocks every write to the table while it runs (cases at 1,000,000: bench/RESULTS.md section 4a).
A concurrent build that was interrupted leaves an INVALID index behind; the upgrade drops it and
builds it again, so it can simply be run again. SQLite has no such builds: it builds them as
before, in the upgrade's transaction.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# name: (table, columns)
INDEXES = {
    "ix_cases_duplicate_of_id": ("cases", ["duplicate_of_id"]),
    "ix_people_role_area": ("people", ["role", "area_id"]),
    "ix_deliveries_person_id": ("deliveries", ["person_id"]),
}
INVALID = sa.text("SELECT 1 FROM pg_index WHERE indexrelid = to_regclass(:name) AND NOT indisvalid")


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        _build_concurrently()
        return
    with op.batch_alter_table("cases") as batch:
        batch.create_index(batch.f("ix_cases_duplicate_of_id"), ["duplicate_of_id"], unique=False)
    with op.batch_alter_table("people") as batch:
        batch.create_index("ix_people_role_area", ["role", "area_id"], unique=False)
    with op.batch_alter_table("deliveries") as batch:
        batch.create_index(batch.f("ix_deliveries_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        _drop_concurrently()
        return
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_index(batch.f("ix_deliveries_person_id"))
    with op.batch_alter_table("people") as batch:
        batch.drop_index("ix_people_role_area")
    with op.batch_alter_table("cases") as batch:
        batch.drop_index(batch.f("ix_cases_duplicate_of_id"))


def _build_concurrently() -> None:
    with op.get_context().autocommit_block():
        for name, (table, columns) in INDEXES.items():
            # Offline (--sql) there is no database to ask: the script only skips what exists.
            if not op.get_context().as_sql and op.get_bind().scalar(INVALID, {"name": name}):
                op.drop_index(op.f(name), table_name=table, postgresql_concurrently=True)
            op.create_index(
                op.f(name), table, columns, postgresql_concurrently=True, if_not_exists=True
            )


def _drop_concurrently() -> None:
    with op.get_context().autocommit_block():
        for name, (table, _) in reversed(INDEXES.items()):
            op.drop_index(
                op.f(name), table_name=table, postgresql_concurrently=True, if_exists=True
            )
