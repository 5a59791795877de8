"""The service's tables: accounts and configuration, the read audit, and the read models.

Created by the migrations in coordination/migrations; read models are filled by projections.
"""

from __future__ import annotations

import sqlalchemy as sa

from events.schema import UTCDateTime

metadata = sa.MetaData()

teams = sa.Table(
    "teams",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("team_id", sa.String(36), sa.ForeignKey("teams.id"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(200), nullable=False, unique=True),
    sa.Column("part", sa.String(20), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    # Bumped on every edit: an administrator's stale form is refused, never applied.
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
)

sessions = sa.Table(
    "sessions",
    metadata,
    # SHA-256 of the cookie's token: a stolen copy of the table opens no session.
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
)

login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(200), nullable=False, index=True),
    sa.Column("failed_at", UTCDateTime, nullable=False),
)

insatser = sa.Table(
    "insatser",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("team_id", sa.String(36), sa.ForeignKey("teams.id"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("insats_type", sa.String(40), nullable=False),
    sa.Column("active_from", sa.Date, nullable=False),
    sa.Column("active_to", sa.Date, nullable=True),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
)

read_audit = sa.Table(
    "read_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.String(36), nullable=False, index=True),
    sa.Column("case_id", sa.String(36), nullable=False, index=True),
    sa.Column("page", sa.String(100), nullable=False),
    sa.Column("viewed_at", UTCDateTime, nullable=False),
)

# -- read models (projection "case_views") ------------------------------------------------

cases = sa.Table(
    "cases",
    metadata,
    sa.Column("case_id", sa.String(36), primary_key=True),
    sa.Column("case_code", sa.String(20), nullable=False, unique=True),
    sa.Column("team_id", sa.String(36), nullable=False, index=True),
    sa.Column("stage", sa.String(20), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("from_part", sa.String(20), nullable=False),
    sa.Column("from_caseworker", sa.String(200), nullable=False),
    sa.Column("referral_date", sa.Date, nullable=False),
    sa.Column("accepted_on", sa.Date, nullable=True),
    sa.Column("registration_type", sa.String(20), nullable=True),
    sa.Column("gender", sa.String(10), nullable=True),
    sa.Column("age_group", sa.String(10), nullable=True),
    sa.Column("education", sa.String(40), nullable=True),
    sa.Column("support_sources", sa.String(400), nullable=False, default=""),
    sa.Column("time_in_support", sa.String(10), nullable=True),
    sa.Column("insats_id", sa.String(36), nullable=True),
    sa.Column("coordinator_id", sa.String(36), nullable=True),
    sa.Column("start_date", sa.Date, nullable=True),
    sa.Column("consent_parts", sa.String(100), nullable=False, default=""),
    sa.Column("consent_withdrawn", sa.Boolean, nullable=False, default=False),
    sa.Column("last_event_at", UTCDateTime, nullable=False),
)

# Personal data, apart from the rest so that only allowed readers ever load it.
case_people = sa.Table(
    "case_people",
    metadata,
    sa.Column("case_id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(200), nullable=True),
    sa.Column("personnummer", sa.String(20), nullable=True),
    sa.Column("phone", sa.String(100), nullable=True),
    sa.Column("email", sa.String(200), nullable=True),
    sa.Column("address", sa.String(400), nullable=True),
    sa.Column("referral_reason", sa.Text, nullable=True),
    sa.Column("decline_reason", sa.Text, nullable=True),
    sa.Column("consent_note", sa.Text, nullable=True),
)

case_timeline = sa.Table(
    "case_timeline",
    metadata,
    sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("case_id", sa.String(36), nullable=False, index=True),
    sa.Column("event_type", sa.String(100), nullable=False),
    sa.Column("actor_id", sa.String(36), nullable=True),
    sa.Column("actor_part", sa.String(20), nullable=True),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
    # JSON of the event's non-personal fields, for the Swedish description on the page
    sa.Column("details", sa.Text, nullable=False),
)
