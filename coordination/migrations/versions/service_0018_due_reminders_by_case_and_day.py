"""an index of each case's due reminders by day, for the team page's order

Revision ID: service_0018
Revises: service_0017
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "service_0018"
down_revision: str | None = "service_0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_due_reminders_case_day", "due_reminders", ["case_id", "due_on"])


def downgrade() -> None:
    op.drop_index("ix_due_reminders_case_day", table_name="due_reminders")
