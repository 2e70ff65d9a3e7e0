"""Notice plans (composed, scheduled, repeating), campaigns, subscriptions and topics;
notices gain media, acknowledgement and the author's progress message.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("phases", sa.JSON(), nullable=False, comment="[{name, start, end}] ISO dates"),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["people.id"],
            name=op.f("fk_campaigns_author_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_table(
        "subscription_topics",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_subscription_topics_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "topic", name=op.f("pk_subscription_topics")),
    )
    op.create_table(
        "subscriptions",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["areas.id"],
            name=op.f("fk_subscriptions_area_id_areas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_subscriptions_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "area_id", name=op.f("pk_subscriptions")),
    )
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subscriptions_area_id"), ["area_id"], unique=False)

    op.create_table(
        "notice_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False, comment="Telegram HTML"),
        sa.Column("media_kind", sa.String(length=16), nullable=True),
        sa.Column("media_file_id", sa.String(length=256), nullable=True),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("repeat", sa.String(length=16), nullable=False),
        sa.Column("schedule", sa.String(length=64), nullable=False),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "paused",
                "cancelled",
                "done",
                name="plan_status",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("ack", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["people.id"],
            name=op.f("fk_notice_plans_author_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_notice_plans_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_plans")),
    )
    with op.batch_alter_table("notice_plans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notice_plans_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(
            "ix_notice_plans_status_next", ["status", "next_run_at"], unique=False
        )

    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_deliveries_notice_state", ["notice_id", "state"], unique=False)
        batch_op.add_column(sa.Column("acked_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reminder_of", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("media_kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("media_file_id", sa.String(length=256), nullable=True))
        batch_op.add_column(
            sa.Column("ack", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("reminded", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("progress_chat_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("progress_message_id", sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f("ix_notices_plan_id"), ["plan_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_notices_plan_id_notice_plans"),
            "notice_plans",
            ["plan_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_notices_reminder_of_notices"),
            "notices",
            ["reminder_of"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_notices_reminder_of_notices"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_notices_plan_id_notice_plans"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_notices_plan_id"))
        batch_op.drop_column("progress_message_id")
        batch_op.drop_column("progress_chat_id")
        batch_op.drop_column("reminded")
        batch_op.drop_column("ack")
        batch_op.drop_column("media_file_id")
        batch_op.drop_column("media_kind")
        batch_op.drop_column("reminder_of")
        batch_op.drop_column("plan_id")

    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("acked_at")
        batch_op.drop_index("ix_deliveries_notice_state")

    with op.batch_alter_table("notice_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_plans_status_next")
        batch_op.drop_index(batch_op.f("ix_notice_plans_campaign_id"))

    op.drop_table("notice_plans")
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscriptions_area_id"))

    op.drop_table("subscriptions")
    op.drop_table("subscription_topics")
    op.drop_table("campaigns")
