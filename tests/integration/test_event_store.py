"""The event store on SQLite and PostgreSQL: appends, conflicts, retries, reading."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC

import pytest
from sqlalchemy.engine import Engine

import events
from tests.integration.support import NotesProjection, make_store, note_rows, noted, notes


@pytest.fixture
def store(engine: Engine, master_key: str) -> events.EventStore:
    return make_store(engine, master_key)


def test_appended_events_read_back_in_order_with_metadata(store: events.EventStore) -> None:
    meta = events.metadata_of(actor="user-1", actor_group="AF", correlation_id=uuid.uuid4())
    first = store.append("case-1", 0, [events.NewEvent("Noted", {"text": "a"}, metadata=meta)])
    second = store.append("case-1", 1, [noted("b"), noted("c")])
    store.append("case-2", 0, [noted("other")])

    assert (first.stream_version, second.stream_version) == (1, 3)
    read = store.read_stream("case-1")
    assert [e.data["text"] for e in read] == ["a", "b", "c"]
    assert [e.stream_version for e in read] == [1, 2, 3]
    assert [e.position for e in read] == [1, 2, 3]
    assert read[0].metadata == meta
    assert read[0].recorded_at.tzinfo == UTC
    assert [e.data["text"] for e in store.read_stream("case-1", from_version=3)] == ["c"]
    assert store.stream_version("case-1") == 3
    assert store.stream_version("never") == 0


def test_the_streams_after_a_position_are_named_up_to_a_limit(store: events.EventStore) -> None:
    store.append("case-1", 0, [noted("a")])
    drawn = store.head()
    assert store.streams_after(drawn, 10) == set()
    store.append("case-2", 0, [noted("b"), noted("c")])
    store.append("case-1", 1, [noted("d")])
    assert store.streams_after(drawn, 3) == {"case-1", "case-2"}
    assert store.streams_after(drawn, 2) is None  # more than two events since


def test_wrong_expected_version_raises_conflict_and_writes_nothing(
    store: events.EventStore,
) -> None:
    store.append("case-1", 0, [noted("a")])
    with pytest.raises(events.ConcurrencyError) as raised:
        store.append("case-1", 0, [noted("b")])
    assert (raised.value.expected_version, raised.value.actual_version) == (0, 1)
    assert [e.data["text"] for e in store.read_stream("case-1")] == ["a"]


def test_a_retried_append_is_a_no_op_that_reports_success(store: events.EventStore) -> None:
    batch = [noted("a"), noted("b")]
    first = store.append("case-1", 0, batch)
    store.append("case-1", 2, [noted("c")])

    retried = store.append("case-1", 0, batch)

    assert retried == first
    assert [e.data["text"] for e in store.read_stream("case-1")] == ["a", "b", "c"]


def test_a_batch_mixing_stored_and_new_events_is_refused(store: events.EventStore) -> None:
    stored = noted("a")
    store.append("case-1", 0, [stored])
    with pytest.raises(events.PartialRetryError):
        store.append("case-1", 0, [stored, noted("b")])
    with pytest.raises(events.PartialRetryError):
        store.append("case-2", 0, [stored])
    assert store.stream_version("case-2") == 0
    # The refused batch was rolled back on the writer's own connection, which goes on.
    store.append("case-2", 0, [noted("c")])
    assert [e.data["text"] for e in store.read_stream("case-2")] == ["c"]


def test_a_batch_commits_whole_or_not_at_all(store: events.EventStore) -> None:
    with pytest.raises(events.UnknownEventTypeError, match="'Unheard'"):
        store.append("case-1", 0, [noted("a"), events.NewEvent("Unheard", {}), noted("b")])
    assert store.read_stream("case-1") == []


def test_a_failing_inline_projection_rolls_the_append_back(engine: Engine, master_key: str) -> None:
    with engine.begin() as conn:
        notes.create(conn)
    store = make_store(engine, master_key, inline_projections=[NotesProjection(fail_on="bad")])
    store.append("case-1", 0, [noted("good")])

    with pytest.raises(RuntimeError):
        store.append("case-1", 1, [noted("fine"), noted("bad")])

    assert [e.data["text"] for e in store.read_stream("case-1")] == ["good"]
    assert [row[2] for row in note_rows(engine)] == ["good"]


def test_append_joins_the_callers_transaction(store: events.EventStore) -> None:
    with pytest.raises(RuntimeError), store.transaction() as conn:
        store.append("case-1", 0, [noted("a")], conn=conn)
        raise RuntimeError("the caller's own write failed")
    assert store.read_stream("case-1") == []

    with store.transaction() as conn:
        store.append("case-1", 0, [noted("a")], conn=conn)
        store.append("case-2", 0, [noted("b")], conn=conn)
    assert [e.position for e in store.read_all()] == [1, 2]


def test_append_many_checks_each_stream_as_append_does(engine: Engine, master_key: str) -> None:
    """The bulk path: every stream's expected version, a stream twice in one call, a
    retried batch recognised by its event ids, the inline projections over everything."""
    with engine.begin() as conn:
        notes.create(conn)
    store = make_store(engine, master_key, inline_projections=[NotesProjection()])
    earlier = [noted("a")]
    first = store.append("case-1", 0, earlier)

    with store.transaction() as conn:
        results = store.append_many(
            [
                ("case-2", 0, [noted("b"), noted("c")]),
                ("case-1", 1, [noted("d")]),
                ("case-2", 2, [noted("e")]),
                ("case-1", 0, earlier),  # a retry: written before, nothing new
            ],
            conn,
        )

    assert [(r.stream_version, r.position) for r in results] == [(2, 3), (2, 4), (3, 5), (1, 1)]
    assert results[3] == first
    assert [(e.stream_id, e.stream_version, e.position) for e in store.read_all()] == [
        ("case-1", 1, 1),
        ("case-2", 1, 2),
        ("case-2", 2, 3),
        ("case-1", 2, 4),
        ("case-2", 3, 5),
    ]
    assert [row[2] for row in note_rows(engine)] == ["a", "b", "c", "d", "e"]

    for stale in (("case-3", 0, [noted("f")]), ("case-1", 1, [noted("g")])):
        with pytest.raises(events.ConcurrencyError), store.transaction() as conn:
            store.append_many([("case-3", 0, [noted("f")]), stale], conn)
    with pytest.raises(events.PartialRetryError), store.transaction() as conn:
        store.append_many([("case-3", 0, [noted("h")]), ("case-4", 0, earlier)], conn)
    twice = noted("i")  # one event id in two streams' batches
    with pytest.raises(events.PartialRetryError), store.transaction() as conn:
        store.append_many([("case-3", 0, [twice]), ("case-4", 0, [twice])], conn)
    assert store.head() == 5 and store.stream_version("case-3") == 0


def test_read_all_follows_the_global_position_in_batches(engine: Engine, master_key: str) -> None:
    store = make_store(engine, master_key, batch_size=3)
    for i in range(10):
        store.append(f"case-{i % 3}", i // 3, [noted(str(i))])
    store.append("person-1", 0, [events.NewEvent("Registered", {"name": "x"}, subject="p1")])

    everything = list(store.read_all())
    assert [e.position for e in everything] == list(range(1, 12))
    assert [e.data["text"] for e in store.read_all(from_position=8, types=["Noted"])] == [
        "8",
        "9",
    ]
    assert [e.type for e in store.read_all(types=["Registered"])] == ["Registered"]


def test_a_stream_named_by_category_and_id_is_stored_as_category_dash_id(
    store: events.EventStore,
) -> None:
    name = events.StreamName("case", "3f2c-11")
    store.append(name, 0, [noted("a")])
    store.append("case-3f2c-11", 1, [noted("b")])

    assert store.stream_version(name) == 2
    read = store.read_stream(name)
    assert [e.stream_id for e in read] == ["case-3f2c-11", "case-3f2c-11"]
    assert [e.stream_id for e in store.read_all()] == ["case-3f2c-11", "case-3f2c-11"]
    assert read[0].stream == name
    assert (read[1].stream.category, read[1].stream.id) == ("case", "3f2c-11")


def test_a_category_reads_its_streams_in_global_order(engine: Engine, master_key: str) -> None:
    store = make_store(engine, master_key, batch_size=2)
    for stream in ("case-1", "reminders-1", "case-2", "caseload-1", "Case-3", "case-1"):
        store.append(stream, store.stream_version(stream), [noted(stream)])
    store.append("case-2", 1, [events.NewEvent("Registered", {"name": "x"}, subject="p1")])

    assert [(e.position, e.stream_id) for e in store.read_category("case")] == [
        (1, "case-1"),
        (3, "case-2"),
        (6, "case-1"),
        (7, "case-2"),
    ]
    assert [e.position for e in store.read_category("case", from_position=3)] == [6, 7]
    assert [e.position for e in store.read_category("case", types=["Registered"])] == [7]
    assert [e.stream.id for e in store.read_category("reminders")] == ["1"]
    with pytest.raises(ValueError, match="category"):
        store.read_category("case-1")


def test_twenty_concurrent_writers_on_one_stream_leave_no_gap_or_duplicate(
    store: events.EventStore,
) -> None:
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(20)

    def writer(number: int) -> None:
        start.wait()
        for attempt in range(5):
            version = store.stream_version("case-1")
            try:
                store.append("case-1", version, [noted(f"{number}-{attempt}")])
                outcome = "committed"
            except events.ConcurrencyError:
                outcome = "conflict"
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    stream = store.read_stream("case-1")
    assert len(outcomes) == 100
    assert outcomes.count("committed") == len(stream) > 0
    assert [e.stream_version for e in stream] == list(range(1, len(stream) + 1))
    assert len({e.data["text"] for e in stream}) == len(stream)
    assert [e.position for e in store.read_all()] == list(range(1, len(stream) + 1))
