"""Reading events back: one stream from a version, or everything after a global position in
global order (optionally one category's streams, or only some types) in batches, each batch
in its own short transaction."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from events.rows import ROW_COLUMNS, RowCodec
from events.schema import events_table as events
from events.streams import SEPARATOR
from events.types import RecordedEvent


class Reader:
    def __init__(self, engine: Engine, rows: RowCodec, batch_size: int) -> None:
        self.engine = engine
        self.rows = rows
        self.batch_size = batch_size

    def head(self) -> int:
        """The global position of the last event: 0 for an empty store."""
        with self._connection(None) as reader:
            return int(reader.execute(sa.select(sa.func.max(events.c.position))).scalar() or 0)

    def streams_after(self, position: int, limit: int) -> set[str] | None:
        """The streams of the events after `position`; None when there are more than `limit`
        of those events."""
        query = (
            sa.select(events.c.stream_id)
            .where(events.c.position > position)
            .order_by(events.c.position)
            .limit(limit + 1)
        )
        with self._connection(None) as reader:
            found = reader.execute(query).scalars().all()
        return None if len(found) > limit else set(found)

    def stream_version(self, stream_id: str, conn: Connection | None = None) -> int:
        query = sa.select(sa.func.max(events.c.stream_version)).where(
            events.c.stream_id == stream_id
        )
        with self._connection(conn) as reader:
            return int(reader.execute(query).scalar() or 0)

    def read_stream(
        self, stream_id: str, from_version: int, conn: Connection | None = None
    ) -> list[RecordedEvent]:
        query = (
            sa.select(*ROW_COLUMNS)
            .where(events.c.stream_id == stream_id, events.c.stream_version >= from_version)
            .order_by(events.c.stream_version)
        )
        with self._connection(conn) as reader:
            return self.rows.decode(reader, reader.execute(query).all())

    def read_from(
        self, position: int, types: Collection[str] | None, category: str | None
    ) -> Iterator[RecordedEvent]:
        """The events after `position` in global order, a batch per transaction."""
        while True:
            with self.engine.connect() as conn:
                batch = self.read_batch(conn, position, types, category=category)
            if not batch:
                return
            yield from batch
            position = batch[-1].position

    def read_batch(
        self,
        conn: Connection,
        after: int,
        types: Collection[str] | None = None,
        up_to: int | None = None,
        category: str | None = None,
    ) -> list[RecordedEvent]:
        """The next batch after position `after` (up to position `up_to`, when given)."""
        query = sa.select(*ROW_COLUMNS).where(events.c.position > after)
        if types is not None:
            query = query.where(events.c.type.in_(list(types)))
        if category is not None:
            # An exact prefix on both backends (SQLite's LIKE ignores case).
            prefix = f"{category}{SEPARATOR}"
            query = query.where(sa.func.substr(events.c.stream_id, 1, len(prefix)) == prefix)
        if up_to is not None:
            query = query.where(events.c.position <= up_to)
        query = query.order_by(events.c.position).limit(self.batch_size)
        return self.rows.decode(conn, conn.execute(query).all())

    @contextmanager
    def _connection(self, conn: Connection | None) -> Iterator[Connection]:
        """The caller's connection when it passed one, else a short one of our own."""
        if conn is not None:
            yield conn
        else:
            with self.engine.connect() as own:
                yield own
