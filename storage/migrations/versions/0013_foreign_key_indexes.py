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

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.create_index(batch.f("ix_cases_duplicate_of_id"), ["duplicate_of_id"], unique=False)
    with op.batch_alter_table("people") as batch:
        batch.create_index("ix_people_role_area", ["role", "area_id"], unique=False)
    with op.batch_alter_table("deliveries") as batch:
        batch.create_index(batch.f("ix_deliveries_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_index(batch.f("ix_deliveries_person_id"))
    with op.batch_alter_table("people") as batch:
        batch.drop_index("ix_people_role_area")
    with op.batch_alter_table("cases") as batch:
        batch.drop_index(batch.f("ix_cases_duplicate_of_id"))
