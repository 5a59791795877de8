"""The append itself: check the stream's expected version, number the batch after the stream's
and the global head, insert its rows, and recognise a retried batch by its event ids.

It runs inside a write transaction that writers.py began, so nobody else chooses positions
meanwhile; the store decides which transaction and runs the inline projections afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.engine import Connection, Engine

from events.errors import ConcurrencyError, PartialRetryError
from events.rows import ROW_COLUMNS, RowCodec
from events.schema import events_table as events
from events.types import NewEvent, RecordedEvent


@dataclass(frozen=True, slots=True)
class AppendResult:
    stream_version: int
    position: int


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
            f"INSERT INTO events ({', '.join(c.name for c in ROW_COLUMNS)}) "
            f"VALUES ({', '.join([mark] * len(ROW_COLUMNS))})"
        )
        self.event_id = events.c.event_id.type.bind_processor(dialect) or _unchanged
        self.recorded_at = events.c.recorded_at.type.bind_processor(dialect) or _unchanged


def _unchanged(value: Any) -> Any:
    return value


# The bulk path's heads: the streams' versions (some at a time) and the log's position.
_STREAM_HEADS = (
    sa.select(events.c.stream_id, sa.func.max(events.c.stream_version))
    .where(events.c.stream_id.in_(sa.bindparam("streams", expanding=True)))
    .group_by(events.c.stream_id)
)
_GLOBAL_HEAD = sa.select(sa.func.max(events.c.position))
_STREAMS_PER_QUERY = 500

_STORED_IDS = sa.select(events.c.stream_id, events.c.stream_version, events.c.position).where(
    events.c.event_id.in_(sa.bindparam("ids", expanding=True))
)


class Appender:
    def __init__(self, engine: Engine, rows: RowCodec, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.rows = rows
        self.clock = clock
        self._sql: _AppendSql | None = None

    def append(
        self,
        conn: Connection | None,
        driver: Any,
        stream_id: str,
        expected_version: int,
        new_events: Sequence[NewEvent],
    ) -> tuple[AppendResult, list[RecordedEvent]]:
        """Append on the driver connection of a write transaction. `conn` is the same
        transaction seen through SQLAlchemy, for subject keys; None when the batch needs
        none. Returns where the batch lies and the events appended: none for a retry."""
        sql = self._append_sql()
        cursor = driver.cursor()
        try:
            cursor.execute(sql.heads, (stream_id,))
            stream_head, global_head = cursor.fetchone()
            current_version = stream_head or 0
            if current_version != expected_version:
                retried = self._stored(stream_id, new_events)
                if retried is not None:
                    return retried, []
                raise ConcurrencyError(stream_id, expected_version, current_version)
            rows, appended = self._encoded(
                conn, {}, stream_id, current_version, global_head or 0, new_events
            )
            self._insert(cursor, stream_id, rows)
        finally:
            cursor.close()
        return AppendResult(appended[-1].stream_version, appended[-1].position), appended

    def append_streams(
        self,
        conn: Connection,
        driver: Any,
        batches: Sequence[tuple[str, int, Sequence[NewEvent]]],
    ) -> tuple[list[AppendResult], list[RecordedEvent]]:
        """`append` of many streams' batches in one write transaction, stream after stream
        with the same checks, in a few statements for them all: the heads read in one query,
        the subjects' keys looked up (or made) in one, and every row inserted in one
        executemany. A stream may come more than once; it moves on between its batches."""
        versions, previous_position = self._heads(conn, {stream for stream, _, _ in batches})
        keys = self.rows.keyring.keys_to_seal(
            conn,
            {
                event.subject
                for _, _, new_events in batches
                for event in new_events
                if event.subject is not None and self.rows.is_personal(event)
            },
        )
        results, appended, rows = [], [], []
        for stream_id, expected_version, new_events in batches:
            current_version = versions.get(stream_id, 0)
            if current_version != expected_version:
                retried = self._stored(stream_id, new_events)
                if retried is None:
                    raise ConcurrencyError(stream_id, expected_version, current_version)
                results.append(retried)
                continue
            stream_rows, recorded = self._encoded(
                conn, keys, stream_id, current_version, previous_position, new_events
            )
            rows.extend(stream_rows)
            appended.extend(recorded)
            versions[stream_id] = appended[-1].stream_version
            previous_position = appended[-1].position
            results.append(AppendResult(appended[-1].stream_version, appended[-1].position))
        if rows:
            cursor = driver.cursor()
            try:
                cursor.executemany(self._append_sql().insert, rows)
            except self.engine.dialect.loaded_dbapi.IntegrityError as error:
                raise PartialRetryError(
                    "an event id of these streams' batches is stored already"
                ) from error
            finally:
                cursor.close()
        return results, appended

    def _heads(self, conn: Connection, stream_ids: set[str]) -> tuple[dict[str, int], int]:
        """The versions of those of these streams that have events, and the global head."""
        wanted = sorted(stream_ids)
        versions: dict[str, int] = {}
        for start in range(0, len(wanted), _STREAMS_PER_QUERY):
            chunk = wanted[start : start + _STREAMS_PER_QUERY]
            for stream_id, version in conn.execute(_STREAM_HEADS, {"streams": chunk}):
                versions[stream_id] = version
        return versions, conn.execute(_GLOBAL_HEAD).scalar() or 0

    def _append_sql(self) -> _AppendSql:
        if self._sql is None:
            self._sql = _AppendSql(self.engine.dialect)
        return self._sql

    def _insert(self, cursor: Any, stream_id: str, rows: Sequence[tuple[Any, ...]]) -> None:
        insert = self._append_sql().insert
        try:
            if len(rows) == 1:
                cursor.execute(insert, rows[0])
            else:
                cursor.executemany(insert, rows)
        except self.engine.dialect.loaded_dbapi.IntegrityError as error:
            raise PartialRetryError(
                f"stream {stream_id!r}: an event id of this batch is stored already"
            ) from error

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

    def _encoded(
        self,
        conn: Connection | None,
        keys: dict[str, AESGCM],
        stream_id: str,
        current_version: int,
        previous_position: int,
        new_events: Sequence[NewEvent],
    ) -> tuple[list[tuple[Any, ...]], list[RecordedEvent]]:
        """A stream's batch as stored rows and as recorded events, numbered after the
        stream's version and the log's position."""
        recorded_at = self.clock()
        encoded = [
            self._encode(
                conn,
                keys,
                event,
                stream_id,
                current_version + offset,
                previous_position + offset,
                recorded_at,
            )
            for offset, event in enumerate(new_events, start=1)
        ]
        return [row for row, _ in encoded], [event for _, event in encoded]

    def _encode(
        self,
        conn: Connection | None,
        keys: dict[str, AESGCM],
        event: NewEvent,
        stream_id: str,
        stream_version: int,
        position: int,
        recorded_at: datetime,
    ) -> tuple[tuple[Any, ...], RecordedEvent]:
        """The stored row (in ROW_COLUMNS order) and the event as readers will see it."""
        schema_version, data, sealed = self.rows.seal(conn, event, keys)
        sql = self._append_sql()
        row = (
            position,
            stream_id,
            stream_version,
            sql.event_id(event.event_id),
            event.type,
            schema_version,
            data,
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
            schema_version=schema_version,
            data=dict(event.data),
            metadata=dict(event.metadata),
            subject=event.subject,
            recorded_at=recorded_at,
        )
        return row, recorded
