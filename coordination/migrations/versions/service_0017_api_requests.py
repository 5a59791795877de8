"""the API's requests of the last minute per token, shared by every app instance

Revision ID: service_0017
Revises: service_0016
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from events.schema import UTCDateTime

revision: str = "service_0017"
down_revision: str | None = "service_0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_requests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "token_id",
            sa.String(36),
            sa.ForeignKey("api_tokens.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_api_requests_token_id_at", "api_requests", ["token_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_api_requests_token_id_at", table_name="api_requests")
    op.drop_table("api_requests")
