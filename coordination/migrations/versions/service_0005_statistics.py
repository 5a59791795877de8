"""facts of each case for the statistics: highest step, any step up, meetings held

Revision ID: service_0005
Revises: service_0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "service_0005"
down_revision: str | None = "service_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("max_level", sa.Integer(), nullable=True))
    op.add_column(
        "cases",
        sa.Column("stepped_up", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "cases", sa.Column("meetings_held", sa.Integer(), nullable=False, server_default="0")
    )
    # Existing cases get their values when the read model is rebuilt (`coordination rebuild`).


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        for name in ("meetings_held", "stepped_up", "max_level"):
            batch.drop_column(name)
