"""Projections: inline in the append's transaction, catch-up from a checkpoint, rebuild."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.integration.support import (
    NotesProjection,
    make_store,
    note_rows,
    noted,
    notes,
)


@pytest.fixture(autouse=True)
def notes_table(engine: Engine) -> None:
    with engine.begin() as conn:
        notes.create(conn)


def test_an_inline_projection_shows_the_append_at_once(engine: Engine, master_key: str) -> None:
    projection = NotesProjection()
    store = make_store(engine, master_key, inline_projections=[projection])

    store.append("case-1", 0, [noted("a"), noted("b")])

    assert note_rows(engine) == [(1, "case-1", "a"), (2, "case-1", "b")]
    assert store.checkpoint(projection) == 2


def test_an_inline_projection_added_later_catches_up_before_its_first_batch(
    engine: Engine, master_key: str
) -> None:
    make_store(engine, master_key).append("case-1", 0, [noted("before")])
    store = make_store(engine, master_key, inline_projections=[NotesProjection()])

    store.append("case-1", 1, [noted("after")])

    assert [row[2] for row in note_rows(engine)] == ["before", "after"]


def test_a_catch_up_projection_reads_from_its_checkpoint(engine: Engine, master_key: str) -> None:
    store = make_store(engine, master_key, batch_size=2)
    projection = NotesProjection()
    for i in range(5):
        store.append("case-1", i, [noted(str(i))])

    assert store.catch_up(projection) == 5
    store.append("case-1", 5, [noted("5")])
    assert store.catch_up(projection) == 1
    assert store.catch_up(projection) == 0

    assert [row[2] for row in note_rows(engine)] == ["0", "1", "2", "3", "4", "5"]
    assert store.checkpoint(projection) == 6


def test_a_rebuilt_read_model_equals_the_live_one(engine: Engine, master_key: str) -> None:
    projection = NotesProjection()
    store = make_store(engine, master_key, inline_projections=[projection], batch_size=7)
    for i in range(40):
        store.append(f"case-{i % 6}", i // 6, [noted(f"note {i}")])
    live = note_rows(engine)
    with engine.begin() as conn:  # the read model drifts: a row lost, a row damaged
        conn.execute(notes.delete().where(notes.c.position == 3))
        conn.execute(notes.update().where(notes.c.position == 5).values(text="damaged"))

    assert store.rebuild(projection) == 40

    assert note_rows(engine) == live
    assert store.checkpoint(projection) == 40
    store.append("case-0", 7, [noted("after rebuild")])
    assert note_rows(engine)[-1] == (41, "case-0", "after rebuild")


def test_a_failing_rebuild_leaves_the_live_read_model(engine: Engine, master_key: str) -> None:
    store = make_store(engine, master_key, inline_projections=[NotesProjection()])
    store.append("case-1", 0, [noted("a"), noted("poison"), noted("c")])
    live = note_rows(engine)

    with pytest.raises(RuntimeError):
        store.rebuild(NotesProjection(fail_on="poison"))

    assert note_rows(engine) == live
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(notes)).scalar() == 3
