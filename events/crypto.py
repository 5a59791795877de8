"""Envelope encryption of personal data: one key per data subject, wrapped by a master key.

Deleting a subject's key makes every personal field of theirs unreadable wherever it lies
in the append-only log: that is how erasure works without rewriting stored events.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.engine import Connection

from events.errors import SubjectForgottenError, WrongMasterKeyError
from events.schema import subject_keys_table as keys

NONCE_BYTES = 12

# Subjects whose keys one query fetches: well under every backend's limit of parameters.
_KEYS_PER_QUERY = 500

# Built once: a query reads keys on every page, and building a statement costs more than
# running it.
_KEY_OF = sa.select(keys.c.wrapped_key).where(keys.c.subject == sa.bindparam("subject"))
_KEYS_OF = sa.select(keys.c.subject, keys.c.wrapped_key).where(
    keys.c.subject.in_(sa.bindparam("subjects", expanding=True))
)


def generate_master_key() -> str:
    """A new master key, base64 encoded, for configuration."""
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode()


def seal(aead: AESGCM, plaintext: bytes, associated: bytes) -> bytes:
    """A fresh nonce and the AES-GCM ciphertext of `plaintext`, bound to `associated`."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + aead.encrypt(nonce, plaintext, associated)


def open_sealed(aead: AESGCM, sealed: bytes, associated: bytes) -> bytes:
    """The plaintext of what `seal` made; InvalidTag when the key or `associated` differ."""
    return aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)


class Keyring:
    """Subject keys, stored wrapped under the master key."""

    def __init__(self, master_key: str | bytes) -> None:
        raw = base64.urlsafe_b64decode(master_key) if isinstance(master_key, str) else master_key
        if len(raw) != 32:
            raise ValueError("the master key must be 32 bytes (base64 encoded in configuration)")
        self._master = AESGCM(raw)
        self._raw_master = raw
        self._index_keys: dict[str, bytes] = {}

    def subject_key(self, conn: Connection, subject: str, create: bool) -> AESGCM | None:
        """The subject's key; None when it was forgotten (or never existed and not `create`).

        Raises SubjectForgottenError when asked to create a key for a forgotten subject.
        """
        row = conn.execute(_KEY_OF, {"subject": subject}).first()
        if row is not None:
            if row.wrapped_key is None and create:
                raise SubjectForgottenError(f"data subject {subject!r} has been forgotten")
            return self._unwrapped(subject, row.wrapped_key)
        if not create:
            return None
        new, key = self._new_key(subject)
        conn.execute(sa.insert(keys).values(**new))
        return key

    def keys_to_seal(self, conn: Connection, subjects: Iterable[str]) -> dict[str, AESGCM]:
        """The keys of many subjects in few queries, made now (in one statement) for those
        who have none yet: for sealing many subjects' data at once. A forgotten subject is
        left out; asking `subject_key` to create theirs refuses, as it should."""
        wanted = sorted(set(subjects))
        found: dict[str, AESGCM] = {}
        known: set[str] = set()
        for start in range(0, len(wanted), _KEYS_PER_QUERY):
            rows = conn.execute(_KEYS_OF, {"subjects": wanted[start : start + _KEYS_PER_QUERY]})
            for subject, wrapped in rows:
                known.add(subject)
                if (key := self._unwrapped(subject, wrapped)) is not None:
                    found[subject] = key
        new = []
        for subject in wanted:
            if subject not in known:
                row, found[subject] = self._new_key(subject)
                new.append(row)
        if new:
            conn.execute(sa.insert(keys), new)
        return found

    def _new_key(self, subject: str) -> tuple[dict[str, Any], AESGCM]:
        """A new key for the subject: its row in the keys table, and the key."""
        key = AESGCM.generate_key(bit_length=256)
        row = {
            "subject": subject,
            "wrapped_key": seal(self._master, key, subject.encode()),
            "created_at": datetime.now(UTC),
        }
        return row, AESGCM(key)

    def subject_keys(self, conn: Connection, subjects: Iterable[str]) -> dict[str, AESGCM | None]:
        """The keys of many subjects in few queries; None for one forgotten or without a key."""
        wanted = sorted(set(subjects))
        found: dict[str, AESGCM | None] = dict.fromkeys(wanted)
        for start in range(0, len(wanted), _KEYS_PER_QUERY):
            rows = conn.execute(_KEYS_OF, {"subjects": wanted[start : start + _KEYS_PER_QUERY]})
            for subject, wrapped in rows:
                found[subject] = self._unwrapped(subject, wrapped)
        return found

    def _unwrapped(self, subject: str, wrapped: bytes | None) -> AESGCM | None:
        if wrapped is None:
            return None
        try:
            return AESGCM(open_sealed(self._master, wrapped, subject.encode()))
        except InvalidTag:
            raise WrongMasterKeyError(
                "the configured master key does not open the stored subject keys"
            ) from None

    def blind_index(self, purpose: str, value: str) -> bytes:
        """A keyed hash of `value` that finds rows by it without storing it: HMAC-SHA256
        under a key derived from the master key (HKDF-SHA256) for this `purpose` only.

        Unlike subject keys it outlives erasure, so a read model must clear a forgotten
        subject's index values itself."""
        key = self._index_keys.get(purpose)
        if key is None:
            derive = HKDF(hashes.SHA256(), 32, salt=None, info=b"blind index: " + purpose.encode())
            key = self._index_keys[purpose] = derive.derive(self._raw_master)
        return hmac.new(key, value.encode(), hashlib.sha256).digest()

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
    sealed = seal(aead, json.dumps(dict(fields)).encode(), associated)
    return json.dumps({"fields": sorted(fields), "ciphertext": base64.b64encode(sealed).decode()})


def personal_field_names(stored: str) -> list[str]:
    names: list[str] = json.loads(stored)["fields"]
    return names


def decrypt_fields(aead: AESGCM, stored: str, associated: bytes) -> dict[str, Any]:
    sealed = base64.b64decode(json.loads(stored)["ciphertext"])
    fields: dict[str, Any] = json.loads(open_sealed(aead, sealed, associated))
    return fields
