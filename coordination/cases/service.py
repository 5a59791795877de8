"""The case service: command handlers and the queries of the team and case pages."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

import events
from coordination.accounts.tables import insatser, users
from coordination.cases import contract as case_events
from coordination.cases import domain as case
from coordination.cases.queries import CaseQueries, opened_rows
from coordination.cases.tables import case_people, case_timeline, cases, read_audit
from coordination.shared.access import User
from coordination.shared.clock import Clock
from coordination.shared.vocabulary import (
    ClosureKind,
    ClosureReason,
    Occupation,
    Part,
    RegistrationType,
    Stage,
)

# No 0/O, 1/I/L: a code is read aloud and typed by hand.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_case_code() -> str:
    return "K-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(5))


class CaseChanged(Exception):
    """Someone else changed the case since the form was opened."""

    message = (
        "Ärendet har ändrats av någon annan sedan du öppnade det. "
        "Dina uppgifter finns kvar: läs igenom ärendet och skicka igen."
    )


@dataclass(frozen=True)
class CaseRow:
    case_id: str
    case_code: str
    team_id: str
    stage: Stage
    version: int
    from_part: Part
    from_caseworker: str
    referral_date: date
    accepted_on: date | None
    registration_type: RegistrationType | None
    gender: str | None
    age_group: str | None
    education: str | None
    support_sources: list[str]
    time_in_support: str | None
    start_date: date | None
    consent_parts: list[Part]
    consent_withdrawn: bool
    coordinator_name: str | None
    insats_id: str | None
    insats_name: str | None
    last_event_at: datetime
    plan_version: int = 0
    plan_review_on: date | None = None
    level: int | None = None
    handovers: int = 0
    closed_on: date | None = None
    closure_kind: str | None = None
    closure_reason: str | None = None
    occupation_at_closure: str | None = None
    support_at_closure: list[str] = field(default_factory=list)
    next_meeting_at: datetime | None = None

    @property
    def closure_kind_label(self) -> str:
        kind = ClosureKind.parse(self.closure_kind or "")
        return kind.label if kind else ""

    @property
    def closure_reason_label(self) -> str:
        reason = ClosureReason.parse(self.closure_reason or "")
        return reason.label if reason else ""

    @property
    def occupation_label(self) -> str:
        occupation = Occupation.parse(self.occupation_at_closure or "")
        return occupation.label if occupation else ""

    @property
    def due_next(self) -> str:
        """What the team has to do next with the case, in the words of the team page."""
        if self.stage is Stage.REFERRAL:
            return "Skriv in deltagaren" if self.accepted_on else "Bedöm remissen"
        if self.consent_withdrawn:
            return "Samtycket är återkallat: förnya eller avsluta"
        planned = []
        if self.next_meeting_at:
            planned.append((self.next_meeting_at.date(), "Nätverksmöte"))
        if self.plan_review_on and self.stage is Stage.ONGOING:
            planned.append((self.plan_review_on, "Planen följs upp"))
        if planned:
            day, what = min(planned)
            return f"{what} {day}"
        return {
            Stage.ENROLLED: "Kartläggning och handlingsplan",
            Stage.PLANNING: "Handlingsplan",
            Stage.CLOSED: "Uppföljning efter avslut",
        }.get(self.stage, "–")


def _case_row(row: Any, next_meeting_at: datetime | None = None) -> CaseRow:
    m = row._mapping
    return CaseRow(
        case_id=m["case_id"],
        case_code=m["case_code"],
        team_id=m["team_id"],
        stage=Stage(m["stage"]),
        version=m["version"],
        from_part=Part(m["from_part"]),
        from_caseworker=m["from_caseworker"],
        referral_date=m["referral_date"],
        accepted_on=m["accepted_on"],
        registration_type=RegistrationType(m["registration_type"])
        if m["registration_type"]
        else None,
        gender=m["gender"],
        age_group=m["age_group"],
        education=m["education"],
        support_sources=list(m["support_sources"]),
        time_in_support=m["time_in_support"],
        start_date=m["start_date"],
        consent_parts=[Part(p) for p in m["consent_parts"]],
        consent_withdrawn=m["consent_withdrawn"],
        coordinator_name=m["coordinator_name"],
        insats_id=m["insats_id"],
        insats_name=m["insats_name"],
        last_event_at=m["last_event_at"],
        plan_version=m["plan_version"],
        plan_review_on=m["plan_review_on"],
        level=m["level"],
        handovers=m["handovers"],
        closed_on=m["closed_on"],
        closure_kind=m["closure_kind"],
        closure_reason=m["closure_reason"],
        occupation_at_closure=m["occupation_at_closure"],
        support_at_closure=list(m["support_at_closure"] or ()),
        next_meeting_at=next_meeting_at,
    )


_CASE_QUERY = (
    sa.select(cases, users.c.name.label("coordinator_name"), insatser.c.name.label("insats_name"))
    .outerjoin(users, users.c.id == cases.c.coordinator_id)
    .outerjoin(insatser, insatser.c.id == cases.c.insats_id)
)


# The participant's personal data as pages read it; the blind index stays in the table.
_PEOPLE = sa.select(*(c for c in case_people.columns if c.name != "personnummer_index"))


class Cases:
    """The cases service: the journey's commands, and the queries of the team and case
    pages (`journey` reads the journey's read models)."""

    def __init__(self, store: events.EventStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.journey = CaseQueries(store.engine, store.keyring)

    # -- commands ---------------------------------------------------------------------

    def register_referral(
        self, actor: User, command_for: Callable[[str], case.RegisterReferral]
    ) -> str:
        """Start a case; `command_for(case_code)` builds the referral with a fresh code."""
        for _ in range(5):
            case_id = str(uuid.uuid4())
            try:
                self._decide_and_append(actor, case_id, 0, command_for(new_case_code()))
                return case_id
            except IntegrityError:
                continue  # the code was taken: draw another
        raise RuntimeError("could not draw a free case code")

    def execute(
        self, actor: User, case_id: str, expected_version: int, command: case.Command
    ) -> int:
        return self._decide_and_append(actor, case_id, expected_version, command)

    def _decide_and_append(
        self, actor: User, case_id: str, expected_version: int, command: case.Command
    ) -> int:
        stream = case_events.case_stream(case_id)
        recorded = self.store.read_stream(stream)
        if len(recorded) != expected_version:
            raise CaseChanged()
        state = case.fold([case_events.from_data(e.type, e.data) for e in recorded])
        new = case.decide(command, state, self.clock.today())
        metadata = events.metadata_of(
            actor=actor.id, actor_group=actor.part, correlation_id=uuid.uuid4()
        )
        try:
            result = self.store.append(
                stream,
                expected_version,
                [
                    case_events.new_event(event, case_events.participant_subject(case_id), metadata)
                    for event in new
                ],
            )
        except events.ConcurrencyError:
            raise CaseChanged() from None
        return result.stream_version

    # -- queries ----------------------------------------------------------------------

    def team_cases(
        self,
        team_id: str,
        part: Part | None = None,
        coordinator_id: str | None = None,
        stage: Stage | None = None,
        code: str = "",
    ) -> list[CaseRow]:
        query = _CASE_QUERY.where(cases.c.team_id == team_id)
        if coordinator_id:
            query = query.where(cases.c.coordinator_id == coordinator_id)
        if stage is not None:
            query = query.where(cases.c.stage == stage)
        if code.strip():
            query = query.where(cases.c.case_code.contains(code.strip().upper()))
        query = query.order_by(cases.c.referral_date.desc(), cases.c.case_code)
        upcoming = self.journey.next_meetings(team_id, self.clock.wall_clock())
        with self.store.engine.connect() as conn:
            rows = [_case_row(row, upcoming.get(row.case_id)) for row in conn.execute(query)]
        if part is not None:  # the part referred the case, or its consent covers the part
            rows = [r for r in rows if r.from_part is part or part in r.consent_parts]
        return rows

    def case(self, case_id: str) -> CaseRow | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(_CASE_QUERY.where(cases.c.case_id == case_id)).first()
        return _case_row(row) if row else None

    def record_read(
        self, reader: User, case_id: str, page: str, conn: sa.Connection | None = None
    ) -> None:
        """A view of the participant's personal data, for the read audit."""
        if conn is None:
            with self.store.engine.begin() as own:
                self.record_read(reader, case_id, page, own)
            return
        conn.execute(
            read_audit.insert().values(
                user_id=reader.id, case_id=case_id, page=page, viewed_at=events.store.utc_now()
            )
        )

    def personal_data(self, reader: User, case_id: str, page: str) -> dict[str, Any]:
        """The participant's personal data, each field `events.ERASED` once it has been
        erased; the read is written to the audit log first."""
        with self.store.engine.begin() as conn:
            self.record_read(reader, case_id, page, conn)
            rows = conn.execute(_PEOPLE.where(case_people.c.case_id == case_id))
            found = opened_rows(self.store.keyring, conn, case_people, rows)
        return found[0] if found else {}

    def personnummer_of(self, reader: User, case_ids: list[str], page: str) -> dict[str, str]:
        """Several participants' personnummer, each read written to the audit log, in one
        transaction (an export, say); none for a participant without one or erased."""
        if not case_ids:
            return {}
        with self.store.engine.begin() as conn:
            for case_id in case_ids:
                self.record_read(reader, case_id, page, conn)
            rows = conn.execute(
                sa.select(case_people.c.case_id, case_people.c.personnummer).where(
                    case_people.c.case_id.in_(case_ids), case_people.c.personnummer.is_not(None)
                )
            )
            found = opened_rows(self.store.keyring, conn, case_people, rows)
        return {
            row["case_id"]: row["personnummer"]
            for row in found
            if isinstance(row["personnummer"], str)
        }

    def timeline(self, case_id: str) -> list[dict[str, Any]]:
        query = (
            sa.select(case_timeline, users.c.name.label("actor_name"))
            .outerjoin(users, users.c.id == case_timeline.c.actor_id)
            .where(case_timeline.c.case_id == case_id)
            .order_by(case_timeline.c.position.desc())
        )
        with self.store.engine.connect() as conn:
            return [
                {**row._mapping, "details": json.loads(row.details)} for row in conn.execute(query)
            ]

    def audit_log(
        self, team_id: str, case_id: str | None = None, user_id: str | None = None
    ) -> list[dict[str, Any]]:
        """The team's read audit, newest first."""
        query = (
            sa.select(read_audit, users.c.name.label("user_name"), cases.c.case_code)
            .outerjoin(users, users.c.id == read_audit.c.user_id)
            .join(cases, cases.c.case_id == read_audit.c.case_id)
            .where(cases.c.team_id == team_id)
            .order_by(read_audit.c.id.desc())
            .limit(500)
        )
        if case_id:
            query = query.where(read_audit.c.case_id == case_id)
        if user_id:
            query = query.where(read_audit.c.user_id == user_id)
        with self.store.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]
