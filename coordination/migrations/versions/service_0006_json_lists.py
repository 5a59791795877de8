"""lists in the read models as JSON arrays: support sources, consent parts, invitees, parts

Revision ID: service_0006
Revises: service_0005
Create Date: 2026-11-24
"""

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "service_0006"
down_revision: str | None = "service_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table: (its key, [(column, nullable, the comma-joined column's type)])
LISTS: dict[str, tuple[str, list[tuple[str, bool, sa.types.TypeEngine[Any]]]]] = {
    "cases": (
        "case_id",
        [
            ("support_sources", False, sa.String(length=400)),
            ("consent_parts", False, sa.String(length=100)),
            ("support_at_closure", True, sa.String(length=400)),
        ],
    ),
    "case_meetings": (
        "meeting_id",
        [
            ("invitee_ids", False, sa.Text()),
            ("attended_parts", False, sa.String(length=100)),
        ],
    ),
    "case_follow_ups": ("position", [("support_sources", False, sa.String(length=400))]),
}


Type = sa.types.TypeEngine[Any]
JSON_LIST = sa.JSON(none_as_null=True)


def upgrade() -> None:
    for table, (key, columns) in LISTS.items():
        _replace(table, key, [(n, null, joined, JSON_LIST) for n, null, joined in columns], _listed)


def downgrade() -> None:
    for table, (key, columns) in LISTS.items():
        _replace(table, key, [(n, null, JSON_LIST, joined) for n, null, joined in columns], _joined)


def _replace(
    table: str,
    key: str,
    columns: list[tuple[str, bool, Type, Type]],
    convert: Callable[[Any], Any],
) -> None:
    """Each column (name, nullable, old type, new type) gets its values converted into a
    column of the new type, added beside it and then put in its place: SQLite alters a
    column only by copying its table."""
    with op.batch_alter_table(table) as batch:
        for name, _, _, new in columns:
            batch.add_column(sa.Column(f"{name}_new", new, nullable=True))
    old = sa.table(table, sa.column(key), *(sa.column(name, t) for name, _, t, _ in columns))
    changed = sa.table(table, sa.column(key), *(sa.column(f"{c[0]}_new", c[3]) for c in columns))
    conn = op.get_bind()
    rows = [
        {"row_key": row[key], **{f"value_{c[0]}": convert(row[c[0]]) for c in columns}}
        for row in conn.execute(sa.select(old)).mappings()
    ]
    if rows:
        conn.execute(
            changed.update()
            .where(changed.c[key] == sa.bindparam("row_key"))
            .values({f"{c[0]}_new": sa.bindparam(f"value_{c[0]}") for c in columns}),
            rows,
        )
    with op.batch_alter_table(table) as batch:
        for name, nullable, _, new in columns:
            batch.drop_column(name)
            batch.alter_column(
                f"{name}_new", new_column_name=name, nullable=nullable, existing_type=new
            )


def _listed(joined: str | None) -> list[str] | None:
    return None if joined is None else [code for code in joined.split(",") if code]


def _joined(codes: list[str] | None) -> str | None:
    return None if codes is None else ",".join(codes)
