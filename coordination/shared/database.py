"""The database: one SQLAlchemy metadata for every context's tables, the engine, and the
migrations of kernel and service."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

import events

SERVICE_VERSIONS = "coordination:migrations/versions"

# Every context's tables.py defines its tables on this one metadata.
metadata = sa.MetaData()


def migrate(engine: Engine) -> None:
    events.upgrade(engine, [SERVICE_VERSIONS])


def migration_state(engine: Engine) -> tuple[set[str], list[str]]:
    """The revisions the database is at, and the migrations it still lacks."""
    return events.revisions(engine, [SERVICE_VERSIONS])


def connect(database_url: str) -> Engine:
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return events.create_engine(database_url)
