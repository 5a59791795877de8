"""occupation at enrolment on the case's row

Revision ID: service_0011
Revises: service_0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "service_0011"
down_revision: str | None = "service_0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Enrolments recorded before this revision asked no occupation: theirs stays empty, and
    # the statistics count it as "Uppgift saknas".
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("occupation_at_enrolment", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("occupation_at_enrolment")
