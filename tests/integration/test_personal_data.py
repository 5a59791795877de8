"""Personal fields are encrypted per data subject; forgetting the subject erases them."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import events
from tests.integration.support import make_store, noted

NAME = "Astrid Testsson-Demo"
PERSONNUMMER = "19800101-0019"


def registered(subject: str, name: str = NAME) -> events.NewEvent:
    return events.NewEvent(
        "Registered",
        {"name": name, "personnummer": PERSONNUMMER, "kon": "kvinna"},
        subject=subject,
    )


def stored_bytes(engine: Engine) -> bytes:
    """Everything the database holds, as bytes: the file itself on SQLite, every table's
    rows on PostgreSQL."""
    if engine.dialect.name == "sqlite":
        engine.dispose()
        path = Path(str(engine.url.database))
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    with engine.connect() as conn:
        tables = ["events", "subject_keys", "projection_checkpoints"]
        return "".join(
            str(row) for table in tables for row in conn.exec_driver_sql(f"SELECT * FROM {table}")
        ).encode()


def test_personal_fields_are_never_stored_in_plaintext(engine: Engine, master_key: str) -> None:
    store = make_store(engine, master_key)
    store.append("case-1", 0, [registered("person-1")])

    assert store.read_stream("case-1")[0].data["name"] == NAME
    stored = stored_bytes(engine)
    assert NAME.encode() not in stored
    assert PERSONNUMMER.encode() not in stored
    assert b"kvinna" in stored  # fields not declared personal stay readable


def test_forgetting_a_subject_erases_their_fields_and_nothing_else(
    engine: Engine, master_key: str
) -> None:
    store = make_store(engine, master_key)
    store.append("case-1", 0, [registered("person-1"), noted("met the team")])
    store.append("case-2", 0, [registered("person-2", name="Bertil Demosson")])
    before = store.read_stream("case-1")

    store.forget("person-1")

    after = store.read_stream("case-1")
    assert after[0].data == {
        "name": events.ERASED,
        "personnummer": events.ERASED,
        "kon": "kvinna",
    }
    assert after[1] == before[1]
    assert [(e.position, e.event_id, e.type) for e in after] == [
        (e.position, e.event_id, e.type) for e in before
    ]
    assert store.read_stream("case-2")[0].data["name"] == "Bertil Demosson"
    assert NAME.encode() not in stored_bytes(engine)


def test_a_forgotten_subject_takes_no_new_personal_data(engine: Engine, master_key: str) -> None:
    store = make_store(engine, master_key)
    store.append("case-1", 0, [registered("person-1")])
    store.forget("person-1")

    with pytest.raises(events.SubjectForgottenError):
        store.append("case-1", 1, [registered("person-1")])
    assert store.stream_version("case-1") == 1


def test_append_many_seals_each_subjects_fields_under_their_key(
    engine: Engine, master_key: str
) -> None:
    store = make_store(engine, master_key)
    store.append("case-1", 0, [registered("person-1")])
    store.forget("person-1")

    with store.transaction() as conn:
        store.append_many(
            [
                ("case-2", 0, [registered("person-2"), noted("met")]),
                ("case-3", 0, [registered("person-3", name="Bertil Demosson")]),
                ("case-2", 2, [registered("person-2", name="Astrid Ny")]),
            ],
            conn,
        )
    assert [e.data["name"] for e in store.read_stream("case-2")[::2]] == [NAME, "Astrid Ny"]
    assert store.read_stream("case-3")[0].data["name"] == "Bertil Demosson"
    assert NAME.encode() not in stored_bytes(engine)
    store.forget("person-2")
    assert store.read_stream("case-2")[0].data["name"] == events.ERASED
    assert store.read_stream("case-3")[0].data["name"] == "Bertil Demosson"

    with pytest.raises(events.SubjectForgottenError), store.transaction() as conn:
        store.append_many(
            [("case-4", 0, [noted("x")]), ("case-1", 1, [registered("person-1")])], conn
        )
    with pytest.raises(events.MissingSubjectError), store.transaction() as conn:
        store.append_many([("case-4", 0, [events.NewEvent("Registered", {"name": NAME})])], conn)
    assert store.stream_version("case-4") == 0 and store.stream_version("case-1") == 1


def test_personal_fields_need_a_subject(engine: Engine, master_key: str) -> None:
    store = make_store(engine, master_key)
    with pytest.raises(events.MissingSubjectError):
        store.append("case-1", 0, [events.NewEvent("Registered", {"name": NAME})])
    assert store.read_stream("case-1") == []


def test_another_master_key_cannot_read_the_subject_keys(engine: Engine, master_key: str) -> None:
    make_store(engine, master_key).append("case-1", 0, [registered("person-1")])
    intruder = make_store(engine, events.generate_master_key())
    with pytest.raises(events.WrongMasterKeyError):
        intruder.read_stream("case-1")


def test_subject_keys_are_stored_wrapped(engine: Engine, master_key: str) -> None:
    make_store(engine, master_key).append("case-1", 0, [registered("person-1")])
    with engine.connect() as conn:
        wrapped = conn.execute(sa.text("SELECT wrapped_key FROM subject_keys")).scalar_one()
    assert len(wrapped) == 12 + 32 + 16  # nonce, key, authentication tag
