"""Envelope encryption of personal data: one key per data subject, wrapped by a master key.

Deleting a subject's key makes every personal field of theirs unreadable wherever it lies
in the append-only log: that is how erasure works without rewriting stored events.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.engine import Connection

from events.errors import SubjectForgottenError, WrongMasterKeyError
from events.schema import subject_keys_table as keys

NONCE_BYTES = 12


def generate_master_key() -> str:
    """A new master key, base64 encoded, for configuration."""
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode()


def _seal(aead: AESGCM, plaintext: bytes, associated: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + aead.encrypt(nonce, plaintext, associated)


def _open(aead: AESGCM, sealed: bytes, associated: bytes) -> bytes:
    return aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)


class Keyring:
    """Subject keys, stored wrapped under the master key."""

    def __init__(self, master_key: str | bytes) -> None:
        raw = base64.urlsafe_b64decode(master_key) if isinstance(master_key, str) else master_key
        if len(raw) != 32:
            raise ValueError("the master key must be 32 bytes (base64 encoded in configuration)")
        self._master = AESGCM(raw)

    def subject_key(self, conn: Connection, subject: str, create: bool) -> AESGCM | None:
        """The subject's key; None when it was forgotten (or never existed and not `create`).

        Raises SubjectForgottenError when asked to create a key for a forgotten subject.
        """
        row = conn.execute(
            sa.select(keys.c.wrapped_key, keys.c.forgotten_at).where(keys.c.subject == subject)
        ).first()
        if row is not None:
            if row.wrapped_key is None:
                if create:
                    raise SubjectForgottenError(f"data subject {subject!r} has been forgotten")
                return None
            try:
                return AESGCM(_open(self._master, row.wrapped_key, subject.encode()))
            except InvalidTag:
                raise WrongMasterKeyError(
                    "the configured master key does not open the stored subject keys"
                ) from None
        if not create:
            return None
        key = AESGCM.generate_key(bit_length=256)
        conn.execute(
            sa.insert(keys).values(
                subject=subject,
                wrapped_key=_seal(self._master, key, subject.encode()),
                created_at=datetime.now(UTC),
            )
        )
        return AESGCM(key)

    def forget(self, conn: Connection, subject: str) -> None:
        """Delete the subject's key for good; a tombstone stops a new key being made."""
        now = datetime.now(UTC)
        updated = conn.execute(
            sa.update(keys)
            .where(keys.c.subject == subject)
            .values(wrapped_key=None, forgotten_at=now)
        )
        if updated.rowcount == 0:
            conn.execute(
                sa.insert(keys).values(
                    subject=subject, wrapped_key=None, created_at=now, forgotten_at=now
                )
            )


def encrypt_fields(aead: AESGCM, fields: Mapping[str, Any], associated: bytes) -> str:
    """Seal personal fields into the JSON stored in the events table's `personal` column."""
    sealed = _seal(aead, json.dumps(dict(fields)).encode(), associated)
    return json.dumps({"fields": sorted(fields), "ciphertext": base64.b64encode(sealed).decode()})


def personal_field_names(stored: str) -> list[str]:
    names: list[str] = json.loads(stored)["fields"]
    return names


def decrypt_fields(aead: AESGCM, stored: str, associated: bytes) -> dict[str, Any]:
    sealed = base64.b64decode(json.loads(stored)["ciphertext"])
    fields: dict[str, Any] = json.loads(_open(aead, sealed, associated))
    return fields
