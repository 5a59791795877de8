"""The registry of event types and the upcasting chain, without a database."""

import pytest

import events


def test_an_old_payload_is_upcast_step_by_step() -> None:
    types = events.EventTypes()
    types.register(
        "Noted",
        version=3,
        upcasters={1: lambda d: {"body": d["text"]}, 2: lambda d: {**d, "tags": []}},
    )
    assert types.upcast("Noted", 1, {"text": "hej"}) == {"body": "hej", "tags": []}
    assert types.upcast("Noted", 2, {"body": "hej"}) == {"body": "hej", "tags": []}
    assert types.upcast("Noted", 3, {"body": "hej", "tags": ["a"]}) == {
        "body": "hej",
        "tags": ["a"],
    }


def test_a_payload_newer_than_the_registered_version_is_refused() -> None:
    types = events.EventTypes()
    types.register("Noted", version=1)
    with pytest.raises(events.MissingUpcasterError, match=r"'Noted'.*version 2 is newer"):
        types.upcast("Noted", 2, {})


def test_a_type_is_registered_once() -> None:
    types = events.EventTypes()
    types.register("Noted")
    with pytest.raises(ValueError, match="already registered"):
        types.register("Noted")
    assert "Noted" in types
    assert "Other" not in types
    with pytest.raises(events.UnknownEventTypeError, match="'Other'"):
        types.get("Other")


def test_erased_is_one_falsy_marker() -> None:
    assert events.Erased() is events.ERASED
    assert not events.ERASED
    assert str(events.ERASED) == "[erased]"


def test_the_master_key_must_be_256_bits() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        events.Keyring(b"short")
    events.Keyring(events.generate_master_key())


def test_a_blind_index_is_keyed_by_the_master_key_and_the_purpose() -> None:
    keyring = events.Keyring(events.generate_master_key())
    index = keyring.blind_index("personnummer", "198001010019")

    assert index == keyring.blind_index("personnummer", "198001010019")
    assert len(index) == 32
    assert index != keyring.blind_index("personnummer", "198001010027")
    assert index != keyring.blind_index("email", "198001010019")
    other = events.Keyring(events.generate_master_key())
    assert index != other.blind_index("personnummer", "198001010019")


def test_a_stream_name_is_a_category_and_an_id() -> None:
    name = events.StreamName.parse("case-0b6f-4e1a")
    assert (name.category, name.id) == ("case", "0b6f-4e1a")
    assert str(name) == "case-0b6f-4e1a"
    assert events.StreamName.parse("reminders-7") == events.StreamName("reminders", "7")
    for stored in ("case", "-1", "case-"):
        with pytest.raises(ValueError):
            events.StreamName.parse(stored)
    with pytest.raises(ValueError, match="holds no '-'"):
        events.StreamName("ca-se", "1")
