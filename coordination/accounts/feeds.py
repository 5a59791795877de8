"""Each user's calendar feed: a secret address that calendar programs read without logging in.

The secret is shown once, when it is made, and kept as its SHA-256 only: a stolen copy of the
table opens no feed. A user has one feed at most; a new secret replaces the old one (whose
address stops working) and revoking deletes it."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

import events
from coordination.accounts.service import USER_COLUMNS, token_hash, user_of
from coordination.accounts.tables import calendar_feeds, users
from coordination.shared.access import User


class CalendarFeeds:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def subscribe(self, user: User, now: datetime) -> str:
        """A new secret for the user's feed, replacing any they had; the only time the
        secret itself is returned."""
        secret = secrets.token_urlsafe(32)
        with events.write_transaction(self.engine) as conn:
            conn.execute(calendar_feeds.delete().where(calendar_feeds.c.user_id == user.id))
            conn.execute(
                calendar_feeds.insert().values(
                    user_id=user.id, secret_hash=token_hash(secret), created_at=now
                )
            )
        return secret

    def unsubscribe(self, user: User) -> bool:
        """Whether the user had a feed (now gone)."""
        with events.write_transaction(self.engine) as conn:
            deleted = conn.execute(
                calendar_feeds.delete().where(calendar_feeds.c.user_id == user.id)
            )
        return deleted.rowcount == 1

    def subscribed_since(self, user: User) -> datetime | None:
        """When the user's current feed address was made; None when they have none."""
        with self.engine.connect() as conn:
            found: datetime | None = conn.execute(
                sa.select(calendar_feeds.c.created_at).where(calendar_feeds.c.user_id == user.id)
            ).scalar()
        return found

    def subscriber(self, secret: str) -> User | None:
        """The active user whose feed has this secret, else None."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(*USER_COLUMNS)
                .join(calendar_feeds, calendar_feeds.c.user_id == users.c.id)
                .where(
                    calendar_feeds.c.secret_hash == token_hash(secret),
                    users.c.active.is_(True),
                )
            ).first()
        return user_of(row) if row else None
