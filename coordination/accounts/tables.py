"""Tables of accounts: teams, users, their sessions and login failures, insatser."""

from __future__ import annotations

import sqlalchemy as sa

from coordination.shared.bounds import NAME_LENGTH
from coordination.shared.database import metadata
from events.schema import UTCDateTime

teams = sa.Table(
    "teams",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(NAME_LENGTH), nullable=False),
)


SIGN_ON_ISSUER_LENGTH = 300
SIGN_ON_SUBJECT_LENGTH = 255

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("team_id", sa.String(36), sa.ForeignKey("teams.id"), nullable=False),
    sa.Column("name", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("email", sa.String(NAME_LENGTH), nullable=False, unique=True),
    sa.Column("part", sa.String(20), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    # Bumped on every edit: an administrator's stale form is refused, never applied.
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    # True: reminders come only in the weekly digest, not one email each.
    sa.Column("digest_only", sa.Boolean, nullable=False, server_default=sa.false()),
    # The person at the organisation's OpenID provider (`iss` and `sub`), once they signed on.
    sa.Column("sign_on_issuer", sa.String(SIGN_ON_ISSUER_LENGTH), nullable=True),
    sa.Column("sign_on_subject", sa.String(SIGN_ON_SUBJECT_LENGTH), nullable=True),
    # Made by a sign-on with no account, inactive until an administrator gives a role.
    sa.Column("awaiting_role", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_users_sign_on", "sign_on_issuer", "sign_on_subject", unique=True),
)


sessions = sa.Table(
    "sessions",
    metadata,
    # SHA-256 of the cookie's token: a stolen copy of the table opens no session.
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    # Begun by signing on at the provider: logging out goes on to the provider's logout.
    sa.Column("signed_on", sa.Boolean, nullable=False, server_default=sa.false()),
)


# Settings of the whole installation, one row (none: the defaults).
login_settings = sa.Table(
    "login_settings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    # False: only the organisation's sign-on; the password form is not offered.
    sa.Column("local_login", sa.Boolean, nullable=False, server_default=sa.true()),
)


# A personal access token for the API: shown once, kept as its SHA-256 only.
api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("name", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("scope", sa.String(20), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("last_used_at", UTCDateTime, nullable=True),
    sa.Column("revoked_at", UTCDateTime, nullable=True),
)


# The API requests of each token in the last minute, for its rate limit: in the database, so
# that every app instance counts the same requests. Older rows are deleted as new ones come.
api_requests = sa.Table(
    "api_requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "token_id",
        sa.String(36),
        sa.ForeignKey("api_tokens.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index("ix_api_requests_token_id_at", "token_id", "at"),
)


# A user's calendar feed: the secret in its address, kept as its SHA-256 only. Revoking it
# deletes the row; a new one replaces it.
calendar_feeds = sa.Table(
    "calendar_feeds",
    metadata,
    sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)


login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(NAME_LENGTH), nullable=False, index=True),
    # the address the guess came from: failures are counted per client as well
    sa.Column("client", sa.String(64), nullable=False, index=True, server_default=""),
    sa.Column("failed_at", UTCDateTime, nullable=False, index=True),
)


insatser = sa.Table(
    "insatser",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("team_id", sa.String(36), sa.ForeignKey("teams.id"), nullable=False),
    sa.Column("name", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("insats_type", sa.String(40), nullable=False),
    sa.Column("active_from", sa.Date, nullable=False),
    sa.Column("active_to", sa.Date, nullable=True),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("registration_kind", sa.String(20), nullable=False, server_default="individual"),
)


# A session of a volyminsats (participants by kön, and by age group where known) or of a
# strukturinsats (staff by part): counts only, never a person.
insats_sessions = sa.Table(
    "insats_sessions",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("team_id", sa.String(36), sa.ForeignKey("teams.id"), nullable=False, index=True),
    sa.Column("insats_id", sa.String(36), sa.ForeignKey("insatser.id"), nullable=False),
    sa.Column("held_on", sa.Date, nullable=False, index=True),
    sa.Column("counts", sa.JSON, nullable=False),
    sa.Column("recorded_by", sa.String(36), nullable=False),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
)
