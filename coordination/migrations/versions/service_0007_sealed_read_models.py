"""the participant's personal data in the case read models sealed under their key, and a
blind index of the personnummer

Revision ID: service_0007
Revises: service_0006
Create Date: 2026-11-23

A migration holds no keys, so it cannot seal what the read models hold in plaintext.
Instead it empties every table of the projection "case_views" and moves the projection's
checkpoint back to zero; the service rebuilds them from the events, sealed, when it next
starts (`build_store` catches every projection up), or at `coordination rebuild`. The
events hold everything the read models are made of, so nothing is lost. The emptied rows
do not linger: PostgreSQL truncates the tables (new files), SQLite overwrites deleted
content (`secure_delete`, set on every connection of the store's engine).
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "service_0007"
down_revision: str | None = "service_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables of the projection "case_views" (the read audit is no read model: it stays).
CASE_VIEWS = (
    "cases",
    "case_people",
    "case_timeline",
    "case_assessments",
    "case_plans",
    "case_activities",
    "case_meetings",
    "case_steps",
    "case_follow_ups",
    "case_after_support",
)

TEXT = sa.Text()
ASSESSMENT_TEXTS = (
    "situation",
    "formal_competences",
    "informal_competences",
    "interests",
    "obstacles",
    "motivation",
    "participant_words",
)

# table: its personal columns (name, nullable, type in plaintext)
PERSONAL: dict[str, list[tuple[str, bool, sa.types.TypeEngine[Any]]]] = {
    "case_people": [
        ("name", True, sa.String(length=200)),
        ("personnummer", True, sa.String(length=20)),
        ("phone", True, sa.String(length=100)),
        ("email", True, sa.String(length=200)),
        ("address", True, sa.String(length=400)),
        *(
            (name, True, TEXT)
            for name in ("referral_reason", "decline_reason", "consent_note", "next_step")
        ),
    ],
    "case_assessments": [(name, False, TEXT) for name in ASSESSMENT_TEXTS],
    "case_plans": [("reason", False, TEXT), ("plan", False, TEXT)],
    "case_activities": [("what", False, TEXT), ("drop_reason", False, TEXT)],
    "case_meetings": [
        (name, False, TEXT) for name in ("place", "others_invited", "agenda", "note", "decisions")
    ],
    "case_steps": [("text", False, TEXT)],
    "case_follow_ups": [("obstacles", False, TEXT)],
    "case_after_support": [("note", False, TEXT)],
}

INDEX = "ix_case_people_personnummer_index"


def upgrade() -> None:
    _empty_case_views()
    for table, columns in PERSONAL.items():
        _retype(table, [(name, nullable, sa.LargeBinary()) for name, nullable, _ in columns])
    with op.batch_alter_table("case_people") as batch:
        batch.add_column(sa.Column("personnummer_index", sa.LargeBinary(), nullable=True))
        batch.create_index(INDEX, ["personnummer_index"])


def downgrade() -> None:
    _empty_case_views()
    with op.batch_alter_table("case_people") as batch:
        batch.drop_index(INDEX)
        batch.drop_column("personnummer_index")
    for table, columns in PERSONAL.items():
        _retype(table, columns)


def _empty_case_views() -> None:
    """The case read models emptied, to be rebuilt from the events from position zero."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"TRUNCATE {', '.join(CASE_VIEWS)}")
    else:
        for table in reversed(CASE_VIEWS):
            op.execute(f"DELETE FROM {table}")
    op.execute("UPDATE projection_checkpoints SET position = 0 WHERE name = 'case_views'")


def _retype(table: str, columns: list[tuple[str, bool, sa.types.TypeEngine[Any]]]) -> None:
    """Each column (name, nullable, new type) replaced by an empty one of the new type: the
    table is empty, and SQLite changes a column's type only by copying its table."""
    with op.batch_alter_table(table) as batch:
        for name, _, _ in columns:
            batch.drop_column(name)
        for name, nullable, new in columns:
            batch.add_column(sa.Column(name, new, nullable=nullable))
