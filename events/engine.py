"""Engines configured for the event store on SQLite (embedded) and PostgreSQL (production)."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

# Execution option that marks a connection whose transaction will write. On SQLite such a
# transaction starts with BEGIN IMMEDIATE: it takes the single write lock up front, so a
# read-then-write transaction never fails half-way when another writer got there first.
WRITE_OPTION = "events_write"

# Durable SQLite settings. WAL lets readers go on while one writer writes; synchronous=FULL
# flushes the WAL at every commit, so a committed append survives power loss, not only a
# crashed process. busy_timeout makes a writer wait for the lock instead of failing.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA busy_timeout=30000",
    "PRAGMA foreign_keys=ON",
    # Deleted content (a forgotten subject's key) is overwritten, not left in free pages.
    "PRAGMA secure_delete=ON",
)


_sqlite_writer_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def local_writer_lock(engine: Engine) -> AbstractContextManager[Any]:
    """Serialises this process's writers to one SQLite file in Python.

    SQLite's own busy handler would also serialise them, but by sleeping and polling, which
    makes contended writers wait far longer than the write takes. Other processes still
    meet SQLite's lock.
    """
    if engine.dialect.name != "sqlite":
        return nullcontext()
    database = str(engine.url.database)
    with _locks_guard:
        return _sqlite_writer_locks.setdefault(database, threading.Lock())


def create_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for `url` with the settings the store relies on."""
    if sa.engine.make_url(url).get_backend_name() == "postgresql":
        # A pooled connection is tested before use: after the server restarts (or a proxy
        # drops idle connections) the next request gets a new connection, not an error.
        kwargs.setdefault("pool_pre_ping", True)
    engine = sa.create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        # Straight to the driver: this runs once per transaction, on the hot path of appends.
        connection.connection.driver_connection.execute(  # type: ignore[union-attr]
            "BEGIN IMMEDIATE" if immediate else "BEGIN"
        )
