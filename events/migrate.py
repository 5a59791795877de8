"""Bring a database up to the newest schema with Alembic."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from events.engine import WRITE_OPTION

KERNEL_VERSIONS = "events:migrations/versions"


def alembic_config(engine: Engine, version_locations: Sequence[str] = ()) -> Config:
    """An Alembic config for the kernel's migrations plus an application's own.

    `version_locations` name further version folders ("package:path"); their first
    revision should depend on the kernel's branch ("events").
    """
    config = Config()
    config.set_main_option("script_location", "events:migrations")
    config.set_main_option("version_locations", " ".join([KERNEL_VERSIONS, *version_locations]))
    config.set_main_option("path_separator", "space")
    return config


# The key of the PostgreSQL advisory lock that one upgrade at a time holds ("Samo").
MIGRATION_LOCK = 0x53616D6F


def upgrade(engine: Engine, version_locations: Sequence[str] = ()) -> None:
    """Bring the database to the newest revision. Any number of processes may call this at
    once (replicas starting together): each takes the database's migration lock first, so
    one migrates and the others then find nothing left to do."""
    config = alembic_config(engine, version_locations)
    with engine.connect() as connection:
        _lock_for_migration(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
        connection.commit()
    if engine.dialect.name == "sqlite":
        _truncate_write_ahead_log(engine)


def _lock_for_migration(connection: Connection) -> None:
    """Begin the migration's transaction holding a lock that lasts until it ends: on
    PostgreSQL a transaction-level advisory lock, on SQLite the single writer lock (BEGIN
    IMMEDIATE; another process waits for it as long as the busy timeout allows)."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    else:
        connection.execution_options(**{WRITE_OPTION: True})
        connection.execute(sa.text("SELECT 1"))


def _truncate_write_ahead_log(engine: Engine) -> None:
    """Copy SQLite's write-ahead log into the database file and empty it. A migration that
    deleted personal data overwrote it in the file (`secure_delete`), but older versions of
    those pages stay in the log until it is emptied."""
    with engine.connect() as connection:
        # on the driver's connection: a checkpoint cannot run inside a transaction
        connection.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]


def revisions(engine: Engine, version_locations: Sequence[str] = ()) -> tuple[set[str], list[str]]:
    """The revisions the database is at, and those an upgrade would still apply (a branch
    that another depends on counts as applied once that one is)."""
    config = alembic_config(engine, version_locations)
    script = ScriptDirectory.from_config(config)
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    pending = script.revision_map.iterate_revisions("heads", current)
    return set(current), [revision.revision for revision in pending if revision is not None]
