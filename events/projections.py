"""Projections turn events into read-model tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from events.types import RecordedEvent


class Projection(Protocol):
    """Keeps read-model tables up to date from events.

    `apply` receives events in global order, in batches, inside the transaction that also
    moves the projection's checkpoint, so a read model is never ahead of or behind its
    checkpoint. `tables` are the tables the projection owns: a rebuild empties them (in
    reverse order, so children go before parents) and replays every event from position zero.

    A projection whose rows also follow something that is not an event (another context's
    table) may have two more methods, for a rebuild beside the live read model:
    `before_rebuild(conn) -> noted`, called before the build, and `settle(conn, noted)`,
    called in the swap's transaction to bring in what changed meanwhile.
    """

    @property
    def name(self) -> str: ...

    @property
    def tables(self) -> Sequence[sa.Table]: ...

    def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None: ...
