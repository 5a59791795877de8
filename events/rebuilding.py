"""Rebuilding a read model beside the live one, so that the service keeps answering.

Replaying every event takes minutes on a large store. Doing it in the live tables under the
writer lock would hold every append (every form posted) for that long. Instead:

1. The new read model is built beside the live one, from position zero up to the head when the
   rebuild began, without the writer lock: appends and reads go on meanwhile.
   - PostgreSQL: in tables of a schema of their own (`rebuild_<projection>`), which the
     projection's unqualified statements reach through the connection's `search_path`; every
     other table (the events, the keys, the other read models) is still the live one.
   - SQLite: in a copy of the database file (SQLite's online backup), rebuilt there as a
     whole; a file has no second schema that unqualified names could be pointed at.
2. Then one write transaction under the writer lock swaps it in: on PostgreSQL the new
   tables take the live ones' place (a change of the catalogue), on SQLite the live tables'
   rows are replaced by the copy's (seconds at a million events); the checkpoint is set to
   where the new ones stopped, and the few events appended meanwhile applied on top. Readers
   see the old read model until it commits and the new one after; an append waits only for
   the swap.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from events import checkpoints
from events.backup import backup
from events.engine import WRITE_OPTION, create_engine, local_writer_lock
from events.errors import EventStoreError
from events.projections import Projection
from events.reading import Reader

Transaction = Callable[[], AbstractContextManager[Connection]]
# Rebuilds in place (the old way) in a copy of a SQLite store: (engine of the copy) -> head.
RebuildCopy = Callable[[Engine], int]
SCRATCH_PREFIX = ".rebuild-"


class RebuildRunning(EventStoreError):
    """Another rebuild of the same read model is under way."""


def rebuild_beside_postgresql(
    engine: Engine, reader: Reader, projection: Projection, transaction: Transaction
) -> int:
    """Build in a schema of its own, then swap in under the writer lock; returns how many
    events the new read model was built from. The build's connection holds an advisory lock
    of this projection's until the swap is done, so two rebuilds never share the schema."""
    schema = f"rebuild_{projection.name}"[:63]
    with _own_connection(engine) as conn:
        locked = conn.execute(
            sa.select(sa.func.pg_try_advisory_lock(sa.func.hashtext(schema)))
        ).scalar_one()
        conn.commit()
        if not locked:
            raise RebuildRunning(f"a rebuild of {projection.name} is already running")
        try:
            # left by a rebuild that was killed, or a schema of our own from scratch
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            live_schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
            for table in projection.tables:  # the live tables' very shape, column order too
                conn.exec_driver_sql(
                    f'CREATE TABLE "{schema}"."{table.name}" '
                    f'(LIKE "{live_schema}"."{table.name}" INCLUDING ALL)'
                )
            live = _settling(projection, conn)
            conn.commit()
            # unqualified names: this schema's tables first, then the live ones
            conn.exec_driver_sql(f'SET search_path TO "{schema}", "{live_schema}"')
            up_to = reader.head()
            position = applied = 0
            while batch := reader.read_batch(conn, position, up_to=up_to):
                projection.apply(conn, batch)
                conn.commit()
                applied += len(batch)
                position = batch[-1].position
            with transaction() as swap:
                applied += _swap(swap, projection, reader, schema, position, live)
                swap.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        except BaseException:
            conn.rollback()
            with engine.begin() as cleanup:  # a failed rebuild leaves the live model alone
                cleanup.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            raise
    return applied


def rebuild_beside_sqlite(
    engine: Engine, reader: Reader, projection: Projection, rebuild_copy: RebuildCopy
) -> int:
    """Build in a copy of the database file, then swap in under the writer lock."""
    folder = Path(str(engine.url.database)).parent
    for left in folder.glob(f"{SCRATCH_PREFIX}*"):  # by a rebuild that was killed: a copy
        shutil.rmtree(left, ignore_errors=True)  # of every personal field, gone now
    with tempfile.TemporaryDirectory(prefix=SCRATCH_PREFIX, dir=folder) as scratch:
        copy = Path(scratch) / "rebuild.db"
        with engine.connect() as conn:
            live = _settling(projection, conn)
        backup(engine, copy)
        copy_engine = create_engine(f"sqlite:///{copy}")
        try:
            applied = rebuild_copy(copy_engine)
            with copy_engine.connect() as conn:
                position = checkpoints.checkpoint(conn, projection.name)
        finally:
            copy_engine.dispose()
        with local_writer_lock(engine), _own_connection(engine) as conn:
            driver = conn.connection.driver_connection
            assert driver is not None
            # on the driver: ATTACH cannot run inside the transaction SQLAlchemy would begin
            driver.execute("ATTACH DATABASE ? AS rebuild", (str(copy),))
            try:
                conn.execution_options(**{WRITE_OPTION: True})
                with conn.begin():
                    applied += _swap(conn, projection, reader, "rebuild", position, live)
            finally:
                driver.execute("DETACH DATABASE rebuild")
    return applied


def _settling(projection: Projection, conn: Connection) -> Any:
    """What a projection whose rows also follow something other than the events (the
    reminders follow an insats's end date) notes of it before the build: `before_rebuild`."""
    before = getattr(projection, "before_rebuild", None)
    return before(conn) if before is not None else None


def _swap(
    conn: Connection,
    projection: Projection,
    reader: Reader,
    source_schema: str,
    position: int,
    noted: Any,
) -> int:
    """In the writer's transaction: the new rows in, the checkpoint where they stopped, the
    events appended meanwhile on top, and what else changed meanwhile (`settle`)."""
    if conn.dialect.name == "postgresql" and not _numbered_by_sequence(conn, projection):
        _move_tables(conn, projection, source_schema)
    else:
        _replace_rows(conn, projection, source_schema)
    checkpoints.set_checkpoint(conn, projection, position)
    applied = checkpoints.catch_up(conn, projection, reader)
    settle = getattr(projection, "settle", None)
    if settle is not None:
        settle(conn, noted)
    return applied


def _move_tables(conn: Connection, projection: Projection, source_schema: str) -> None:
    """PostgreSQL: the live tables dropped and the new ones moved into their schema, with
    their indexes and constraints under the same names: a change of the catalogue, as quick
    at a million rows as at ten."""
    live_schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
    names = {t.name: _index_names(conn, live_schema, t.name) for t in projection.tables}
    for table in reversed(projection.tables):
        conn.exec_driver_sql(f'DROP TABLE "{live_schema}"."{table.name}"')
    for table in projection.tables:
        conn.exec_driver_sql(
            f'ALTER TABLE "{source_schema}"."{table.name}" SET SCHEMA "{live_schema}"'
        )
        # the copied indexes got names of PostgreSQL's making: back to the migrations' names
        for shape, name in _index_names(conn, live_schema, table.name).items():
            if (wanted := names[table.name].get(shape)) is not None and wanted != name:
                conn.exec_driver_sql(f'ALTER INDEX "{live_schema}"."{name}" RENAME TO "{wanted}"')


def _numbered_by_sequence(conn: Connection, projection: Projection) -> bool:
    """Whether a live table numbers its rows from a sequence it owns: the new table's copy
    of it draws from that sequence too, so the live table cannot be dropped; its rows are
    copied instead."""
    return bool(
        conn.execute(
            sa.text(
                "SELECT count(*) FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name IN :tables "
                "AND column_default LIKE 'nextval(%'"
            ).bindparams(sa.bindparam("tables", expanding=True)),
            {"tables": [t.name for t in projection.tables]},
        ).scalar_one()
    )


def _index_names(conn: Connection, schema: str, table: str) -> dict[str, str]:
    """The table's indexes by their definition without their own name: name."""
    rows = conn.execute(
        sa.text(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = :schema AND tablename = :table"
        ),
        {"schema": schema, "table": table},
    ).all()
    return {definition.replace(f" {name} ON ", " ON "): name for name, definition in rows}


def _replace_rows(conn: Connection, projection: Projection, source_schema: str) -> None:
    """The live tables' rows replaced by those of the same tables in `source_schema`."""
    for table in reversed(projection.tables):
        conn.execute(table.delete())
    for table in projection.tables:
        columns = ", ".join(f'"{column.name}"' for column in table.columns)
        conn.exec_driver_sql(
            f'INSERT INTO "{table.name}" ({columns}) '
            f'SELECT {columns} FROM "{source_schema}"."{table.name}"'
        )


@contextmanager
def _own_connection(engine: Engine) -> Iterator[Connection]:
    """A connection changed for the rebuild (its search path, an attached file), never given
    back to the pool for another use."""
    with engine.connect() as conn:
        try:
            yield conn
        finally:
            conn.invalidate()
