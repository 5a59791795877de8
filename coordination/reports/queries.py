"""What team leaders and the förbund read: caseloads, the referral queue, statistics and
exports. Every query reads read models only."""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlalchemy.engine import Engine

from coordination.accounts.tables import insats_sessions, insatser, users
from coordination.cases.service import Cases
from coordination.cases.tables import case_activities, case_follow_ups, case_meetings, cases
from coordination.reminders.tables import due_reminders
from coordination.reports.statistics import (
    CaseFacts,
    FollowUpFacts,
    Period,
    SessionFacts,
    Table,
    statistics,
)
from coordination.shared import vocabulary as v
from coordination.shared.clock import TEAM_TIMEZONE
from coordination.shared.vocabulary import (
    AgeGroup,
    ClosureKind,
    ClosureReason,
    Gender,
    Occupation,
    Part,
    RegistrationKind,
    RegistrationType,
    Role,
    Stage,
    SupportSource,
)

ACTIVE = (Stage.ENROLLED, Stage.PLANNING, Stage.ONGOING)
STALE_AFTER = timedelta(days=30)


def _sources(value: Sequence[str] | None) -> frozenset[SupportSource]:
    return frozenset(SupportSource(s) for s in value or ())


# -- caseload ------------------------------------------------------------------------------


@dataclass
class Load:
    """One person's (or one part's) share of the team's work."""

    key: str
    name: str
    part: Part
    by_stage: Counter[Stage] = field(default_factory=Counter)
    case_ids: set[str] = field(default_factory=set)
    overdue: int = 0
    meetings_this_week: int = 0
    stale: int = 0
    handovers: int = 0
    days_since_last_event: int = 0

    @property
    def active(self) -> int:
        return len(self.case_ids)


SORT_KEYS = {
    "namn": lambda load: load.name,
    "aktiva": lambda load: -load.active,
    "forsenade": lambda load: -load.overdue,
    "moten": lambda load: -load.meetings_this_week,
    "inaktiva": lambda load: -load.stale,
    "overlamningar": lambda load: -load.handovers,
    "dagar": lambda load: -load.days_since_last_event,
}


def by_part(loads: Sequence[Load]) -> list[Load]:
    """The same figures per part: its people's cases counted once each."""
    parts: dict[Part, Load] = {}
    for load in loads:
        total = parts.setdefault(load.part, Load(load.part.value, load.part.label, load.part))
        total.case_ids |= load.case_ids
        total.overdue += load.overdue
        total.meetings_this_week += load.meetings_this_week
        total.stale += load.stale
        total.handovers += load.handovers
        total.days_since_last_event = max(total.days_since_last_event, load.days_since_last_event)
        total.by_stage.update(load.by_stage)
    return [parts[p] for p in Part if p in parts]


# -- referrals ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralTrend:
    months: list[date]
    counts: dict[Part, list[int]]
    quiet: list[Part]  # referred earlier in the window, not in its last three months


# -- the SUS registration export -------------------------------------------------------------

SUS_COLUMNS = [
    "Ärendekod",
    "Personnummer",
    "Registreringstyp",
    "Kön",
    "Åldersgrupp",
    "Utbildningsnivå",
    "Försörjning vid inskrivning",
    "Tid i offentlig försörjning",
    "Sysselsättning vid inskrivning",
    "Insats",
    "Insatstyp",
    "Startdatum",
    "Slutdatum",
    "Avslutsorsak",
    "Sysselsättning vid avslut",
    "Försörjning vid avslut",
]


# -- exports -------------------------------------------------------------------------------


# How many choices of Statistik (teams, period, insats) a process keeps the figures of.
FIGURES_KEPT = 32


@dataclass(frozen=True)
class _Figures:
    tables: list[Table]
    position: int  # the event log's, read before the facts
    sessions: tuple[int, ...]  # `_sessions_revision`, read before the facts


_SESSIONS_REVISION = (
    sa.select(sa.func.count())
    .select_from(insats_sessions)
    .where(insats_sessions.c.team_id.in_(sa.bindparam("teams", expanding=True)))
)
_INSATSER_REVISION = sa.select(
    sa.func.count(), sa.func.coalesce(sa.func.sum(insatser.c.version), 0)
).where(insatser.c.team_id.in_(sa.bindparam("teams", expanding=True)))


class Reports:
    """The read side of reports: statistics facts, caseload, the referral queue and trend,
    SUS rows."""

    def __init__(self, engine: Engine, cases: Cases) -> None:
        self.engine = engine
        self.cases = cases
        self._figures: OrderedDict[Hashable, _Figures] = OrderedDict()
        self._figures_lock = threading.Lock()

    def statistics(
        self,
        teams: Sequence[str],
        insats_id: str,
        period: Period,
        follow_up_months: Sequence[int],
        insats_names: Mapping[str, str],
        today: date,
    ) -> list[Table]:
        """Statistik's tables of these teams (or of one insats) for the period, computed once
        for as long as nothing they count changes: kept per process for the last
        FIGURES_KEPT choices, each with the event log's position and the sessions' revision
        it was computed at, and computed anew when an enrolled case of the teams has had an
        event since or a session or insats of theirs was added or changed. Both are read
        from the database, so every instance sees every other's changes."""
        key = (
            tuple(teams),
            insats_id,
            period,
            tuple(follow_up_months),
            tuple(sorted(insats_names.items())),
            today,
        )
        sessions = self._sessions_revision(teams)
        with self._figures_lock:
            kept = self._figures.get(key)
        if (
            kept is not None
            and kept.sessions == sessions
            and not self.cases.changed_since(kept.position, teams, enrolled_only=True)
        ):
            with self._figures_lock:
                if key in self._figures:
                    self._figures.move_to_end(key)
            return kept.tables
        position = self.cases.last_change()
        tables = statistics(
            self.case_facts(teams, insats_id),
            self.follow_up_facts(teams),
            period,
            follow_up_months,
            self.session_facts(teams, insats_id),
            insats_names,
        )
        with self._figures_lock:
            self._figures[key] = _Figures(tables, position, sessions)
            self._figures.move_to_end(key)
            while len(self._figures) > FIGURES_KEPT:
                self._figures.popitem(last=False)
        return tables

    def _sessions_revision(self, teams: Sequence[str]) -> tuple[int, ...]:
        """What changes when a session of these teams is recorded (sessions are only ever
        added) or one of their insatser is added or changed."""
        with self.engine.connect() as conn:
            recorded = conn.execute(_SESSIONS_REVISION, {"teams": list(teams)}).scalar_one()
            programmes = conn.execute(_INSATSER_REVISION, {"teams": list(teams)}).one()
        return (int(recorded), int(programmes[0]), int(programmes[1]))

    def case_facts(self, teams: Collection[str], insats_id: str = "") -> list[CaseFacts]:
        """The statistics' facts of the cases of these teams (or of one insats)."""
        columns = [
            cases.c[name]
            for name in (
                "case_id",
                "case_code",
                "registration_type",
                "gender",
                "age_group",
                "insats_id",
                "start_date",
                "closed_on",
                "closure_kind",
                "closure_reason",
                "occupation_at_closure",
                "occupation_at_enrolment",
                "support_sources",
                "support_at_closure",
                "max_level",
                "stepped_up",
                "handovers",
                "meetings_held",
            )
        ]
        query = sa.select(*columns).where(
            cases.c.team_id.in_(teams), cases.c.start_date.is_not(None)
        )
        if insats_id:
            query = query.where(cases.c.insats_id == insats_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            CaseFacts(
                case_id=r.case_id,
                case_code=r.case_code,
                registration_type=RegistrationType(r.registration_type),
                gender=Gender(r.gender),
                age_group=AgeGroup(r.age_group) if r.age_group else None,
                insats_id=r.insats_id,
                start_date=r.start_date,
                closed_on=r.closed_on,
                closure_kind=ClosureKind(r.closure_kind) if r.closure_kind else None,
                closure_reason=ClosureReason(r.closure_reason) if r.closure_reason else None,
                occupation=Occupation(r.occupation_at_closure) if r.occupation_at_closure else None,
                occupation_at_enrolment=Occupation(r.occupation_at_enrolment)
                if r.occupation_at_enrolment
                else None,
                support_at_enrolment=_sources(r.support_sources),
                support_at_closure=_sources(r.support_at_closure),
                max_level=r.max_level,
                stepped_up=r.stepped_up,
                handovers=r.handovers,
                meetings_held=r.meetings_held,
            )
            for r in rows
        ]

    def session_facts(self, teams: Collection[str], insats_id: str = "") -> list[SessionFacts]:
        """The sessions of the teams' volym- and strukturinsatser (or of one insats)."""
        query = (
            sa.select(insats_sessions, insatser.c.registration_kind)
            .join(insatser, insatser.c.id == insats_sessions.c.insats_id)
            .where(insats_sessions.c.team_id.in_(teams))
        )
        if insats_id:
            query = query.where(insats_sessions.c.insats_id == insats_id)
        with self.engine.connect() as conn:
            return [
                SessionFacts(
                    RegistrationKind(r.registration_kind),
                    r.insats_id,
                    r.held_on,
                    {g: int(r.counts.get("gender", {}).get(g.value, 0)) for g in Gender},
                    {a: int(r.counts.get("age", {}).get(a.value, 0)) for a in AgeGroup},
                    {p: int(r.counts.get("staff", {}).get(p.value, 0)) for p in Part},
                )
                for r in conn.execute(query)
            ]

    def follow_up_facts(self, teams: Collection[str]) -> list[FollowUpFacts]:
        # the facts only: the participant's obstacles stay sealed and unread
        query = (
            sa.select(
                *(
                    case_follow_ups.c[name]
                    for name in (
                        "case_id",
                        "months",
                        "recorded_on",
                        "in_work_or_studies",
                        "support_sources",
                        "late",
                    )
                )
            )
            .join(cases, cases.c.case_id == case_follow_ups.c.case_id)
            .where(cases.c.team_id.in_(teams))
        )
        with self.engine.connect() as conn:
            return [
                FollowUpFacts(
                    r.case_id,
                    r.months,
                    r.recorded_on,
                    r.in_work_or_studies,
                    _sources(r.support_sources),
                    r.late,
                )
                for r in conn.execute(query)
            ]

    def caseload(self, team_id: str, now: datetime) -> list[Load]:
        """Per handläggare and samordnare: active cases by stage (as responsible samordnare or
        for an open activity), overdue reminders, meetings this week, cases with no event for
        30 days, handovers on their cases, and the longest time since a case's last event."""
        today = now.astimezone(TEAM_TIMEZONE).date()
        week_start = datetime.combine(today - timedelta(days=today.weekday()), datetime.min.time())
        with self.engine.connect() as conn:
            people = conn.execute(
                sa.select(users.c.id, users.c.name, users.c.part).where(
                    users.c.team_id == team_id,
                    users.c.active.is_(True),
                    users.c.role.in_([Role.CASEWORKER, Role.COORDINATOR]),
                )
            ).all()
            active = conn.execute(
                sa.select(
                    cases.c.case_id,
                    cases.c.stage,
                    cases.c.coordinator_id,
                    cases.c.handovers,
                    cases.c.last_event_at,
                ).where(cases.c.team_id == team_id, cases.c.stage.in_(ACTIVE))
            ).all()
            responsible = conn.execute(
                sa.select(case_activities.c.case_id, case_activities.c.responsible_id)
                .join(cases, cases.c.case_id == case_activities.c.case_id)
                .where(
                    cases.c.team_id == team_id,
                    cases.c.stage.in_(ACTIVE),
                    case_activities.c.status.in_(["planned", "ongoing"]),
                )
            ).all()
            overdue: dict[str, int] = dict(
                conn.execute(
                    sa.select(due_reminders.c.recipient_id, sa.func.count())
                    .join(cases, cases.c.case_id == due_reminders.c.case_id)
                    .where(cases.c.team_id == team_id, due_reminders.c.due_on < today)
                    .group_by(due_reminders.c.recipient_id)
                ).all()
            )
            week = (
                conn.execute(
                    sa.select(case_meetings.c.invitee_ids).where(
                        case_meetings.c.team_id == team_id,
                        case_meetings.c.status != "cancelled",
                        case_meetings.c.starts_at >= week_start,
                        case_meetings.c.starts_at < week_start + timedelta(days=7),
                    )
                )
                .scalars()
                .all()
            )
        return _loads(people, active, responsible, overdue, week, now)

    def case_list(self, case_ids: set[str]) -> list[dict[str, Any]]:
        query = (
            sa.select(cases.c.case_id, cases.c.case_code, cases.c.stage, cases.c.last_event_at)
            .where(cases.c.case_id.in_(case_ids))
            .order_by(cases.c.case_code)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def referral_queue(self, team_id: str) -> list[dict[str, Any]]:
        """Referrals not yet accepted or declined, oldest first."""
        query = (
            sa.select(cases.c.case_id, cases.c.case_code, cases.c.from_part, cases.c.referral_date)
            .where(
                cases.c.team_id == team_id,
                cases.c.stage == Stage.REFERRAL,
                cases.c.accepted_on.is_(None),
            )
            .order_by(cases.c.referral_date)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def referrals_per_part(self, team_id: str, today: date, months: int = 12) -> ReferralTrend:
        first = date(today.year, today.month, 1) - relativedelta(months=months - 1)
        window = [first + relativedelta(months=n) for n in range(months)]
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(cases.c.from_part, cases.c.referral_date).where(
                    cases.c.team_id == team_id, cases.c.referral_date >= first
                )
            ).all()
        counts = {p: [0] * months for p in Part}
        for part, referred in rows:
            index = (referred.year - first.year) * 12 + referred.month - first.month
            if 0 <= index < months:
                counts[Part(part)][index] += 1
        quiet = [p for p in Part if sum(counts[p][:-3]) > 0 and sum(counts[p][-3:]) == 0]
        return ReferralTrend(window, counts, quiet)

    def sus_rows(
        self, team_id: str, start: date, end: date, personnummer: dict[str, str]
    ) -> list[list[str]]:
        """Per case active in the period, the fields the national follow-up system asks for.
        `personnummer` holds those the exporting user may see; the rest stay empty."""
        query = (
            sa.select(
                cases,
                insatser.c.name.label("insats_name"),
                insatser.c.insats_type.label("insats_type"),
            )
            .outerjoin(insatser, insatser.c.id == cases.c.insats_id)
            .where(
                cases.c.team_id == team_id,
                cases.c.start_date.is_not(None),
                cases.c.start_date <= end,
                sa.or_(cases.c.closed_on.is_(None), cases.c.closed_on >= start),
            )
            .order_by(cases.c.start_date, cases.c.case_code)
        )

        def label(vocabulary: Any, value: str | None) -> str:
            found = vocabulary.parse(value or "")
            return str(found.label) if found else ""

        def labels(vocabulary: Any, values: Sequence[str] | None) -> str:
            return "; ".join(label(vocabulary, s) for s in values or ())

        with self.engine.connect() as conn:
            return [
                [
                    r.case_code,
                    personnummer.get(r.case_id, ""),
                    label(v.RegistrationType, r.registration_type),
                    label(v.Gender, r.gender),
                    label(v.AgeGroup, r.age_group),
                    label(v.EducationLevel, r.education),
                    labels(v.SupportSource, r.support_sources),
                    label(v.TimeInSupport, r.time_in_support),
                    label(v.Occupation, r.occupation_at_enrolment),
                    r.insats_name or "",
                    label(v.InsatsType, r.insats_type),
                    str(r.start_date),
                    str(r.closed_on or ""),
                    label(v.ClosureReason, r.closure_reason),
                    label(v.Occupation, r.occupation_at_closure),
                    labels(v.SupportSource, r.support_at_closure),
                ]
                for r in conn.execute(query)
            ]


def _loads(
    people: Sequence[Any],
    active: Sequence[Any],
    responsible: Sequence[Any],
    overdue: dict[str, int],
    week: Sequence[list[str]],
    now: datetime,
) -> list[Load]:
    """Each person's load from the rows the caseload query read."""
    loads = {p.id: Load(p.id, p.name, Part(p.part)) for p in people}
    involved: dict[str, set[str]] = defaultdict(set)
    for case_id, person in responsible:
        involved[person].add(case_id)
    for row in active:
        if row.coordinator_id:
            involved[row.coordinator_id].add(row.case_id)
    by_id = {row.case_id: row for row in active}
    for person, load in loads.items():
        for case_id in involved[person]:
            row = by_id[case_id]
            load.case_ids.add(case_id)
            load.by_stage[Stage(row.stage)] += 1
            load.handovers += row.handovers
            idle = now - row.last_event_at
            load.days_since_last_event = max(load.days_since_last_event, idle.days)
            load.stale += idle >= STALE_AFTER
        load.overdue = overdue.get(person, 0)
        load.meetings_this_week = sum(person in invitees for invitees in week)
    return list(loads.values())
