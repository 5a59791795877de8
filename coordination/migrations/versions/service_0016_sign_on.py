"""sign-on with the organisation's OpenID provider: the person's subject on their account,
accounts awaiting a role, whether a session was signed on, and whether local login is on

Revision ID: service_0016
Revises: service_0015
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "service_0016"
down_revision: str | None = "service_0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("sign_on_issuer", sa.String(300), nullable=True))
        batch_op.add_column(sa.Column("sign_on_subject", sa.String(255), nullable=True))
        batch_op.add_column(
            sa.Column("awaiting_role", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch_op.create_index(
            "ix_users_sign_on", ["sign_on_issuer", "sign_on_subject"], unique=True
        )
    with op.batch_alter_table("sessions") as batch_op:
        batch_op.add_column(
            sa.Column("signed_on", sa.Boolean, nullable=False, server_default=sa.false())
        )
    op.create_table(
        "login_settings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("local_login", sa.Boolean, nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    op.drop_table("login_settings")
    with op.batch_alter_table("sessions") as batch_op:
        batch_op.drop_column("signed_on")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_index("ix_users_sign_on")
        batch_op.drop_column("awaiting_role")
        batch_op.drop_column("sign_on_subject")
        batch_op.drop_column("sign_on_issuer")
