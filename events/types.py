"""Event values and the registry of event types, with upcasting of old payloads."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final
from uuid import UUID, uuid4

from events.errors import MissingUpcasterError, UnknownEventTypeError
from events.streams import StreamName

JSONDict = dict[str, Any]
Upcaster = Callable[[JSONDict], JSONDict]


class Erased:
    """The value a personal field reads as once its data subject has been forgotten."""

    _instance: Erased | None = None

    def __new__(cls) -> Erased:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ERASED"

    def __str__(self) -> str:
        return "[erased]"

    def __bool__(self) -> bool:
        return False


ERASED: Final = Erased()


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event about to be appended.

    `subject` names the data subject whose key encrypts the type's personal fields; it is
    required when the payload holds any of them. `metadata` carries who acted and why
    (by convention: actor, actor_group, correlation_id, causation_id).
    """

    type: str
    data: Mapping[str, Any]
    event_id: UUID = field(default_factory=uuid4)
    subject: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event as read back: `data` is decrypted and upcast to the current schema version."""

    position: int
    stream_id: str
    stream_version: int
    event_id: UUID
    type: str
    schema_version: int
    data: Mapping[str, Any]
    metadata: Mapping[str, Any]
    subject: str | None
    recorded_at: datetime

    @property
    def stream(self) -> StreamName:
        """The stream's category and id; ValueError when its name has no category."""
        return StreamName.parse(self.stream_id)


@dataclass(frozen=True, slots=True)
class EventType:
    name: str
    version: int
    personal_fields: frozenset[str]
    # upcasters[n] turns a version-n payload into a version-(n+1) payload
    upcasters: Mapping[int, Upcaster]


class EventTypes:
    """The registry of event types known to a store."""

    def __init__(self) -> None:
        self._types: dict[str, EventType] = {}

    def register(
        self,
        name: str,
        version: int = 1,
        personal: Iterable[str] = (),
        upcasters: Mapping[int, Upcaster] | None = None,
    ) -> EventType:
        if name in self._types:
            raise ValueError(f"event type {name!r} is already registered")
        if version < 1:
            raise ValueError(f"event type {name!r}: schema version must be at least 1")
        event_type = EventType(name, version, frozenset(personal), dict(upcasters or {}))
        self._types[name] = event_type
        return event_type

    def get(self, name: str) -> EventType:
        try:
            return self._types[name]
        except KeyError:
            raise UnknownEventTypeError(f"unknown event type {name!r}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def upcast(self, name: str, stored_version: int, data: JSONDict) -> JSONDict:
        event_type = self.get(name)
        if stored_version > event_type.version:
            raise MissingUpcasterError(
                f"event type {name!r}: stored schema version {stored_version} is newer than "
                f"the registered version {event_type.version}"
            )
        for version in range(stored_version, event_type.version):
            upcaster = event_type.upcasters.get(version)
            if upcaster is None:
                raise MissingUpcasterError(
                    f"event type {name!r}: no upcaster from schema version {version} "
                    f"to {version + 1}"
                )
            data = upcaster(data)
        return data
