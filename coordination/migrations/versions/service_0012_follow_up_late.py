"""whether a follow-up was recorded after its window

Revision ID: service_0012
Revises: service_0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "service_0012"
down_revision: str | None = "service_0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Follow-ups recorded before this revision had no window: none of them counts as late.
    with op.batch_alter_table("case_follow_ups") as batch:
        batch.add_column(sa.Column("late", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("case_follow_ups") as batch:
        batch.drop_column("late")
