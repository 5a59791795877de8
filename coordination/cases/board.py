"""A case as one row of the team board: code, stage, dates and SUS categories, no personal
data. Every query of the team and case pages starts from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from coordination.accounts.tables import insatser, users
from coordination.cases.gate import Facts
from coordination.cases.tables import cases
from coordination.shared.vocabulary import (
    ClosureKind,
    ClosureReason,
    ErasureReason,
    Occupation,
    Part,
    RegistrationType,
    Stage,
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
    occupation_at_enrolment: str | None = None
    support_at_closure: list[str] = field(default_factory=list)
    next_meeting_at: datetime | None = None
    erased_on: date | None = None
    erasure_requested_by: str | None = None
    erasure_reason: str | None = None
    retention_from: date | None = None
    retention_hold: str | None = None

    @property
    def erasure_reason_label(self) -> str:
        reason = ErasureReason.parse(self.erasure_reason or "")
        return reason.label if reason else ""

    @property
    def facts(self) -> Facts:
        """What the access gate needs to know of the case. Until enrolment records the
        consent, the referral is shared with the part that sent it."""
        parts = [self.from_part] if self.stage is Stage.REFERRAL else self.consent_parts
        return Facts(self.team_id, parts, self.consent_withdrawn, self.erased_on is not None)

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


def case_row(row: Any, next_meeting_at: datetime | None = None) -> CaseRow:
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
        occupation_at_enrolment=m["occupation_at_enrolment"],
        support_at_closure=list(m["support_at_closure"] or ()),
        next_meeting_at=next_meeting_at,
        erased_on=m["erased_on"],
        erasure_requested_by=m["erasure_requested_by"],
        erasure_reason=m["erasure_reason"],
        retention_from=m["retention_from"],
        retention_hold=m["retention_hold"],
    )


CASE_QUERY = (
    sa.select(cases, users.c.name.label("coordinator_name"), insatser.c.name.label("insats_name"))
    .outerjoin(users, users.c.id == cases.c.coordinator_id)
    .outerjoin(insatser, insatser.c.id == cases.c.insats_id)
)
