"""An event as a stored row and back.

On the way in, the fields an event type declares personal leave the plain JSON data and are
sealed under the data subject's key. On the way out they are opened again, or read as
ERASED when the subject's key is gone, and old payloads are upcast to the current schema.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.engine import Connection

from events.crypto import Keyring, decrypt_fields, encrypt_fields, personal_field_names
from events.errors import MissingSubjectError
from events.schema import events_table as events
from events.types import ERASED, EventTypes, NewEvent, RecordedEvent

# The columns of a stored event, in the order appends write them and reads select them.
ROW_COLUMNS = (
    events.c.position,
    events.c.stream_id,
    events.c.stream_version,
    events.c.event_id,
    events.c.type,
    events.c.schema_version,
    events.c.data,
    events.c.metadata,
    events.c.subject,
    events.c.personal,
    events.c.recorded_at,
)


class RowCodec:
    def __init__(self, types: EventTypes, keyring: Keyring) -> None:
        self.types = types
        self.keyring = keyring

    def is_personal(self, event: NewEvent) -> bool:
        """Whether the event carries personal fields (its append needs the subject's key)."""
        return not self.types.get(event.type).personal_fields.isdisjoint(event.data)

    def seal(
        self, conn: Connection | None, event: NewEvent, keys: dict[str, AESGCM]
    ) -> tuple[int, str, str | None]:
        """The event's schema version, its plain data as JSON, and its personal fields
        sealed under the subject's key (None when it carries none). `keys` holds the
        subjects' keys already looked up in this transaction."""
        event_type = self.types.get(event.type)
        data = dict(event.data)
        personal = {name: data.pop(name) for name in event_type.personal_fields if name in data}
        sealed = None
        if personal:
            if event.subject is None:
                raise MissingSubjectError(
                    f"event type {event.type!r} carries personal fields but names no subject"
                )
            assert conn is not None, "personal data is appended through SQLAlchemy"
            key = keys.get(event.subject)
            if key is None:
                key = self.keyring.subject_key(conn, event.subject, create=True)
                assert key is not None
                keys[event.subject] = key
            sealed = encrypt_fields(key, personal, event.event_id.bytes)
        return event_type.version, json.dumps(data), sealed

    def decode(self, conn: Connection, rows: Sequence[Any]) -> list[RecordedEvent]:
        """The events of rows selected as ROW_COLUMNS, as readers see them."""
        subject_keys: dict[str, AESGCM | None] = {}
        decoded = []
        for row in rows:
            data = json.loads(row.data)
            if row.personal is not None:
                if row.subject not in subject_keys:
                    subject_keys[row.subject] = self.keyring.subject_key(
                        conn, row.subject, create=False
                    )
                data.update(_opened(subject_keys[row.subject], row))
            event_type = self.types.get(row.type)
            if row.schema_version != event_type.version:
                data = self.types.upcast(row.type, row.schema_version, data)
            decoded.append(
                RecordedEvent(
                    position=row.position,
                    stream_id=row.stream_id,
                    stream_version=row.stream_version,
                    event_id=row.event_id,
                    type=row.type,
                    schema_version=event_type.version,
                    data=data,
                    metadata=json.loads(row.metadata),
                    subject=row.subject,
                    recorded_at=row.recorded_at,
                )
            )
        return decoded


def _opened(key: AESGCM | None, row: Any) -> dict[str, Any]:
    """The row's personal fields, each ERASED when the subject's key is gone."""
    if key is None:
        return dict.fromkeys(personal_field_names(row.personal), ERASED)
    return decrypt_fields(key, row.personal, row.event_id.bytes)
