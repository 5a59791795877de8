"""The reminders' own bookkeeping: the stored events of a case's reminders stream.

They live in a stream of their own per case (see `reminders_stream` in the service), so that
a reminder going out never makes a user's open form on the case stale. The class names are
the stored type names: they never change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ReminderSent:
    """A notification went out: which reminder, to whom, how (email or the weekly digest)."""

    key: str
    kind: str
    recipient_id: str
    channel: str


@dataclass(frozen=True)
class ReminderDone:
    key: str
    done_by: str


@dataclass(frozen=True)
class ReminderSnoozed:
    key: str
    until: date


ReminderEvent = ReminderSent | ReminderDone | ReminderSnoozed
