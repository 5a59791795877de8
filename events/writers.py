"""The writer discipline: every write transaction, the store's and the services', starts
through `write_transaction`, and the store's writers write one at a time, per dialect.

SQLite has a single writer: a write transaction starts with `BEGIN IMMEDIATE`, taking the
write lock up front, and this process's writers queue on a lock in Python before they ask
for it (engine.py). PostgreSQL writers take a transaction-level advisory lock. Either way the
lock is held from before an append chooses its global positions until it commits, so
positions become visible in order and a reader that follows them never skips an event.

A service's own writes (sessions, login failures, the outbox, the read log) take the same
SQLite write lock at BEGIN: a transaction that reads and then writes never fails half-way
with "database is locked" because another writer committed in between. On PostgreSQL they
need no global lock: row locks and unique constraints keep them safe, and where several
writers would delete overlapping rows, the caller names an advisory lock of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import PoolProxiedConnection

from events.engine import WRITE_OPTION, local_writer_lock
from events.errors import EventStoreError, PartialRetryError

T = TypeVar("T")

# Key of the PostgreSQL advisory lock that serialises writers. Holding it from before the
# position is chosen until commit makes positions become visible in order, so a reader that
# follows the global position never skips an event committed by a slower transaction.
WRITER_LOCK_KEY = 0x5A4D_0001


def begin_statements(dialect: sa.Dialect) -> tuple[str, ...]:
    """What starts a write transaction on the driver connection of `dialect`."""
    if dialect.name == "sqlite":
        return ("BEGIN IMMEDIATE",)
    if dialect.name == "postgresql":
        return (f"SELECT pg_advisory_xact_lock({WRITER_LOCK_KEY})",)
    raise ValueError(f"the event store does not support {dialect.name}")


@contextmanager
def write_transaction(engine: Engine, advisory_lock: int | None = None) -> Iterator[Connection]:
    """A transaction that will write: on SQLite it queues on this process's writer lock and
    begins with BEGIN IMMEDIATE; on PostgreSQL it takes the transaction-level advisory lock
    `advisory_lock` when one is named, else no lock beyond the rows it writes."""
    with local_writer_lock(engine), engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            if advisory_lock is not None and conn.dialect.name == "postgresql":
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(advisory_lock)))
            yield conn


class Writers:
    """Write transactions on one engine, one writer at a time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._begin = begin_statements(engine.dialect)
        # One writer at a time either way (SQLite's lock, PostgreSQL's advisory lock), so
        # this process's appends queue on a lock in Python and share one held connection:
        # no pool checkout, and on PostgreSQL no ping, per append.
        self._local: AbstractContextManager[Any] = local_writer_lock(engine)
        if engine.dialect.name == "postgresql":
            self._local = threading.Lock()
        self._held: PoolProxiedConnection | None = None

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction holding the store's single writer lock, through SQLAlchemy."""
        with write_transaction(self.engine, WRITER_LOCK_KEY) as conn:
            yield conn

    def on_driver(self, work: Callable[[Any], T]) -> T:
        """Run `work` in a write transaction on the driver's own connection and commit: for
        an append that needs nothing but its insert, where SQLAlchemy's transaction
        bookkeeping would cost more than the disk flush the append waits for.

        On PostgreSQL the transaction runs in psycopg's pipeline mode: BEGIN, the writer
        lock and `work`'s first read travel in one round trip, its insert and the COMMIT in
        the next. A statement queued in the pipeline reports its failure when the pipeline
        syncs, so an insert that breaks a unique constraint fails at the commit: the only one
        an append can break there is its event ids' (positions and versions are chosen under
        the lock), and it is reported as a PartialRetryError.

        Rolls back on an EventStoreError (the store refused the write, the connection is
        sound). A held connection that went stale while it waited (the server restarted, a
        proxy dropped it) fails before the commit, with nothing written: `work` runs again
        once on a new connection from the pool, which checks it. On anything else the
        connection may be broken and is never used again.
        """
        with self._local:
            raw = self._connection()
            try:
                try:
                    result = self._commit(raw, work)
                except _Unwritten:
                    raw.invalidate()
                    self._held = raw = self.engine.raw_connection()
                    try:
                        result = self._commit(raw, work)
                    except _Unwritten as again:
                        raise again.error from None
            except EventStoreError:
                raw.rollback()
                self._release(raw)
                raise
            except BaseException:
                raw.invalidate()
                self._held = None
                raise
            self._release(raw)
            return result

    def _commit(self, raw: PoolProxiedConnection, work: Callable[[Any], T]) -> T:
        driver = raw.driver_connection
        assert driver is not None
        dbapi = self.engine.dialect.loaded_dbapi
        if self.engine.dialect.name != "postgresql":
            for statement in self._begin:
                driver.execute(statement)
            result = work(driver)
            raw.commit()
            return result
        # The transaction's statements are sent by hand (psycopg's own BEGIN and commit()
        # each wait for a sync of the pipeline): BEGIN, the lock and `work`'s read go out
        # together, its insert and the COMMIT when the pipeline ends.
        driver.autocommit = True
        try:
            with driver.pipeline():
                try:
                    driver.execute("BEGIN")
                    for statement in self._begin:
                        driver.execute(statement)
                    result = work(driver)
                except dbapi.OperationalError as error:
                    if not driver.broken:  # a timeout or a lock refused: not the connection
                        raise
                    raise _Unwritten(error) from error
                driver.execute("COMMIT")
        except dbapi.IntegrityError as error:
            raise PartialRetryError("an event id of this batch is stored already") from error
        return result

    def _connection(self) -> PoolProxiedConnection:
        if self._held is None:
            self._held = self.engine.raw_connection()
        return self._held

    def _release(self, raw: PoolProxiedConnection) -> None:
        self._held = raw


class _Unwritten(Exception):  # a signal between two methods, never raised out of them
    """The driver failed before the commit was sent: nothing was written."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error
