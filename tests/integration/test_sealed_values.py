"""Read-model values sealed under their data subject's key."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from sqlalchemy.engine import Engine

import events
from events.schema import subject_keys_table as subject_keys
from tests.integration.support import make_store

PLAN = {"goals": ["Praktik i handeln"], "review_on": "2027-01-15"}


def sealed_for(engine: Engine, master_key: str, subject: str, *values: object) -> list[bytes]:
    with engine.begin() as conn:
        sealer = events.SealedValues(events.Keyring(master_key), conn)
        return [sealer.seal(subject, value) for value in values]


def opened(
    engine: Engine, master_key: str, subject: str, sealed: Sequence[bytes | None]
) -> list[object]:
    with engine.connect() as conn:
        opener = events.SealedValues(events.Keyring(master_key), conn)
        return [opener.open(subject, value) for value in sealed]


def test_a_sealed_value_opens_as_it_was_and_is_not_stored_in_plaintext(
    engine: Engine, master_key: str
) -> None:
    values = ("Astrid Testsson-Demo", PLAN, None, "")
    sealed = sealed_for(engine, master_key, "person-1", *values)

    assert all(b"Astrid" not in s and b"Praktik" not in s for s in sealed)
    assert opened(engine, master_key, "person-1", sealed) == list(values)
    assert opened(engine, master_key, "person-1", [None]) == [None]  # a column never written


def test_a_value_is_bound_to_its_subject(engine: Engine, master_key: str) -> None:
    sealed_for(engine, master_key, "person-2", "")
    sealed = sealed_for(engine, master_key, "person-1", "Astrid")
    with pytest.raises(InvalidTag):
        opened(engine, master_key, "person-2", sealed)


def test_forgetting_the_subject_erases_every_sealed_copy_without_a_new_key(
    engine: Engine, master_key: str
) -> None:
    sealed = sealed_for(engine, master_key, "person-1", "Astrid", PLAN, None)
    kept = sealed_for(engine, master_key, "person-2", "Bertil")
    make_store(engine, master_key).forget("person-1")

    assert opened(engine, master_key, "person-1", sealed) == [events.ERASED] * 3
    assert opened(engine, master_key, "person-2", kept) == ["Bertil"]
    # a projection replaying the subject's events seals nothing for them, and makes no key
    again = sealed_for(engine, master_key, "person-1", "")
    assert opened(engine, master_key, "person-1", again) == [events.ERASED]
    with engine.connect() as conn:
        wrapped = conn.execute(
            sa.select(subject_keys.c.wrapped_key).where(subject_keys.c.subject == "person-1")
        ).scalar_one()
    assert wrapped is None


def test_many_subjects_keys_are_loaded_at_once(engine: Engine, master_key: str) -> None:
    subjects = [f"person-{n}" for n in range(3)]
    sealed = {s: sealed_for(engine, master_key, s, s.upper())[0] for s in subjects}
    make_store(engine, master_key).forget("person-2")
    with engine.connect() as conn:
        opener = events.SealedValues(events.Keyring(master_key), conn)
        opener.load([*subjects, "never-seen"])
        assert [opener.open(s, sealed[s]) for s in subjects] == [
            "PERSON-0",
            "PERSON-1",
            events.ERASED,
        ]
