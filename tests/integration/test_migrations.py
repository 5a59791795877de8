"""The migrations build exactly the tables the code declares, on both backends."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from coordination.shared import database as db
from coordination.shared.database import metadata


def test_the_migrated_schema_matches_the_declared_tables(database_url: str) -> None:
    engine = db.connect(database_url)
    db.migrate(engine)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    # Tables of the kernel and of alembic itself are not declared in this metadata.
    ours = [d for d in differences if _table_of(d) in metadata.tables]
    assert ours == []


def _table_of(difference: Any) -> str:
    if isinstance(difference, list):  # column modifications come as a list of changes
        return str(difference[0][2])
    kind, item = difference[0], difference[1]
    if kind.endswith("_table"):
        return str(item.name)
    if kind.endswith("_column"):
        return str(difference[2])
    return str(item.table.name)
