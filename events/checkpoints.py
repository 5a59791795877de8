"""Running projections: each keeps a checkpoint, the global position of the last event it
applied, moved in the same transaction as its read-model tables.

An inline projection follows each append in the append's transaction; one that is new or
behind catches up first. These functions run inside a write transaction the store holds.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from events.projections import Projection
from events.reading import Reader
from events.schema import checkpoints_table as checkpoints
from events.types import RecordedEvent

_MOVE_CHECKPOINT = (
    sa.update(checkpoints)
    .where(checkpoints.c.name == sa.bindparam("projection"))
    .where(checkpoints.c.position == sa.bindparam("previous"))
    .values(position=sa.bindparam("current"))
)


def checkpoint(conn: Connection, name: str) -> int:
    """The projection's checkpoint; a new projection starts at zero."""
    position = conn.execute(
        sa.select(checkpoints.c.position).where(checkpoints.c.name == name)
    ).scalar_one_or_none()
    if position is None:
        conn.execute(sa.insert(checkpoints).values(name=name, position=0))
        return 0
    return int(position)


def catch_up(
    conn: Connection, projection: Projection, reader: Reader, up_to: int | None = None
) -> int:
    """Apply the events after the checkpoint (up to position `up_to`); returns how many."""
    position = checkpoint(conn, projection.name)
    applied = 0
    while batch := reader.read_batch(conn, position, up_to=up_to):
        projection.apply(conn, batch)
        applied += len(batch)
        position = batch[-1].position
    set_checkpoint(conn, projection, position)
    return applied


def apply_inline(
    conn: Connection,
    projection: Projection,
    reader: Reader,
    recorded: Sequence[RecordedEvent],
) -> None:
    """Apply a batch just appended, moving the checkpoint with it."""
    previous_position = recorded[0].position - 1  # the batch's positions are gapless
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
        catch_up(conn, projection, reader, up_to=previous_position)
        set_checkpoint(conn, projection, recorded[-1].position)
    projection.apply(conn, recorded)


def reset(conn: Connection, projection: Projection) -> None:
    """Empty the projection's tables and move its checkpoint back to zero."""
    for table in reversed(projection.tables):
        conn.execute(table.delete())
    set_checkpoint(conn, projection, 0)


def set_checkpoint(conn: Connection, projection: Projection, position: int) -> None:
    checkpoint(conn, projection.name)  # a projection new to this store gets its row
    conn.execute(
        sa.update(checkpoints)
        .where(checkpoints.c.name == projection.name)
        .values(position=position)
    )
