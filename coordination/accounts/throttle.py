"""Throttled password guessing, counted in a table so that every app instance sees the same
count, on SQLite and PostgreSQL alike.

A wrong password (at login, or as the current password on the password form) is recorded
with the account's email and the client's address. Two limits hold at once:

- per account: `ACCOUNT_FAILURES` within `ACCOUNT_WINDOW`. The window is short on purpose: a
  stranger who types someone's email can keep them out for a few minutes at most.
- per client address: `CLIENT_FAILURES` within `CLIENT_WINDOW`, over all accounts, so that
  one password sprayed over many accounts is slowed down as well.

While a limit is reached every attempt is refused, a right password too, and refused attempts
are not counted: the lock ends when the window has passed over the failures.

Recording or forgetting failures deletes rows that another login may be deleting at the same
moment (the old failures, or this account's): on PostgreSQL those transactions take the
advisory lock `LOCK_KEY`, so two of them never wait on each other's rows in opposite orders
(a deadlock). It serialises only these short writes, not the event store's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from coordination.accounts.tables import login_failures

ACCOUNT_FAILURES = 5
ACCOUNT_WINDOW = timedelta(minutes=5)
CLIENT_FAILURES = 30
CLIENT_WINDOW = timedelta(minutes=15)

# The PostgreSQL advisory lock of the transactions that record or forget failures.
LOCK_KEY = 0x5A4D_0002

ACCOUNT_LOCKED = (
    "För många felaktiga lösenord för kontot. "
    f"Vänta {ACCOUNT_WINDOW.seconds // 60} minuter och försök igen."
)
CLIENT_LOCKED = (
    "För många misslyckade inloggningar från din nätverksadress. "
    f"Vänta {CLIENT_WINDOW.seconds // 60} minuter och försök igen."
)


def _failures_since(conn: sa.Connection, where: sa.ColumnElement[bool], since: datetime) -> int:
    return int(
        conn.execute(
            sa.select(sa.func.count())
            .select_from(login_failures)
            .where(where, login_failures.c.failed_at > since)
        ).scalar_one()
    )


def refusal(conn: sa.Connection, email: str, client: str, now: datetime) -> str | None:
    """Why a password may not be tried now, or None."""
    for column, key, window, limit, message in (
        (login_failures.c.email, email, ACCOUNT_WINDOW, ACCOUNT_FAILURES, ACCOUNT_LOCKED),
        (login_failures.c.client, client, CLIENT_WINDOW, CLIENT_FAILURES, CLIENT_LOCKED),
    ):
        if _failures_since(conn, column == key, now - window) >= limit:
            return message
    return None


def record_failure(conn: sa.Connection, email: str, client: str, now: datetime) -> None:
    """A wrong password, in the caller's transaction; failures older than every window go."""
    conn.execute(
        login_failures.delete().where(
            login_failures.c.failed_at <= now - max(ACCOUNT_WINDOW, CLIENT_WINDOW)
        )
    )
    conn.execute(login_failures.insert().values(email=email, client=client, failed_at=now))


def forget_failures(conn: sa.Connection, email: str) -> None:
    """The account's owner gave the right password: their account's count starts over."""
    conn.execute(login_failures.delete().where(login_failures.c.email == email))
