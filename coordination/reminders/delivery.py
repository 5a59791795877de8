"""The outbox and its delivery over SMTP: a message is put in the outbox in the caller's
transaction; delivery claims it with a lease, sends it and marks it sent; a failure is kept
with its error and tried again after a growing back-off."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

import events
from coordination.config import SmtpSettings
from coordination.reminders.tables import outbox

log = logging.getLogger("samordna.reminders")

MAX_BACKOFF = timedelta(hours=1)
LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class Message:
    """An email on its way into the outbox; `dedupe_key` says what it is about, once;
    `team_id` is the team whose administrators may read it."""

    dedupe_key: str
    kind: str  # "reminder", "digest" or "summary"
    recipient_id: str
    team_id: str
    to_address: str
    subject: str
    body: str
    case_id: str | None = None


def enqueue(conn: sa.Connection, message: Message, now: datetime) -> None:
    """Put a message in the outbox, in the caller's transaction."""
    conn.execute(
        outbox.insert().values(
            dedupe_key=message.dedupe_key,
            kind=message.kind,
            recipient_id=message.recipient_id,
            team_id=message.team_id,
            to_address=message.to_address,
            subject=message.subject,
            body=message.body,
            case_id=message.case_id,
            created_at=now,
            attempts=0,
            last_error="",
            next_attempt_at=now,
        )
    )


class Sender:
    """Delivers one message over SMTP (STARTTLS, TLS or plain, with login if configured)."""

    def __init__(self, smtp: SmtpSettings, timeout: float = 20) -> None:
        self.smtp = smtp
        self.timeout = timeout

    def send(self, to_address: str, subject: str, body: str, message_id: str) -> None:
        message = EmailMessage()
        message["From"] = self.smtp.sender
        message["To"] = to_address
        message["Subject"] = subject
        message["Message-ID"] = message_id
        message.set_content(body)
        context = ssl.create_default_context()
        server: smtplib.SMTP
        if self.smtp.security == "tls":
            server = smtplib.SMTP_SSL(
                self.smtp.host, self.smtp.port, timeout=self.timeout, context=context
            )
        else:
            server = smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=self.timeout)
        with server:
            if self.smtp.security == "starttls":
                server.starttls(context=context)
            if self.smtp.username:
                server.login(self.smtp.username, self.smtp.password)
            server.send_message(message)


class Delivery:
    """Sends what the outbox holds; without a sender (no mail server configured) nothing is
    sent and the messages stay for administrators to read."""

    def __init__(
        self, engine: Engine, sender: Sender | None, clock: Callable[[], datetime]
    ) -> None:
        self.engine = engine
        self.sender = sender
        self.clock = clock

    def deliver(self, now: datetime) -> int:
        """Send what the outbox holds, each message claimed with a lease first. Without a
        mail server, messages stay in the outbox for administrators to read."""
        if self.sender is None:
            return 0
        with self.engine.connect() as conn:
            ids = (
                conn.execute(
                    sa.select(outbox.c.id)
                    .where(outbox.c.sent_at.is_(None), outbox.c.next_attempt_at <= now)
                    .order_by(outbox.c.id)
                    .limit(100)
                )
                .scalars()
                .all()
            )
        delivered = 0
        for message_id in ids:
            row = self._claim(message_id, now)
            if row is None:
                continue
            try:
                self.sender.send(
                    row.to_address,
                    row.subject,
                    row.body,
                    f"<outbox-{row.id}-{row.dedupe_key.replace(':', '.')}@samordna>",
                )
            except (OSError, smtplib.SMTPException) as error:
                self._failed(row, now, error)
                continue
            with events.write_transaction(self.engine) as conn:
                conn.execute(
                    outbox.update()
                    .where(outbox.c.id == row.id)
                    .values(
                        sent_at=self.clock(),
                        lease_until=None,
                        attempts=row.attempts + 1,
                        last_error="",
                    )
                )
            delivered += 1
        return delivered

    def _claim(self, message_id: int, now: datetime) -> Any:
        with events.write_transaction(self.engine) as conn:
            claimed = conn.execute(
                outbox.update()
                .where(
                    outbox.c.id == message_id,
                    outbox.c.sent_at.is_(None),
                    sa.or_(outbox.c.lease_until.is_(None), outbox.c.lease_until < now),
                )
                .values(lease_until=now + LEASE)
            )
            if claimed.rowcount != 1:
                return None
            return conn.execute(sa.select(outbox).where(outbox.c.id == message_id)).one()

    def _failed(self, row: Any, now: datetime, error: Exception) -> None:
        attempts = row.attempts + 1
        backoff = min(timedelta(seconds=30) * 2 ** (attempts - 1), MAX_BACKOFF)
        # The error names the server and what it said; never the message, which has no
        # personal data anyway.
        log.warning(
            "outbox message %s not delivered (attempt %s): %s",
            row.id,
            attempts,
            type(error).__name__,
        )
        with events.write_transaction(self.engine) as conn:
            conn.execute(
                outbox.update()
                .where(outbox.c.id == row.id)
                .values(
                    attempts=attempts,
                    last_error=f"{type(error).__name__}: {error}"[:500],
                    next_attempt_at=now + backoff,
                    lease_until=None,
                )
            )


def backlog(engine: Engine, now: datetime) -> tuple[int, float | None]:
    """How many messages wait to be delivered, and the age in seconds of the oldest."""
    with engine.connect() as conn:
        count, oldest = conn.execute(
            sa.select(sa.func.count(), sa.func.min(outbox.c.created_at)).where(
                outbox.c.sent_at.is_(None)
            )
        ).one()
    return count, None if oldest is None else round((now - oldest).total_seconds())
