"""Whatever is appended reads back the same, whichever schema version wrote it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

import events
from events.types import JSONDict


def text_to_body(data: JSONDict) -> JSONDict:
    data = dict(data)
    data["body"] = data.pop("text")
    return data


def with_tags(data: JSONDict) -> JSONDict:
    return {**data, "tags": []}


UPCASTERS = {1: text_to_body, 2: with_tags}


def types_at(version: int) -> events.EventTypes:
    types = events.EventTypes()
    types.register("Noted", version=version, personal=["who"], upcasters=UPCASTERS)
    return types


def payload_at(version: int, text: str, count: int, who: str | None) -> JSONDict:
    data: JSONDict = {"text" if version == 1 else "body": text, "count": count}
    if version == 3:
        data["tags"] = [text[:3]]
    if who is not None:
        data["who"] = who
    return data


def current(version: int, data: JSONDict) -> JSONDict:
    for step in range(version, 3):
        data = UPCASTERS[step](data)
    return data


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20))
appends = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=2),  # which stream
        st.integers(min_value=1, max_value=3),  # schema version of the writer
        st.text(max_size=30),
        st.integers(min_value=-(2**53), max_value=2**53),
        st.one_of(st.none(), st.text(min_size=1, max_size=20)),  # a personal field
        st.dictionaries(st.sampled_from(["actor", "actor_group"]), st.text(max_size=10)),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=appends)
def test_append_then_read_round_trips_through_upcasting(
    engine: Engine, master_key: str, batch: list[tuple[Any, ...]]
) -> None:
    keyring = events.Keyring(master_key)
    writers = {v: events.EventStore(engine, types_at(v), keyring) for v in (1, 2, 3)}
    reader = writers[3]
    streams = [f"stream-{uuid.uuid4()}" for _ in range(3)]
    expected: dict[str, list[tuple[JSONDict, dict[str, str]]]] = {s: [] for s in streams}
    start = max((e.position for e in reader.read_all()), default=0)

    for stream_index, version, text, count, who, meta in batch:
        stream = streams[stream_index]
        data = payload_at(version, text, count, who)
        event = events.NewEvent("Noted", data, subject="subject-1", metadata=meta)
        writers[version].append(stream, len(expected[stream]), [event])
        expected[stream].append((current(version, data), meta))

    for stream in streams:
        read = reader.read_stream(stream)
        assert [(e.data, e.metadata) for e in read] == expected[stream]
        assert all(e.schema_version == 3 for e in read)
    read_all = list(reader.read_all(from_position=start))
    assert [e.position for e in read_all] == list(range(start + 1, start + len(batch) + 1))


def test_an_unknown_type_is_named(engine: Engine, master_key: str) -> None:
    keyring = events.Keyring(master_key)
    events.EventStore(engine, types_at(1), keyring).append(
        "stream-1", 0, [events.NewEvent("Noted", payload_at(1, "a", 1, None))]
    )
    with pytest.raises(events.UnknownEventTypeError, match="'Noted'"):
        events.EventStore(engine, events.EventTypes(), keyring).read_stream("stream-1")


def test_a_missing_upcaster_is_named(engine: Engine, master_key: str) -> None:
    keyring = events.Keyring(master_key)
    events.EventStore(engine, types_at(1), keyring).append(
        "stream-1", 0, [events.NewEvent("Noted", payload_at(1, "a", 1, None))]
    )
    gap = events.EventTypes()
    gap.register("Noted", version=3, upcasters={2: with_tags})
    with pytest.raises(events.MissingUpcasterError, match=r"'Noted'.*from schema version 1 to 2"):
        events.EventStore(engine, gap, keyring).read_stream("stream-1")
