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
    """Write a consistent copy of the store's database to `target`, a new file that only its
    owner may read."""
    if not sa.inspect(engine).has_table("events"):
        raise BackupError(
            "Databasen har ingen händelsetabell: kontrollera SAMORDNA_DATABASE_URL "
            "(det finns inget att säkerhetskopiera där)."
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        raise BackupError(
            f"{target} finns redan: välj ett nytt filnamn för säkerhetskopian."
        ) from None
    except OSError as error:
        raise BackupError(f"Det går inte att skriva {target}: {error.strerror}.") from error
    try:
        if engine.dialect.name == "sqlite":
            _sqlite_backup(engine, target)
        else:
            _run(
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-acl",
                    f"--file={target}",
                    _libpq(engine),
                ],
                engine,
            )
    except BaseException:
        target.unlink(missing_ok=True)  # no half-written backup that looks whole
        raise


def _sqlite_backup(engine: Engine, target: Path) -> None:
    copy = sqlite3.connect(target)
    try:
        with engine.connect() as conn:
            source = conn.connection.driver_connection
            assert isinstance(source, sqlite3.Connection)
            source.backup(copy)  # every page in one step: one snapshot
        # one self-contained file, with no write-ahead log beside it
        copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as error:
        raise BackupError(f"SQLite kunde inte skriva säkerhetskopian: {error}.") from error
    finally:
        copy.close()


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
            "--no-acl",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={_libpq(engine)}",
            str(source),
        ],
        engine,
    )


def empty(engine: Engine) -> None:
    """Drop every table of the database: a restore that could not be taken into use leaves it
    as empty as it found it."""
    found = sa.MetaData()
    found.reflect(engine)
    with engine.begin() as conn:
        found.drop_all(conn)


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
