"""An event-sourcing kernel: an append-only event store on SQLite and PostgreSQL with
projections, upcasting of old payloads and per-subject encryption of personal data."""

from events.crypto import Keyring, generate_master_key
from events.engine import create_engine
from events.errors import (
    ConcurrencyError,
    EventStoreError,
    MissingSubjectError,
    MissingUpcasterError,
    PartialRetryError,
    SubjectForgottenError,
    UnknownEventTypeError,
    WrongMasterKeyError,
)
from events.migrate import upgrade
from events.projections import Projection
from events.store import AppendResult, EventStore, metadata_of
from events.types import ERASED, Erased, EventType, EventTypes, NewEvent, RecordedEvent

__all__ = [
    "ERASED",
    "AppendResult",
    "ConcurrencyError",
    "Erased",
    "EventStore",
    "EventStoreError",
    "EventType",
    "EventTypes",
    "Keyring",
    "MissingSubjectError",
    "MissingUpcasterError",
    "NewEvent",
    "PartialRetryError",
    "Projection",
    "RecordedEvent",
    "SubjectForgottenError",
    "UnknownEventTypeError",
    "WrongMasterKeyError",
    "create_engine",
    "generate_master_key",
    "metadata_of",
    "upgrade",
]
