"""Read models of cases (kept by the case projection) and the read audit.

A list in a read model (support sources, consent parts, invitees) is a JSON array of codes.
The participant's personal data is never stored in plaintext: a `sealed` column holds its
value sealed under the participant's key (`events.SealedValues`), so deleting that key
makes every copy unreadable at once. A personnummer is found by its blind index."""

from __future__ import annotations

import functools

import sqlalchemy as sa
from personnummer import personnummer as swedish_personnummer

import events
from coordination.shared.bounds import LINE_LENGTH, NAME_LENGTH
from coordination.shared.database import metadata
from events.schema import UTCDateTime

# The mark of a sealed column in its `info`.
SEALED = "sealed"


def sealed(name: str, nullable: bool = False) -> sa.Column[bytes]:
    """A column of the participant's personal data, sealed under their key."""
    return sa.Column(name, sa.LargeBinary, nullable=nullable, info={SEALED: True})


@functools.cache
def sealed_names(table: sa.Table) -> frozenset[str]:
    return frozenset(column.name for column in table.columns if column.info.get(SEALED))


def personnummer_index(keyring: events.Keyring, personnummer: str) -> bytes | None:
    """The blind index of a personnummer, the same however it was written (with or without
    the century, with or without the hyphen); None when it is no valid personnummer."""
    try:
        # twelve digits, as the domain's validation reads it
        canonical = swedish_personnummer.parse(personnummer).format(True)
    except swedish_personnummer.PersonnummerException:
        return None
    return keyring.blind_index("personnummer", canonical)


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
    sa.Column("from_caseworker", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("referral_date", sa.Date, nullable=False),
    sa.Column("accepted_on", sa.Date, nullable=True),
    sa.Column("registration_type", sa.String(20), nullable=True),
    sa.Column("gender", sa.String(10), nullable=True),
    sa.Column("age_group", sa.String(10), nullable=True),
    sa.Column("education", sa.String(40), nullable=True),
    sa.Column("support_sources", sa.JSON, nullable=False),
    sa.Column("time_in_support", sa.String(10), nullable=True),
    sa.Column("occupation_at_enrolment", sa.String(40), nullable=True),
    sa.Column("insats_id", sa.String(36), nullable=True),
    sa.Column("coordinator_id", sa.String(36), nullable=True),
    sa.Column("start_date", sa.Date, nullable=True),
    sa.Column("consent_parts", sa.JSON, nullable=False),
    sa.Column("consent_withdrawn", sa.Boolean, nullable=False, default=False),
    sa.Column("last_event_at", UTCDateTime, nullable=False),
    sa.Column("plan_version", sa.Integer, nullable=False, server_default="0"),
    sa.Column("plan_review_on", sa.Date, nullable=True),
    sa.Column("level", sa.Integer, nullable=True),
    sa.Column("handovers", sa.Integer, nullable=False, server_default="0"),
    sa.Column("closed_on", sa.Date, nullable=True),
    sa.Column("closure_kind", sa.String(20), nullable=True),
    sa.Column("closure_reason", sa.String(40), nullable=True),
    sa.Column("occupation_at_closure", sa.String(40), nullable=True),
    sa.Column("support_at_closure", sa.JSON(none_as_null=True), nullable=True),
    # for the statistics: the highest step reached, any step up, meetings held
    sa.Column("max_level", sa.Integer, nullable=True),
    sa.Column("stepped_up", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("meetings_held", sa.Integer, nullable=False, server_default="0"),
    # erasure and retention: who asked for an erasure not yet confirmed, and why; when the
    # personal data was erased; the day the retention time counts from; a hold's reason
    sa.Column("erasure_requested_by", sa.String(36), nullable=True),
    sa.Column("erasure_reason", sa.String(20), nullable=True),
    sa.Column("erased_on", sa.Date, nullable=True),
    sa.Column("retention_from", sa.Date, nullable=True, index=True),
    sa.Column("retention_hold", sa.String(LINE_LENGTH), nullable=True),
)

# Personal data, apart from the rest so that only allowed readers ever load it. A column is
# NULL until an event writes it; then it holds a sealed value, None included.
case_people = sa.Table(
    "case_people",
    metadata,
    sa.Column("case_id", sa.String(36), primary_key=True),
    *(
        sealed(name, nullable=True)
        for name in (
            "name",
            "personnummer",
            "phone",
            "email",
            "address",
            "referral_reason",
            "decline_reason",
            "consent_note",
            "next_step",
        )
    ),
    # HMAC of the personnummer: a registerutdrag finds the person's cases without plaintext
    sa.Column("personnummer_index", sa.LargeBinary, nullable=True, index=True),
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


# The journey: assessments, plan versions, activities, meetings, steps. Texts in these tables
# are the participant's personal data, sealed, and shown only to readers allowed to see it.


case_assessments = sa.Table(
    "case_assessments",
    metadata,
    sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("case_id", sa.String(36), nullable=False, index=True),
    sa.Column("recorded_on", sa.Date, nullable=False),
    sa.Column("actor_id", sa.String(36), nullable=True),
    sealed("situation"),
    sealed("formal_competences"),
    sealed("informal_competences"),
    sealed("interests"),
    sealed("obstacles"),
    sealed("motivation"),
    sealed("participant_words"),
)


case_plans = sa.Table(
    "case_plans",
    metadata,
    sa.Column("case_id", sa.String(36), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
    sealed("reason"),
    sa.Column("meeting_id", sa.String(36), nullable=False),
    # the whole plan as agreed in this version, as the event carries it (JSON)
    sealed("plan"),
)


case_activities = sa.Table(
    "case_activities",
    metadata,
    sa.Column("case_id", sa.String(36), primary_key=True),
    sa.Column("activity_id", sa.String(36), primary_key=True),
    sealed("what"),
    sa.Column("part", sa.String(20), nullable=False),
    sa.Column("responsible_id", sa.String(36), nullable=False),
    sa.Column("start_on", sa.Date, nullable=False),
    sa.Column("due_on", sa.Date, nullable=False, index=True),
    sa.Column("status", sa.String(20), nullable=False),
    sealed("drop_reason"),
)


case_meetings = sa.Table(
    "case_meetings",
    metadata,
    sa.Column("meeting_id", sa.String(36), primary_key=True),
    sa.Column("case_id", sa.String(36), nullable=False, index=True),
    sa.Column("team_id", sa.String(36), nullable=False, index=True),
    # local wall-clock time of the team (Europe/Stockholm)
    sa.Column("starts_at", sa.DateTime, nullable=False, index=True),
    sa.Column("minutes", sa.Integer, nullable=False),
    sa.Column("mode", sa.String(20), nullable=False),
    sealed("place"),
    sa.Column("invitee_ids", sa.JSON, nullable=False),
    sa.Column("participant_invited", sa.Boolean, nullable=False),
    sealed("others_invited"),
    sealed("agenda"),
    sa.Column("status", sa.String(20), nullable=False),
    sealed("note"),
    sa.Column("held_on", sa.Date, nullable=True),
    sa.Column("attended_parts", sa.JSON, nullable=False),
    sa.Column("participant_attended", sa.Boolean, nullable=True),
    sealed("decisions"),
)


case_steps = sa.Table(
    "case_steps",
    metadata,
    sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("case_id", sa.String(36), nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),  # "step" or "self_assessment"
    sa.Column("recorded_on", sa.Date, nullable=False),
    sa.Column("level", sa.Integer, nullable=False),  # ladder level, or self-assessment score
    sa.Column("phase", sa.String(20), nullable=True),
    sealed("text"),  # evidence, or the participant's note
    sa.Column("actor_id", sa.String(36), nullable=True),
)


case_follow_ups = sa.Table(
    "case_follow_ups",
    metadata,
    sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("case_id", sa.String(36), nullable=False, index=True),
    sa.Column("months", sa.Integer, nullable=False),
    sa.Column("recorded_on", sa.Date, nullable=False),
    sa.Column("occupation", sa.String(40), nullable=False),
    sa.Column("support_sources", sa.JSON, nullable=False),
    sa.Column("in_work_or_studies", sa.Boolean, nullable=False),
    sa.Column("late", sa.Boolean, nullable=False, server_default=sa.false()),
    sealed("obstacles"),
)


case_after_support = sa.Table(
    "case_after_support",
    metadata,
    sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("case_id", sa.String(36), nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),  # "started", "contact" or "ended"
    sa.Column("on", sa.Date, nullable=False),
    sa.Column("planned_end", sa.Date, nullable=True),
    sealed("note"),
    sa.Column("actor_id", sa.String(36), nullable=True),
)

# -- reminders (projection "reminders") and the outbox ---------------------------------
