"""Read models of reminders (facts and the due list) and the outbox of messages."""

from __future__ import annotations

import sqlalchemy as sa

from coordination.shared.bounds import NAME_LENGTH
from coordination.shared.database import metadata
from events.schema import UTCDateTime

reminder_facts = sa.Table(
    "reminder_facts",
    metadata,
    sa.Column("case_id", sa.String(36), primary_key=True),
    sa.Column("facts", sa.Text, nullable=False),  # JSON of the case's reminder facts
)


due_reminders = sa.Table(
    "due_reminders",
    metadata,
    sa.Column("case_id", sa.String(36), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("recipient_id", sa.String(36), nullable=False, index=True),
    sa.Column("due_on", sa.Date, nullable=False, index=True),
    sa.Column("detail", sa.String(100), nullable=False),
    sa.Column("notified", sa.Boolean, nullable=False),
)
# What the reminder clock's sweep reads: the due reminders not yet sent. Sent ones stay listed
# until they are done, and at 100,000 cases there are thousands of them; without this index
# every tick would step over them all (bench/sweep.py).
sa.Index(
    "ix_due_reminders_waiting",
    due_reminders.c.due_on,
    sqlite_where=due_reminders.c.notified.is_(False),
    postgresql_where=due_reminders.c.notified.is_(False),
)

# What the team page orders each stage by: every case's earliest due day, read from this
# index alone, one entry per case (bench/pages.py).
sa.Index("ix_due_reminders_case_day", due_reminders.c.case_id, due_reminders.c.due_on)


outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # what the message is about, once: a reminder key and recipient, or a digest's week
    sa.Column("dedupe_key", sa.String(300), nullable=False, unique=True),
    sa.Column("kind", sa.String(20), nullable=False),  # "reminder", "digest" or "summary"
    sa.Column("recipient_id", sa.String(36), nullable=False),
    # the team whose administrators read the message in the Utkorg: the case's team, or the
    # recipient's for a digest or summary
    sa.Column("team_id", sa.String(36), nullable=False, index=True),
    sa.Column("to_address", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("subject", sa.String(300), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("case_id", sa.String(36), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_error", sa.Text, nullable=False),
    sa.Column("next_attempt_at", UTCDateTime, nullable=False, index=True),
    # a sender's claim on the message while it talks to the mail server
    sa.Column("lease_until", UTCDateTime, nullable=True),
    sa.Column("sent_at", UTCDateTime, nullable=True, index=True),
)
