"""erasure and retention on the case's row

Revision ID: service_0010
Revises: service_0009
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "service_0010"
down_revision: str | None = "service_0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("erasure_requested_by", sa.String(36), nullable=True))
        batch.add_column(sa.Column("erasure_reason", sa.String(20), nullable=True))
        batch.add_column(sa.Column("erased_on", sa.Date, nullable=True))
        batch.add_column(sa.Column("retention_from", sa.Date, nullable=True))
        batch.add_column(sa.Column("retention_hold", sa.String(300), nullable=True))
        batch.create_index("ix_cases_retention_from", ["retention_from"])
    # Cases that ended before this revision: their retention counts from the last of the
    # closure, the follow-ups and the end of after-support (declined referrals: their last event).
    op.execute(
        """
        UPDATE cases SET retention_from = (
            SELECT MAX(d) FROM (
                SELECT cases.closed_on AS d
                UNION ALL SELECT MAX(f.recorded_on) FROM case_follow_ups f
                    WHERE f.case_id = cases.case_id
                UNION ALL SELECT MAX(a."on") FROM case_after_support a
                    WHERE a.case_id = cases.case_id AND a.kind = 'ended'
            ) AS ends
        )
        WHERE stage = 'closed'
        """
    )
    day = "DATE(last_event_at)" if op.get_bind().dialect.name == "sqlite" else "last_event_at::date"
    op.execute(f"UPDATE cases SET retention_from = {day} WHERE stage = 'declined'")


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_retention_from")
        for name in (
            "retention_hold",
            "retention_from",
            "erased_on",
            "erasure_reason",
            "erasure_requested_by",
        ):
            batch.drop_column(name)
