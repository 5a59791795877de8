"""Personal access tokens for the API: created by their user, shown once, stored as a hash,
each with a name, a scope and an expiry, and revocable at any time."""

from __future__ import annotations

import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

import events
from coordination.accounts.service import USER_COLUMNS, token_hash, user_of
from coordination.accounts.tables import api_requests, api_tokens, users
from coordination.shared.access import User
from coordination.shared.clock import TEAM_TIMEZONE
from coordination.shared.vocabulary import TokenScope

# Recognisable in a leaked log or a secret scanner's rules.
TOKEN_PREFIX = "samordna_"
# How stale `last_used_at` may be before a request records its use again: a token used many
# times a minute writes once a minute, not once a request.
LAST_USE_RESOLUTION = timedelta(minutes=1)
# A token's life: offered by default, and the longest one may choose (a token that never
# expires is forgotten in a script long after its owner left).
DEFAULT_LIFETIME_DAYS = 90
LONGEST_LIFETIME_DAYS = 365
# The window of the rate limit: a token may make its number of requests in any such span.
RATE_WINDOW = timedelta(minutes=1)


def expiry_problem(last_day: date, today: date) -> str | None:
    """Why a token may not last to the end of `last_day`; None when it may."""
    if last_day <= today:
        return "Välj ett datum efter i dag: en token kan inte gälla bakåt i tiden."
    latest = today + timedelta(days=LONGEST_LIFETIME_DAYS)
    if last_day > latest:
        return f"En token får gälla högst ett år, till och med {latest.isoformat()}."
    return None


def expires_at(last_day: date) -> datetime:
    """The moment a token valid to the end of `last_day` (the team's day) expires."""
    return datetime.combine(last_day + timedelta(days=1), time(), TEAM_TIMEZONE)


@dataclass(frozen=True)
class TokenGrant:
    """What a request authenticated by a token may do: `request.auth` on API requests."""

    token_id: str
    scope: TokenScope

    @property
    def may_write(self) -> bool:
        return self.scope is TokenScope.WRITE


@dataclass(frozen=True)
class TokenInfo:
    """A token as its owner sees it on Inställningar: never the token itself."""

    id: str
    name: str
    scope: TokenScope
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def last_day(self) -> date:
        """The team's last day on which it is valid (at least part of)."""
        return (self.expires_at.astimezone(TEAM_TIMEZONE) - timedelta(microseconds=1)).date()

    def active(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class TokenAlreadyCreated(Exception):
    """A token with the id asked for exists already: the same form was sent twice."""


class AccessTokens:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(
        self,
        user: User,
        name: str,
        scope: TokenScope,
        expires_at: datetime,
        now: datetime,
        token_id: str | None = None,
    ) -> str:
        """A new token for `user`; the only time the token itself is returned. `token_id`
        (the form's one-time token, say) is its id, when given."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        try:
            with events.write_transaction(self.engine) as conn:
                conn.execute(
                    api_tokens.insert().values(
                        id=token_id or str(uuid.uuid4()),
                        user_id=user.id,
                        name=name,
                        token_hash=token_hash(token),
                        scope=scope,
                        created_at=now,
                        expires_at=expires_at,
                    )
                )
        except IntegrityError:
            raise TokenAlreadyCreated() from None
        return token

    def tokens_of(self, user: User) -> list[TokenInfo]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(api_tokens)
                .where(api_tokens.c.user_id == user.id)
                .order_by(api_tokens.c.created_at.desc(), api_tokens.c.id)
            ).all()
        return [
            TokenInfo(
                id=row.id,
                name=row.name,
                scope=TokenScope(row.scope),
                created_at=row.created_at,
                expires_at=row.expires_at,
                last_used_at=row.last_used_at,
                revoked_at=row.revoked_at,
            )
            for row in rows
        ]

    def revoke(self, user: User, token_id: str, now: datetime) -> bool:
        """Whether a token of `user`'s by that id was still unrevoked (another user's token
        id revokes nothing)."""
        with events.write_transaction(self.engine) as conn:
            revoked = conn.execute(
                api_tokens.update()
                .where(
                    api_tokens.c.id == token_id,
                    api_tokens.c.user_id == user.id,
                    api_tokens.c.revoked_at.is_(None),
                )
                .values(revoked_at=now)
            )
        return revoked.rowcount == 1

    def admit(self, token_id: str, now: datetime, per_minute: int) -> int | None:
        """Count a request of the token if it has made fewer than `per_minute` in the last
        `RATE_WINDOW`, and return None; else count nothing and return the whole seconds until
        one of them leaves the window.

        The requests are counted in the database, so every app instance sees the same ones:
        on PostgreSQL the token's row is locked while they are counted, on SQLite the
        writer lock does it."""
        since = now - RATE_WINDOW
        with events.write_transaction(self.engine) as conn:
            conn.execute(
                sa.select(api_tokens.c.id).where(api_tokens.c.id == token_id).with_for_update()
            )
            conn.execute(
                api_requests.delete().where(
                    api_requests.c.token_id == token_id, api_requests.c.at <= since
                )
            )
            counted = (
                conn.execute(
                    sa.select(api_requests.c.at)
                    .where(api_requests.c.token_id == token_id)
                    .order_by(api_requests.c.at)
                )
                .scalars()
                .all()
            )
            if len(counted) >= per_minute:
                # The request that must leave the window before one more fits in it.
                leaves: datetime = counted[len(counted) - per_minute] + RATE_WINDOW
                return max(1, math.ceil((leaves - now).total_seconds()))
            conn.execute(api_requests.insert().values(token_id=token_id, at=now))
        return None

    def authenticate(self, token: str, now: datetime) -> tuple[User, TokenGrant] | None:
        """The active user and grant of an unexpired, unrevoked token, else None. Records
        the token's use (at most once a `LAST_USE_RESOLUTION`)."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(
                    *USER_COLUMNS,
                    api_tokens.c.id.label("token_id"),
                    api_tokens.c.scope,
                    api_tokens.c.last_used_at,
                )
                .join(api_tokens, api_tokens.c.user_id == users.c.id)
                .where(
                    api_tokens.c.token_hash == token_hash(token),
                    api_tokens.c.revoked_at.is_(None),
                    api_tokens.c.expires_at > now,
                    users.c.active.is_(True),
                )
            ).first()
        if row is None:
            return None
        if row.last_used_at is None or row.last_used_at <= now - LAST_USE_RESOLUTION:
            with events.write_transaction(self.engine) as conn:
                conn.execute(
                    api_tokens.update()
                    .where(api_tokens.c.id == row.token_id)
                    .values(last_used_at=now)
                )
        return user_of(row), TokenGrant(row.token_id, TokenScope(row.scope))
