"""Which phase of its campaign a plan belongs to, so /notices shows a campaign as one entry
with its phases and a phase can be stopped on its own.

Plans of campaigns made before this revision were written two per phase, in the phases' order
(the residents' notice, then the officers' reminder): their phase is recovered from that order.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

plans = sa.table(
    "notice_plans",
    sa.column("id", sa.Integer),
    sa.column("campaign_id", sa.Integer),
    sa.column("campaign_phase", sa.Integer),
)
PLANS_PER_PHASE = 2


def upgrade() -> None:
    with op.batch_alter_table("notice_plans") as batch:
        batch.add_column(
            sa.Column(
                "campaign_phase",
                sa.Integer(),
                nullable=True,
                comment="index of its phase in the campaign's phases",
            )
        )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(plans.c.id, plans.c.campaign_id)
        .where(plans.c.campaign_id.is_not(None))
        .order_by(plans.c.campaign_id, plans.c.id)
    ).all()
    seen: dict[int, int] = {}
    for plan_id, campaign_id in rows:
        index = seen.get(campaign_id, 0)
        seen[campaign_id] = index + 1
        connection.execute(
            plans.update()
            .where(plans.c.id == plan_id)
            .values(campaign_phase=index // PLANS_PER_PHASE)
        )


def downgrade() -> None:
    with op.batch_alter_table("notice_plans") as batch:
        batch.drop_column("campaign_phase")
