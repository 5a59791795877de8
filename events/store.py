"""The append-only event store."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import PoolProxiedConnection

from events.crypto import Keyring, decrypt_fields, encrypt_fields, personal_field_names
from events.engine import WRITE_OPTION, local_writer_lock
from events.errors import (
    ConcurrencyError,
    EventStoreError,
    MissingSubjectError,
    PartialRetryError,
)
from events.projections import Projection
from events.schema import checkpoints_table as checkpoints
from events.schema import events_table as events
from events.streams import SEPARATOR, StreamName, check_category
from events.types import ERASED, EventTypes, NewEvent, RecordedEvent

# Key of the PostgreSQL advisory lock that serialises writers. Holding it from before the
# position is chosen until commit makes positions become visible in order, so a reader that
# follows the global position never skips an event committed by a slower transaction.
WRITER_LOCK_KEY = 0x5A4D_0001

Clock = Callable[[], datetime]

# A stream is named by its stored string or by its category and id.
Stream = str | StreamName


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class AppendResult:
    stream_version: int
    position: int


_ROW_COLUMNS = (
    events.c.position,
    events.c.stream_id,
    events.c.stream_version,
    events.c.event_id,
    events.c.type,
    events.c.schema_version,
    events.c.data,
    events.c.metadata,
    events.c.subject,
    events.c.personal,
    events.c.recorded_at,
)


class _AppendSql:
    """An append's statements as driver SQL.

    Going through SQLAlchemy's statement execution costs more per append than the disk
    flush the append waits for, so the hot path hands these two statements straight to the
    driver, inside the same transaction, with SQLAlchemy's own conversions of the values.
    """

    def __init__(self, dialect: sa.Dialect) -> None:
        mark = {"qmark": "?", "format": "%s", "pyformat": "%s"}[dialect.paramstyle]
        self.heads = (
            "SELECT (SELECT max(stream_version) FROM events WHERE stream_id = "
            f"{mark}), (SELECT max(position) FROM events)"
        )
        self.insert = (
            f"INSERT INTO events ({', '.join(c.name for c in _ROW_COLUMNS)}) "
            f"VALUES ({', '.join([mark] * len(_ROW_COLUMNS))})"
        )
        self.event_id = events.c.event_id.type.bind_processor(dialect) or _unchanged
        self.recorded_at = events.c.recorded_at.type.bind_processor(dialect) or _unchanged
        # What starts a write transaction on the driver connection (see transaction()).
        if dialect.name == "sqlite":
            self.begin: tuple[str, ...] = ("BEGIN IMMEDIATE",)
        elif dialect.name == "postgresql":
            self.begin = (f"SELECT pg_advisory_xact_lock({WRITER_LOCK_KEY})",)
        else:
            raise ValueError(f"the event store does not support {dialect.name}")


def _unchanged(value: Any) -> Any:
    return value


_STORED_IDS = sa.select(events.c.stream_id, events.c.stream_version, events.c.position).where(
    events.c.event_id.in_(sa.bindparam("ids", expanding=True))
)

_MOVE_CHECKPOINT = (
    sa.update(checkpoints)
    .where(checkpoints.c.name == sa.bindparam("projection"))
    .where(checkpoints.c.position == sa.bindparam("previous"))
    .values(position=sa.bindparam("current"))
)


class EventStore:
    def __init__(
        self,
        engine: Engine,
        types: EventTypes,
        keyring: Keyring,
        inline_projections: Sequence[Projection] = (),
        clock: Clock = utc_now,
        batch_size: int = 1000,
    ) -> None:
        self.engine = engine
        self.types = types
        self.keyring = keyring
        self.inline_projections = tuple(inline_projections)
        self.clock = clock
        self.batch_size = batch_size
        self._sql: _AppendSql | None = None
        self._writer: PoolProxiedConnection | None = None

    # -- writing -------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction holding the store's single writer lock.

        Appends made with `conn=` inside it commit together with whatever else the caller
        writes on the same connection (an outbox row, say), or not at all.
        """
        with local_writer_lock(self.engine), self.engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(WRITER_LOCK_KEY)))
                yield conn

    def append(
        self,
        stream: Stream,
        expected_version: int,
        new_events: Sequence[NewEvent],
        conn: Connection | None = None,
    ) -> AppendResult:
        """Append `new_events` to the stream if it is at `expected_version` (0: a new stream).

        The whole batch commits or nothing does. Raises ConcurrencyError when the stream
        moved on. A batch whose event ids are all stored already is a retry: it writes
        nothing and reports where those events are.
        """
        if not new_events:
            raise ValueError("nothing to append")
        stream_id = str(stream)
        if conn is not None:
            return self._append(
                conn, conn.connection.driver_connection, stream_id, expected_version, new_events
            )
        if self.inline_projections or any(self._is_personal(event) for event in new_events):
            with self.transaction() as own:
                return self.append(stream_id, expected_version, new_events, own)
        return self._append_plain(stream_id, expected_version, new_events)

    def _is_personal(self, event: NewEvent) -> bool:
        return not self.types.get(event.type).personal_fields.isdisjoint(event.data)

    def _append_plain(
        self, stream_id: str, expected_version: int, new_events: Sequence[NewEvent]
    ) -> AppendResult:
        """An append that needs nothing but its insert, in a transaction on the driver's
        connection: SQLAlchemy's transaction bookkeeping would cost more per append than
        the disk flush it waits for."""
        with local_writer_lock(self.engine):
            return self._append_raw(stream_id, expected_version, new_events)

    def _append_raw(
        self, stream_id: str, expected_version: int, new_events: Sequence[NewEvent]
    ) -> AppendResult:
        # SQLite has one writer at a time, and this process's writers queue on the local
        # lock: one connection held for them saves a pool round trip per append.
        held = self.engine.dialect.name == "sqlite"
        raw = self._writer if held and self._writer is not None else self.engine.raw_connection()
        try:
            driver = raw.driver_connection
            assert driver is not None
            for statement in self._append_sql(self.engine.dialect).begin:
                driver.execute(statement)
            result = self._append(None, driver, stream_id, expected_version, new_events)
            raw.commit()
        except EventStoreError:
            raw.rollback()
            self._release(raw, held)
            raise
        except BaseException:
            # The connection may be broken: never hold on to it.
            raw.invalidate()
            self._writer = None
            raise
        self._release(raw, held)
        return result

    def _release(self, raw: PoolProxiedConnection, held: bool) -> None:
        if held:
            self._writer = raw
        else:
            raw.close()

    def _append(
        self,
        conn: Connection | None,
        driver: Any,
        stream_id: str,
        expected_version: int,
        new_events: Sequence[NewEvent],
    ) -> AppendResult:
        """The append itself, on the driver connection of a write transaction. `conn` is
        the same transaction seen through SQLAlchemy, for subject keys and projections;
        None when the batch needs neither."""
        sql = self._append_sql(self.engine.dialect)
        cursor = driver.cursor()
        try:
            cursor.execute(sql.heads, (stream_id,))
            stream_head, global_head = cursor.fetchone()
            current_version = stream_head or 0
            if current_version != expected_version:
                retried = self._stored(stream_id, new_events)
                if retried is not None:
                    return retried
                raise ConcurrencyError(stream_id, expected_version, current_version)
            previous_position = global_head or 0

            recorded_at = self.clock()
            encoded = [
                self._encode(
                    conn,
                    event,
                    stream_id,
                    current_version + offset,
                    previous_position + offset,
                    recorded_at,
                )
                for offset, event in enumerate(new_events, start=1)
            ]
            rows = [row for row, _ in encoded]
            try:
                if len(rows) == 1:
                    cursor.execute(sql.insert, rows[0])
                else:
                    cursor.executemany(sql.insert, rows)
            except self.engine.dialect.loaded_dbapi.IntegrityError as error:
                raise PartialRetryError(
                    f"stream {stream_id!r}: an event id of this batch is stored already"
                ) from error
        finally:
            cursor.close()

        appended = [event for _, event in encoded]
        if conn is not None:
            for projection in self.inline_projections:
                self._apply_inline(conn, projection, previous_position, appended)
        return AppendResult(appended[-1].stream_version, appended[-1].position)

    def _append_sql(self, dialect: sa.Dialect) -> _AppendSql:
        if self._sql is None:
            self._sql = _AppendSql(dialect)
        return self._sql

    def _stored(self, stream_id: str, new_events: Sequence[NewEvent]) -> AppendResult | None:
        """Where the batch lies if it was stored before (a retried append), else None.

        Read on a connection of its own: the writer lock is held, so what is committed is
        all there is."""
        ids = [event.event_id for event in new_events]
        with self.engine.connect() as reader:
            stored = reader.execute(_STORED_IDS, {"ids": ids}).all()
        if not stored:
            return None
        if len(stored) != len(ids) or any(row.stream_id != stream_id for row in stored):
            raise PartialRetryError(
                f"stream {stream_id!r}: {len(stored)} of {len(ids)} events are stored already"
            )
        last = max(stored, key=lambda row: row.position)
        return AppendResult(last.stream_version, last.position)

    def _encode(
        self,
        conn: Connection | None,
        event: NewEvent,
        stream_id: str,
        stream_version: int,
        position: int,
        recorded_at: datetime,
    ) -> tuple[tuple[Any, ...], RecordedEvent]:
        """The stored row (in _ROW_COLUMNS order) and the event as readers will see it."""
        event_type = self.types.get(event.type)
        data = dict(event.data)
        personal = {name: data.pop(name) for name in event_type.personal_fields if name in data}
        sealed = None
        if personal:
            if event.subject is None:
                raise MissingSubjectError(
                    f"event type {event.type!r} carries personal fields but names no subject"
                )
            assert conn is not None, "personal data is appended through SQLAlchemy"
            key = self.keyring.subject_key(conn, event.subject, create=True)
            assert key is not None
            sealed = encrypt_fields(key, personal, event.event_id.bytes)
        sql = self._append_sql(self.engine.dialect)
        row = (
            position,
            stream_id,
            stream_version,
            sql.event_id(event.event_id),
            event.type,
            event_type.version,
            json.dumps(data),
            json.dumps(dict(event.metadata)),
            event.subject,
            sealed,
            sql.recorded_at(recorded_at),
        )
        recorded = RecordedEvent(
            position=position,
            stream_id=stream_id,
            stream_version=stream_version,
            event_id=event.event_id,
            type=event.type,
            schema_version=event_type.version,
            data=dict(event.data),
            metadata=dict(event.metadata),
            subject=event.subject,
            recorded_at=recorded_at,
        )
        return row, recorded

    def _apply_inline(
        self,
        conn: Connection,
        projection: Projection,
        previous_position: int,
        recorded: Sequence[RecordedEvent],
    ) -> None:
        moved = conn.execute(
            _MOVE_CHECKPOINT,
            {
                "projection": projection.name,
                "previous": previous_position,
                "current": recorded[-1].position,
            },
        )
        if moved.rowcount == 0:
            # New, or behind: bring it up to the position before this batch first.
            self._catch_up(conn, projection, up_to=previous_position)
            conn.execute(
                sa.update(checkpoints)
                .where(checkpoints.c.name == projection.name)
                .values(position=recorded[-1].position)
            )
        projection.apply(conn, recorded)

    # -- reading -------------------------------------------------------------------------

    def stream_version(self, stream: Stream, conn: Connection | None = None) -> int:
        """The stream's version; pass the connection of a `transaction()` to read it there."""
        query = sa.select(sa.func.max(events.c.stream_version)).where(
            events.c.stream_id == str(stream)
        )
        if conn is not None:
            return int(conn.execute(query).scalar() or 0)
        with self.engine.connect() as own:
            return int(own.execute(query).scalar() or 0)

    def read_stream(
        self, stream: Stream, from_version: int = 1, conn: Connection | None = None
    ) -> list[RecordedEvent]:
        query = (
            sa.select(*_ROW_COLUMNS)
            .where(events.c.stream_id == str(stream), events.c.stream_version >= from_version)
            .order_by(events.c.stream_version)
        )
        if conn is not None:
            return self._decode(conn, conn.execute(query).all())
        with self.engine.connect() as own:
            return self._decode(own, own.execute(query).all())

    def read_all(
        self, from_position: int = 0, types: Collection[str] | None = None
    ) -> Iterator[RecordedEvent]:
        """Events after `from_position` in global order (optionally only of `types`),
        read in batches of `batch_size`, each batch in its own short transaction."""
        return self._read_from(from_position, types, None)

    def read_category(
        self, category: str, from_position: int = 0, types: Collection[str] | None = None
    ) -> Iterator[RecordedEvent]:
        """The events of every stream of `category` after `from_position`, in global order
        (optionally only of `types`), read in batches like `read_all`."""
        return self._read_from(from_position, types, check_category(category))

    def _read_from(
        self, position: int, types: Collection[str] | None, category: str | None
    ) -> Iterator[RecordedEvent]:
        while True:
            with self.engine.connect() as conn:
                batch = self._read_batch(conn, position, types, category=category)
            if not batch:
                return
            yield from batch
            position = batch[-1].position

    def _read_batch(
        self,
        conn: Connection,
        after: int,
        types: Collection[str] | None = None,
        up_to: int | None = None,
        category: str | None = None,
    ) -> list[RecordedEvent]:
        query = sa.select(*_ROW_COLUMNS).where(events.c.position > after)
        if types is not None:
            query = query.where(events.c.type.in_(list(types)))
        if category is not None:
            # An exact prefix on both backends (SQLite's LIKE ignores case).
            prefix = f"{category}{SEPARATOR}"
            query = query.where(sa.func.substr(events.c.stream_id, 1, len(prefix)) == prefix)
        if up_to is not None:
            query = query.where(events.c.position <= up_to)
        query = query.order_by(events.c.position).limit(self.batch_size)
        return self._decode(conn, conn.execute(query).all())

    def _decode(self, conn: Connection, rows: Sequence[Any]) -> list[RecordedEvent]:
        subject_keys: dict[str, AESGCM | None] = {}
        decoded = []
        for row in rows:
            data = json.loads(row.data)
            if row.personal is not None:
                if row.subject not in subject_keys:
                    subject_keys[row.subject] = self.keyring.subject_key(
                        conn, row.subject, create=False
                    )
                key = subject_keys[row.subject]
                if key is None:
                    data.update(dict.fromkeys(personal_field_names(row.personal), ERASED))
                else:
                    data.update(decrypt_fields(key, row.personal, row.event_id.bytes))
            event_type = self.types.get(row.type)
            if row.schema_version != event_type.version:
                data = self.types.upcast(row.type, row.schema_version, data)
            decoded.append(
                RecordedEvent(
                    position=row.position,
                    stream_id=row.stream_id,
                    stream_version=row.stream_version,
                    event_id=row.event_id,
                    type=row.type,
                    schema_version=event_type.version,
                    data=data,
                    metadata=json.loads(row.metadata),
                    subject=row.subject,
                    recorded_at=row.recorded_at,
                )
            )
        return decoded

    # -- projections ---------------------------------------------------------------------

    def checkpoint(self, projection: Projection) -> int:
        with self.engine.connect() as conn:
            return self._checkpoint(conn, projection.name)

    def catch_up(self, projection: Projection) -> int:
        """Apply the events after the projection's checkpoint; returns how many."""
        with self.transaction() as conn:
            return self._catch_up(conn, projection)

    def rebuild(self, projection: Projection) -> int:
        """Empty the projection's tables and replay every event from position zero.

        One transaction under the writer lock: readers see the old read model until the
        new one is complete, and no append slips in between.
        """
        with self.transaction() as conn:
            for table in reversed(projection.tables):
                conn.execute(table.delete())
            conn.execute(
                sa.update(checkpoints)
                .where(checkpoints.c.name == projection.name)
                .values(position=0)
            )
            return self._catch_up(conn, projection)

    def _checkpoint(self, conn: Connection, name: str) -> int:
        position = conn.execute(
            sa.select(checkpoints.c.position).where(checkpoints.c.name == name)
        ).scalar_one_or_none()
        if position is None:
            conn.execute(sa.insert(checkpoints).values(name=name, position=0))
            return 0
        return int(position)

    def _catch_up(self, conn: Connection, projection: Projection, up_to: int | None = None) -> int:
        position = self._checkpoint(conn, projection.name)
        applied = 0
        while batch := self._read_batch(conn, position, up_to=up_to):
            projection.apply(conn, batch)
            applied += len(batch)
            position = batch[-1].position
        conn.execute(
            sa.update(checkpoints)
            .where(checkpoints.c.name == projection.name)
            .values(position=position)
        )
        return applied

    # -- erasure -------------------------------------------------------------------------

    def forget(self, subject: str) -> None:
        """Delete the subject's key: their personal fields read as ERASED from now on."""
        with self.transaction() as conn:
            self.keyring.forget(conn, subject)


def metadata_of(
    actor: str | None = None,
    actor_group: str | None = None,
    correlation_id: UUID | None = None,
    causation_id: UUID | None = None,
) -> Mapping[str, str]:
    """Event metadata in the store's conventional shape: who acted and why."""
    values = {
        "actor": actor,
        "actor_group": actor_group,
        "correlation_id": str(correlation_id) if correlation_id else None,
        "causation_id": str(causation_id) if causation_id else None,
    }
    return {key: value for key, value in values.items() if value is not None}
