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
2. Then one write transaction under the writer lock swaps it in: the live tables' rows are
   replaced by the new ones, the checkpoint set to where the new ones stopped, and the few
   events appended meanwhile applied on top. Readers see the old read model until it commits
   and the new one after; an append waits only for the swap.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from events import checkpoints
from events.backup import backup
from events.engine import WRITE_OPTION, create_engine, local_writer_lock
from events.projections import Projection
from events.reading import Reader

Transaction = Callable[[], AbstractContextManager[Connection]]
# Rebuilds in place (the old way) in a copy of a SQLite store: (engine of the copy) -> head.
RebuildCopy = Callable[[Engine], int]


def rebuild_beside_postgresql(
    engine: Engine, reader: Reader, projection: Projection, transaction: Transaction
) -> int:
    """Build in a schema of its own, then swap in under the writer lock; returns how many
    events the new read model was built from."""
    schema = f"rebuild_{projection.name}"[:63]
    beside = sa.MetaData()
    for table in projection.tables:
        table.to_metadata(beside, schema=schema)
    try:
        with _own_connection(engine) as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            beside.create_all(conn)
            conn.commit()
            # unqualified names: this schema's tables first, then the live ones
            conn.exec_driver_sql(f'SET search_path TO "{schema}", public')
            up_to = reader.head()
            position = applied = 0
            while batch := reader.read_batch(conn, position, up_to=up_to):
                projection.apply(conn, batch)
                conn.commit()
                applied += len(batch)
                position = batch[-1].position
        with transaction() as conn:
            _replace_rows(conn, projection, schema)
            checkpoints.set_checkpoint(conn, projection, position)
            applied += checkpoints.catch_up(conn, projection, reader)
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    except BaseException:
        with engine.begin() as conn:  # a failed rebuild leaves the live read model alone
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        raise
    return applied


def rebuild_beside_sqlite(
    engine: Engine, reader: Reader, projection: Projection, rebuild_copy: RebuildCopy
) -> int:
    """Build in a copy of the database file, then swap in under the writer lock."""
    folder = Path(str(engine.url.database)).parent
    with tempfile.TemporaryDirectory(prefix=".rebuild-", dir=folder) as scratch:
        copy = Path(scratch) / "rebuild.db"
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
                    _replace_rows(conn, projection, "rebuild")
                    checkpoints.set_checkpoint(conn, projection, position)
                    applied += checkpoints.catch_up(conn, projection, reader)
            finally:
                driver.execute("DETACH DATABASE rebuild")
    return applied


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
