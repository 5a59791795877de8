"""Backup and restore of a store's database, while it serves.

- SQLite: SQLite's online backup API copies the database into a new file in one step, as one
  read transaction: a consistent snapshot, while writers go on in the write-ahead log.
- PostgreSQL: `pg_dump` in its custom format (its own snapshot, in one transaction), restored
  with `pg_restore` into an empty database.

The master key is never in a backup: without it the sealed personal data in a backup cannot be
read. Keep the two apart, as the README says.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine


class BackupError(Exception):
    """A backup or restore that cannot be made; the message says why, in Swedish."""


def backup(engine: Engine, target: Path) -> None:
    """Write a consistent copy of the database to `target`, which must not exist yet."""
    if target.exists():
        raise BackupError(f"{target} finns redan: välj ett nytt filnamn för säkerhetskopian.")
    target.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        copy = sqlite3.connect(target)
        try:
            with engine.connect() as conn:
                source = conn.connection.driver_connection
                assert isinstance(source, sqlite3.Connection)
                source.backup(copy)  # every page in one step: one snapshot
            # one self-contained file, with no write-ahead log beside it
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
        return
    _run(
        [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", _libpq(engine)],
        engine,
    )


def restore(source: Path, engine: Engine) -> None:
    """Load a backup into the database of `engine`, which must be empty."""
    if not source.is_file():
        raise BackupError(f"Säkerhetskopian {source} finns inte.")
    if sa.inspect(engine).get_table_names():
        raise BackupError(
            "Databasen att återställa till är inte tom: återställ till en ny, tom databas."
        )
    if engine.dialect.name == "sqlite":
        backup_file = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            with backup_file, engine.connect() as conn:
                target = conn.connection.driver_connection
                assert isinstance(target, sqlite3.Connection)
                backup_file.execute("PRAGMA schema_version").fetchone()  # is it SQLite at all
                backup_file.backup(target)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} är ingen säkerhetskopia av en SQLite-databas.") from error
        finally:
            backup_file.close()
        return
    _run(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={_libpq(engine)}",
            str(source),
        ],
        engine,
    )


def _libpq(engine: Engine) -> str:
    """The engine's URL as libpq (pg_dump, pg_restore) reads it, without the password (given
    in the environment, where other users' `ps` does not show it)."""
    return engine.url.set(drivername="postgresql", password=None).render_as_string()


def _tool(name: str) -> str:
    """A PostgreSQL client program: on the PATH, or the newest of Debian's server packages."""
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise BackupError(f"{name} saknas: installera PostgreSQL:s klientprogram.")
    return found


def _run(command: list[str], engine: Engine) -> None:
    environment = dict(os.environ)
    if engine.url.password:
        environment["PGPASSWORD"] = str(engine.url.password)
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=environment)
    if done.returncode != 0:
        # the client's own message names the problem; the URL in the command is not repeated
        raise BackupError(f"{Path(command[0]).name} misslyckades: {done.stderr.strip()}")
