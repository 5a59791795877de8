"""The append-only event store: `EventStore`, the kernel's one entry point.

It composes the parts: the writer discipline per dialect (writers.py), the append with its
expected version and retries (appending.py), events as stored rows with their personal
fields sealed (rows.py), the reads (reading.py) and the projections' checkpoints
(checkpoints.py).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy.engine import Connection, Engine

from events import checkpoints, rebuilding
from events.appending import Appender, AppendResult
from events.crypto import Keyring
from events.projections import Projection
from events.reading import Reader
from events.rows import RowCodec
from events.streams import StreamName, check_category
from events.types import EventTypes, NewEvent, RecordedEvent
from events.writers import Writers

# AppendResult is defined with the append and belongs to the store's API.
__all__ = ["AppendResult", "Clock", "EventStore", "Stream", "metadata_of", "utc_now"]

Clock = Callable[[], datetime]

# A stream is named by its stored string or by its category and id.
Stream = str | StreamName


def utc_now() -> datetime:
    return datetime.now(UTC)


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
        self._rows = RowCodec(types, keyring)
        self._writers = Writers(engine)
        self._appender = Appender(engine, self._rows, clock)
        self._reader = Reader(engine, self._rows, batch_size)

    # -- writing -------------------------------------------------------------------------

    def transaction(self) -> AbstractContextManager[Connection]:
        """A write transaction holding the store's single writer lock.

        Appends made with `conn=` inside it commit together with whatever else the caller
        writes on the same connection (an outbox row, say), or not at all.
        """
        return self._writers.transaction()

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
            return self._append_in_transaction(conn, stream_id, expected_version, new_events)
        if self.inline_projections or any(self._rows.is_personal(e) for e in new_events):
            with self.transaction() as own:
                return self._append_in_transaction(own, stream_id, expected_version, new_events)
        # Nothing but the insert: straight on the driver's connection.
        result, _ = self._writers.on_driver(
            lambda driver: self._appender.append(
                None, driver, stream_id, expected_version, new_events
            )
        )
        return result

    def append_many(
        self, batches: Sequence[tuple[Stream, int, Sequence[NewEvent]]], conn: Connection
    ) -> list[AppendResult]:
        """Append several streams' batches in the caller's transaction, then run the inline
        projections once over everything appended: the bulk path (an import, a large seed),
        with the same checks and read models as one `append` per stream."""
        if any(not new_events for _, _, new_events in batches):
            raise ValueError("nothing to append")
        results, appended = self._appender.append_streams(
            conn,
            conn.connection.driver_connection,
            [
                (str(stream), expected_version, new_events)
                for stream, expected_version, new_events in batches
            ],
        )
        if appended:
            for projection in self.inline_projections:
                checkpoints.apply_inline(conn, projection, self._reader, appended)
        return results

    def _append_in_transaction(
        self,
        conn: Connection,
        stream_id: str,
        expected_version: int,
        new_events: Sequence[NewEvent],
    ) -> AppendResult:
        """The append in the caller's transaction, followed by the inline projections."""
        driver = conn.connection.driver_connection
        result, appended = self._appender.append(
            conn, driver, stream_id, expected_version, new_events
        )
        if appended:
            for projection in self.inline_projections:
                checkpoints.apply_inline(conn, projection, self._reader, appended)
        return result

    # -- reading -------------------------------------------------------------------------

    def head(self) -> int:
        """The global position of the last event (0 when there is none): what changes
        whenever anything is appended."""
        return self._reader.head()

    def streams_after(self, position: int, limit: int) -> set[str] | None:
        """The ids of the streams appended to after `position` (a `head()` read earlier), or
        None when more than `limit` events were appended since: what a reader asks to tell
        whether what it drew at `position` is still as drawn, without reading the events."""
        return self._reader.streams_after(position, limit)

    def stream_version(self, stream: Stream, conn: Connection | None = None) -> int:
        """The stream's version; pass the connection of a `transaction()` to read it there."""
        return self._reader.stream_version(str(stream), conn)

    def read_stream(
        self, stream: Stream, from_version: int = 1, conn: Connection | None = None
    ) -> list[RecordedEvent]:
        return self._reader.read_stream(str(stream), from_version, conn)

    def read_all(
        self, from_position: int = 0, types: Collection[str] | None = None
    ) -> Iterator[RecordedEvent]:
        """Events after `from_position` in global order (optionally only of `types`),
        read in batches of `batch_size`, each batch in its own short transaction."""
        return self._reader.read_from(from_position, types, None)

    def read_category(
        self, category: str, from_position: int = 0, types: Collection[str] | None = None
    ) -> Iterator[RecordedEvent]:
        """The events of every stream of `category` after `from_position`, in global order
        (optionally only of `types`), read in batches like `read_all`."""
        return self._reader.read_from(from_position, types, check_category(category))

    # -- projections ---------------------------------------------------------------------

    def checkpoint(self, projection: Projection) -> int:
        with self.engine.connect() as conn:
            return checkpoints.checkpoint(conn, projection.name)

    def catch_up(self, projection: Projection) -> int:
        """Apply the events after the projection's checkpoint; returns how many."""
        with self.transaction() as conn:
            return checkpoints.catch_up(conn, projection, self._reader)

    def rebuild(self, projection: Projection) -> int:
        """Replay every event into a new read model built beside the live one, then swap it
        in (events/rebuilding.py): pages read the old one and forms append meanwhile, and
        wait only for the swap. Returns how many events the new read model was built from."""
        database = self.engine.url.database
        if self.engine.dialect.name == "postgresql":
            return rebuilding.rebuild_beside_postgresql(
                self.engine, self._reader, projection, self.transaction
            )
        if database in (None, "", ":memory:"):
            return self.rebuild_in_place(projection)

        def in_the_copy(copy: Engine) -> int:
            beside = EventStore(
                copy, self.types, self.keyring, (projection,), self.clock, self.batch_size
            )
            return beside.rebuild_in_place(projection)

        return rebuilding.rebuild_beside_sqlite(self.engine, self._reader, projection, in_the_copy)

    def rebuild_in_place(self, projection: Projection) -> int:
        """Empty the projection's tables and replay every event from position zero, in one
        transaction under the writer lock: readers see the old read model until the new one
        is complete, and every append waits until then."""
        with self.transaction() as conn:
            checkpoints.reset(conn, projection)
            return checkpoints.catch_up(conn, projection, self._reader)

    # -- erasure -------------------------------------------------------------------------

    def forget(self, subject: str, conn: Connection | None = None) -> None:
        """Delete the subject's key: their personal fields read as ERASED from now on. With
        `conn`, in the caller's write transaction (beside the append that records why)."""
        if conn is not None:
            self.keyring.forget(conn, subject)
            return
        with self.transaction() as own:
            self.keyring.forget(own, subject)


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
