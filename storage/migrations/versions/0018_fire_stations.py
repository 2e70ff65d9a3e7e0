"""Micro fire stations (微型消防站): stations, their members, and each fire's response (the
alert, its backup after 60 s without 出发, the first 出发 and the arrival on site).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-12
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "fire_stations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"], ["areas.id"], name="fk_fire_stations_community_id_areas"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_fire_stations"),
        sa.UniqueConstraint("name", name="uq_fire_stations_name"),
    )
    op.create_index("ix_fire_stations_community_id", "fire_stations", ["community_id"])
    op.create_table(
        "fire_station_members",
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("on_duty", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["fire_stations.id"],
            name="fk_fire_station_members_station_id_fire_stations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name="fk_fire_station_members_person_id_people",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("station_id", "person_id", name="pk_fire_station_members"),
    )
    op.create_index("ix_fire_station_members_person_id", "fire_station_members", ["person_id"])
    op.create_table(
        "fire_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("alerted_at", WHEN, nullable=False),
        sa.Column("escalate_at", WHEN, nullable=False),
        sa.Column("escalated_at", WHEN, nullable=True),
        sa.Column("started_at", WHEN, nullable=True),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("arrived_at", WHEN, nullable=True),
        sa.Column("arrived_by_id", sa.Integer(), nullable=True),
        sa.Column("arrival_m", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_fire_responses_case_id_cases", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["fire_stations.id"], name="fk_fire_responses_station_id_fire_stations"
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["people.id"], name="fk_fire_responses_started_by_id_people"
        ),
        sa.ForeignKeyConstraint(
            ["arrived_by_id"], ["people.id"], name="fk_fire_responses_arrived_by_id_people"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_fire_responses"),
        sa.UniqueConstraint("case_id", name="uq_fire_responses_case_id"),
    )
    op.create_index("ix_fire_responses_station_id", "fire_responses", ["station_id"])
    op.create_index("ix_fire_responses_started_by_id", "fire_responses", ["started_by_id"])
    op.create_index("ix_fire_responses_arrived_by_id", "fire_responses", ["arrived_by_id"])
    op.create_index(
        "ix_fire_responses_escalation", "fire_responses", ["escalated_at", "escalate_at"]
    )
    op.create_table(
        "fire_station_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("backup", sa.Boolean(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("claimed_at", WHEN, nullable=True),
        sa.Column("sent_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["fire_responses.id"],
            name="fk_fire_station_alerts_response_id_fire_responses",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["fire_stations.id"],
            name="fk_fire_station_alerts_station_id_fire_stations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_fire_station_alerts"),
        sa.UniqueConstraint("response_id", "station_id", name="uq_fire_station_alerts_response_id"),
    )
    op.create_index("ix_fire_station_alerts_response_id", "fire_station_alerts", ["response_id"])
    op.create_index("ix_fire_station_alerts_station_id", "fire_station_alerts", ["station_id"])


def downgrade() -> None:
    op.drop_table("fire_station_alerts")
    op.drop_table("fire_responses")
    op.drop_table("fire_station_members")
    op.drop_table("fire_stations")
