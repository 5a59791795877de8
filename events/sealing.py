"""Personal data in read models, sealed under the data subject's key like the events' own.

An inline projection that copies a personal field into a read-model table seals the value
in the append's transaction; a query opens it again. Both hold subjects' keys for one
connection only, so once `forget` deletes a subject's key every copy of their data reads as
ERASED from the next connection on, with nothing rebuilt. A projection never gives a
forgotten subject a new key: what it would seal for them (a rebuild replaying their erased
events, say) is stored as an empty value, which reads as ERASED too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.engine import Connection

from events.crypto import Keyring, open_sealed, seal
from events.errors import SubjectForgottenError
from events.types import ERASED

# What a projection stores for a forgotten subject: it opens as ERASED, like any of theirs.
FORGOTTEN = b""


class SealedValues:
    """Seals and opens personal values of read models on one connection.

    A value is anything JSON holds (text, a number, a structure, None), sealed with AES-GCM
    under the subject's key and bound to the subject's name. Keys are looked up once per
    subject and kept only as long as this object: make one per transaction or query.
    """

    def __init__(self, keyring: Keyring, conn: Connection) -> None:
        self._keyring = keyring
        self._conn = conn
        self._keys: dict[str, AESGCM | None] = {}
        self._forgotten: set[str] = set()

    def load(self, subjects: Iterable[str]) -> None:
        """Look up the keys of many subjects at once (a list of many cases' rows, say)."""
        wanted = set(subjects).difference(self._keys)
        if wanted:
            self._keys.update(self._keyring.subject_keys(self._conn, wanted))

    def seal(self, subject: str, value: Any) -> bytes:
        """`value` sealed under the subject's key, made now if the subject has none yet;
        FORGOTTEN when the subject has been forgotten."""
        key = self._keys.get(subject)
        if key is None and subject not in self._forgotten:
            try:
                key = self._keyring.subject_key(self._conn, subject, create=True)
            except SubjectForgottenError:
                self._forgotten.add(subject)
            self._keys[subject] = key
        if key is None:
            return FORGOTTEN
        plaintext = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return seal(key, plaintext.encode(), subject.encode())

    def open(self, subject: str, sealed: bytes | None) -> Any:
        """The value sealed for the subject; None for a column never written, ERASED once
        the subject's key is gone."""
        if sealed is None:
            return None
        try:
            key = self._keys[subject]
        except KeyError:
            key = self._keys[subject] = self._keyring.subject_key(self._conn, subject, False)
        if key is None or sealed == FORGOTTEN:
            return ERASED
        return json.loads(open_sealed(key, sealed, subject.encode()))
