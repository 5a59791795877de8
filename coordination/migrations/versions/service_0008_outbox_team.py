"""outbox rows belong to a team: the Utkorg shows administrators their own team's messages

Revision ID: service_0008
Revises: service_0007
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "service_0008"
down_revision: str | None = "service_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("team_id", sa.String(length=36), nullable=True))
    # A message already written belongs to its recipient's team (a reminder goes to someone
    # in the case's team). Users are never deleted, so every row finds its team.
    outbox = sa.table("outbox", sa.column("recipient_id"), sa.column("team_id"))
    users = sa.table("users", sa.column("id"), sa.column("team_id"))
    op.execute(
        outbox.update().values(
            team_id=sa.select(users.c.team_id)
            .where(users.c.id == outbox.c.recipient_id)
            .scalar_subquery()
        )
    )
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("team_id", existing_type=sa.String(length=36), nullable=False)
        batch.create_index("ix_outbox_team_id", ["team_id"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_team_id")
        batch.drop_column("team_id")
