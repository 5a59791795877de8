"""An event-sourcing kernel: an append-only event store on SQLite and PostgreSQL with
projections, upcasting of old payloads and per-subject encryption of personal data.

    store.py        EventStore: append with an expected version, read a stream, a category
                    or everything in global order; inline projections; erasure. It composes:
      writers.py      one writer at a time: BEGIN IMMEDIATE on SQLite, an advisory lock on
                      PostgreSQL; write_transaction, which every write of the service uses
      appending.py    the append: expected version, positions, insert, retries
      rows.py         an event as a stored row: personal fields sealed, opened, upcast
      reading.py      a stream, or everything after a position, in batches
      checkpoints.py  the projections' checkpoints: catch up, inline, rebuild
    streams.py      StreamName: a stream's category and id, stored as "category-id"
    types.py        NewEvent, RecordedEvent, the registry of event types and upcasting
    crypto.py       the keyring: a key per data subject, wrapped under the master key, and
                    blind indexes (keyed hashes) under keys derived from the master key
    sealing.py      SealedValues: personal data in read models, sealed under the subject's
                    key by inline projections and opened by queries; ERASED once forgotten
    projections.py  the Projection protocol
    schema.py       the kernel's tables; engine.py and migrate.py create and migrate them
    errors.py       what the store raises
"""

from events.backup import BackupError, backup, empty, restore
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
from events.migrate import revisions, upgrade
from events.projections import Projection
from events.sealing import SealedValues
from events.store import AppendResult, EventStore, metadata_of
from events.streams import StreamName
from events.types import ERASED, Erased, EventType, EventTypes, NewEvent, RecordedEvent
from events.writers import write_transaction

__all__ = [
    "ERASED",
    "AppendResult",
    "BackupError",
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
    "SealedValues",
    "StreamName",
    "SubjectForgottenError",
    "UnknownEventTypeError",
    "WrongMasterKeyError",
    "backup",
    "create_engine",
    "empty",
    "generate_master_key",
    "metadata_of",
    "restore",
    "revisions",
    "upgrade",
    "write_transaction",
]
