"""Event types, a read model and helpers shared by the store tests."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

import events

notes = sa.Table(
    "test_notes",
    sa.MetaData(),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("stream_id", sa.String(100), nullable=False),
    sa.Column("text", sa.String(200), nullable=False),
)


class NotesProjection:
    name = "test_notes"
    tables = (notes,)

    def __init__(self, fail_on: str | None = None) -> None:
        self.fail_on = fail_on

    def apply(self, conn: Connection, batch: Sequence[events.RecordedEvent]) -> None:
        for event in batch:
            if event.data.get("text") == self.fail_on:
                raise RuntimeError("projection failed")
            conn.execute(
                notes.insert().values(
                    position=event.position, stream_id=event.stream_id, text=event.data["text"]
                )
            )


def event_types() -> events.EventTypes:
    types = events.EventTypes()
    types.register("Noted")
    types.register("Registered", personal=["name", "personnummer"])
    return types


def noted(text: str, event_id: uuid.UUID | None = None) -> events.NewEvent:
    return events.NewEvent("Noted", {"text": text}, event_id=event_id or uuid.uuid4())


def make_store(engine: Engine, master_key: str, **kwargs: object) -> events.EventStore:
    return events.EventStore(engine, event_types(), events.Keyring(master_key), **kwargs)  # type: ignore[arg-type]


def note_rows(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.select(notes).order_by(notes.c.position))]
