"""Reports: quick questions per category, followers, rating comments, media download state.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _option(key: str, zh: str, en: str, urgent: bool = False) -> dict:
    option = {"key": key, "zh": zh, "en": en}
    if urgent:
        option["urgent"] = True
    return option


# The quick questions of each default category, asked as buttons before the description.
# An option marked urgent means danger now: the case skips every queue.
QUESTIONS = {
    "fire": [
        {
            "key": "kind",
            "zh": "是哪一类火灾隐患？",
            "en": "What kind of fire hazard?",
            "options": [
                _option("blocked_exit", "消防通道、楼道被堵", "Blocked fire exit or passage"),
                _option(
                    "ebike_indoor",
                    "电动车进楼入户、楼道充电",
                    "E-bike charged indoors or in a stairwell",
                ),
                _option("extinguisher", "灭火器过期或缺失", "Expired or missing extinguisher"),
                _option("smoke_fire", "正在冒烟或起火", "Smoke or fire right now", urgent=True),
            ],
        }
    ],
    "dog": [
        {
            "key": "kind",
            "zh": "是什么情况？",
            "en": "What is happening?",
            "options": [
                _option("stray", "流浪犬", "Stray dog"),
                _option("barking", "犬吠扰民", "Barking nuisance"),
                _option("unleashed", "遛狗不拴绳", "Unleashed dog"),
                _option("bitten", "有人被咬伤", "Someone was bitten", urgent=True),
            ],
        },
        {
            "key": "count",
            "zh": "有几只犬？",
            "en": "How many dogs?",
            "options": [
                _option("one", "1 只", "One"),
                _option("few", "2–3 只", "Two or three"),
                _option("many", "更多", "More"),
            ],
        },
    ],
    "land": [
        {
            "key": "stage",
            "zh": "现在是什么状态？",
            "en": "What stage is it at?",
            "options": [
                _option("building_now", "正在施工", "Under construction now"),
                _option("finished", "已经建成", "Already finished"),
            ],
        },
        {
            "key": "kind",
            "zh": "属于哪一种？",
            "en": "Which kind?",
            "options": [
                _option("land", "违法占用土地", "Illegal land use"),
                _option("structure", "违法建筑", "Illegal structure"),
            ],
        },
    ],
    "sanitation": [
        {
            "key": "kind",
            "zh": "是什么问题？",
            "en": "What is the problem?",
            "options": [
                _option("garbage", "垃圾堆放", "Rubbish dumped"),
                _option("ads", "乱张贴小广告", "Illegal ads or posters"),
                _option("vendor", "占道经营", "Street vendor blocking the road"),
                _option("other_order", "其他市容问题", "Another street-order problem"),
            ],
        }
    ],
}


def upgrade() -> None:
    with op.batch_alter_table("categories") as batch:
        batch.add_column(
            sa.Column(
                "questions",
                sa.JSON(),
                nullable=False,
                server_default="[]",
                comment="quick questions: [{key, zh, en, options: [{key, zh, en, urgent}]}]",
            )
        )
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("rating_comment", sa.Text(), nullable=True))
    with op.batch_alter_table("case_media") as batch:
        batch.add_column(sa.Column("mime_type", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column("download_attempts", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "case_followers",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_followers_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_case_followers_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "person_id", name=op.f("pk_case_followers")),
    )
    with op.batch_alter_table("case_followers") as batch:
        batch.create_index(batch.f("ix_case_followers_person_id"), ["person_id"], unique=False)

    categories = sa.table(
        "categories", sa.column("code", sa.String), sa.column("questions", sa.JSON)
    )
    for code, questions in QUESTIONS.items():
        op.execute(categories.update().where(categories.c.code == code).values(questions=questions))


def downgrade() -> None:
    with op.batch_alter_table("case_followers") as batch:
        batch.drop_index(batch.f("ix_case_followers_person_id"))
    op.drop_table("case_followers")
    with op.batch_alter_table("case_media") as batch:
        batch.drop_column("download_attempts")
        batch.drop_column("mime_type")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("rating_comment")
    with op.batch_alter_table("categories") as batch:
        batch.drop_column("questions")
