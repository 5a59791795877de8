"""edit versions of users and insatser, so that stale admin forms are refused

Revision ID: service_0002
Revises: service_0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "service_0002"
down_revision: str | None = "service_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("users", "insatser"):
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    for table in ("users", "insatser"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
