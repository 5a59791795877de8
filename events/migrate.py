"""Bring a database up to the newest schema with Alembic."""

from __future__ import annotations

from collections.abc import Sequence

from alembic import command
from alembic.config import Config
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
