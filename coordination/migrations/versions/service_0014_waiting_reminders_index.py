"""an index of the due reminders not yet sent, for the reminder clock's sweep

Revision ID: service_0014
Revises: service_0013
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "service_0014"
down_revision: str | None = "service_0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_due_reminders_waiting",
        "due_reminders",
        ["due_on"],
        sqlite_where=sa.text("notified IS 0"),
        postgresql_where=sa.text("notified IS false"),
    )


def downgrade() -> None:
    op.drop_index("ix_due_reminders_waiting", table_name="due_reminders")
