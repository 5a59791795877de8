"""insatser registered as counts: volyminsatser and strukturinsatser, and their sessions

Revision ID: service_0013
Revises: service_0012
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from events.schema import UTCDateTime

revision: str = "service_0013"
down_revision: str | None = "service_0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("insatser") as batch:
        batch.add_column(
            sa.Column(
                "registration_kind", sa.String(20), nullable=False, server_default="individual"
            )
        )
    op.create_table(
        "insats_sessions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("team_id", sa.String(36), sa.ForeignKey("teams.id"), nullable=False),
        sa.Column("insats_id", sa.String(36), sa.ForeignKey("insatser.id"), nullable=False),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("counts", sa.JSON, nullable=False),
        sa.Column("recorded_by", sa.String(36), nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_insats_sessions_team_id", "insats_sessions", ["team_id"])
    op.create_index("ix_insats_sessions_held_on", "insats_sessions", ["held_on"])


def downgrade() -> None:
    op.drop_table("insats_sessions")
    with op.batch_alter_table("insatser") as batch:
        batch.drop_column("registration_kind")
