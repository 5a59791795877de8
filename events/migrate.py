"""Bring a database up to the newest schema with Alembic."""

from __future__ import annotations

from collections.abc import Sequence

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

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


def upgrade(engine: Engine, version_locations: Sequence[str] = ()) -> None:
    config = alembic_config(engine, version_locations)
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
        connection.commit()
    if engine.dialect.name == "sqlite":
        _truncate_write_ahead_log(engine)


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
