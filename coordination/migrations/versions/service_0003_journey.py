"""read models of the case journey: assessments, plans, activities, meetings, steps

Revision ID: service_0003
Revises: service_0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from events.schema import UTCDateTime

revision: str = "service_0003"
down_revision: str | None = "service_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CASE_COLUMNS = (
    ("plan_version", sa.Integer(), False, "0"),
    ("plan_review_on", sa.Date(), True, None),
    ("level", sa.Integer(), True, None),
    ("handovers", sa.Integer(), False, "0"),
    ("closed_on", sa.Date(), True, None),
    ("closure_kind", sa.String(length=20), True, None),
    ("closure_reason", sa.String(length=40), True, None),
    ("occupation_at_closure", sa.String(length=40), True, None),
    ("support_at_closure", sa.String(length=400), True, None),
)


def upgrade() -> None:
    for name, type_, nullable, default in CASE_COLUMNS:
        op.add_column("cases", sa.Column(name, type_, nullable=nullable, server_default=default))
    op.add_column("case_people", sa.Column("next_step", sa.Text(), nullable=True))
    op.create_table(
        "case_assessments",
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("situation", sa.Text(), nullable=False),
        sa.Column("formal_competences", sa.Text(), nullable=False),
        sa.Column("informal_competences", sa.Text(), nullable=False),
        sa.Column("interests", sa.Text(), nullable=False),
        sa.Column("obstacles", sa.Text(), nullable=False),
        sa.Column("motivation", sa.Text(), nullable=False),
        sa.Column("participant_words", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("position"),
    )
    op.create_index("ix_case_assessments_case_id", "case_assessments", ["case_id"])
    op.create_table(
        "case_plans",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("meeting_id", sa.String(length=36), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "version"),
    )
    op.create_table(
        "case_activities",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("activity_id", sa.String(length=36), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("part", sa.String(length=20), nullable=False),
        sa.Column("responsible_id", sa.String(length=36), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("drop_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "activity_id"),
    )
    op.create_index("ix_case_activities_due_on", "case_activities", ["due_on"])
    op.create_table(
        "case_meetings",
        sa.Column("meeting_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("team_id", sa.String(length=36), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("invitee_ids", sa.Text(), nullable=False),
        sa.Column("participant_invited", sa.Boolean(), nullable=False),
        sa.Column("others_invited", sa.Text(), nullable=False),
        sa.Column("agenda", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("attended_parts", sa.String(length=100), nullable=False),
        sa.Column("participant_attended", sa.Boolean(), nullable=True),
        sa.Column("decisions", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("meeting_id"),
    )
    op.create_index("ix_case_meetings_case_id", "case_meetings", ["case_id"])
    op.create_index("ix_case_meetings_team_id", "case_meetings", ["team_id"])
    op.create_index("ix_case_meetings_starts_at", "case_meetings", ["starts_at"])
    op.create_table(
        "case_steps",
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("position"),
    )
    op.create_index("ix_case_steps_case_id", "case_steps", ["case_id"])


def downgrade() -> None:
    for table in (
        "case_steps",
        "case_meetings",
        "case_activities",
        "case_plans",
        "case_assessments",
    ):
        op.drop_table(table)
    with op.batch_alter_table("case_people") as batch:
        batch.drop_column("next_step")
    with op.batch_alter_table("cases") as batch:
        for name, *_ in CASE_COLUMNS:
            batch.drop_column(name)
