"""failed logins counted per client address as well as per account

Revision ID: service_0009
Revises: service_0008
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "service_0009"
down_revision: str | None = "service_0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "login_failures",
        sa.Column("client", sa.String(length=64), nullable=False, server_default=""),
    )
    op.create_index("ix_login_failures_client", "login_failures", ["client"])
    op.create_index("ix_login_failures_failed_at", "login_failures", ["failed_at"])


def downgrade() -> None:
    op.drop_index("ix_login_failures_failed_at", table_name="login_failures")
    op.drop_index("ix_login_failures_client", table_name="login_failures")
    with op.batch_alter_table("login_failures") as batch:
        batch.drop_column("client")
