"""The cases in the JSON API (`/api/v1/cases`): the team's cases, one case as the gate lets
the reader see it, and the journey's commands, each with the version of the case it was
read at. Thin, like the pages: the same case service, the same gate, the same Läslogg and
the same Swedish messages, as problem details."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any

from dateutil.relativedelta import relativedelta
from litestar import Controller, Router, get, post
from litestar.concurrency import sync_to_thread
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.params import (
    FromPath,
    FromQuery,
    HeaderParameter,
    JSONBody,
    QueryParameter,
)
from litestar.types import Guard

import events
from coordination.accounts.insatser import Insatser
from coordination.accounts.service import Accounts
from coordination.cases import domain as case
from coordination.cases import gate
from coordination.cases.board import CaseRow
from coordination.cases.service import CaseChanged, CaseFile, CaseRefused, Cases
from coordination.config import Settings
from coordination.shared import access, bounds
from coordination.shared.access import User
from coordination.shared.api import (
    API_V1,
    COMMAND_PROBLEMS,
    PROBLEMS,
    Problem,
    invalid,
    may_write,
    text_problems,
)
from coordination.shared.clock import TEAM_TIMEZONE, Clock
from coordination.shared.vocabulary import (
    ActivityStatus,
    AgeGroup,
    ClosureKind,
    ClosureReason,
    EducationLevel,
    Gender,
    MeetingMode,
    Occupation,
    Part,
    RegistrationType,
    SelfAssessmentPhase,
    Stage,
    SupportSource,
    TimeInSupport,
)
from coordination.shared.web import allowed

# How the Läslogg names what the API showed.
SHOWN_BY = "API"


def _zoned(moment: datetime | None) -> datetime | None:
    """A time of the team's (meetings are kept in its local time) with its offset, as
    RFC 3339 wants it."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=TEAM_TIMEZONE)


def _local(moment: datetime) -> datetime:
    """A time given to a command, in the team's local time as the forms take it: one with
    an offset is converted, one without is taken as the team's already."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(TEAM_TIMEZONE).replace(tzinfo=None)
    return moment.replace(second=0, microsecond=0)


def _open(value: Any) -> Any:
    """Personal data erased with the participant's key reads as null."""
    return None if value is events.ERASED else value


# -- what the API answers -------------------------------------------------------------------


@dataclass(frozen=True)
class CaseSummary:
    """A case's code, stage, dates and SUS categories: no personal data."""

    id: str
    code: str
    stage: Stage
    version: int
    from_part: Part
    referral_date: date
    accepted_on: date | None
    registration_type: RegistrationType | None
    start_date: date | None
    consent_parts: list[Part]
    consent_withdrawn: bool
    coordinator_name: str | None
    insats_name: str | None
    plan_version: int
    level: int | None
    handovers: int
    closed_on: date | None
    closure_kind: str | None
    closure_reason: str | None
    next_meeting_at: datetime | None
    erased: bool

    @classmethod
    def of(cls, row: CaseRow) -> CaseSummary:
        return cls(
            id=row.case_id,
            code=row.case_code,
            stage=row.stage,
            version=row.version,
            from_part=row.from_part,
            referral_date=row.referral_date,
            accepted_on=row.accepted_on,
            registration_type=row.registration_type,
            start_date=row.start_date,
            consent_parts=list(row.consent_parts),
            consent_withdrawn=row.consent_withdrawn,
            coordinator_name=row.coordinator_name,
            insats_name=row.insats_name,
            plan_version=row.plan_version,
            level=row.level,
            handovers=row.handovers,
            closed_on=row.closed_on,
            closure_kind=row.closure_kind,
            closure_reason=row.closure_reason,
            next_meeting_at=_zoned(row.next_meeting_at),
            erased=row.erased_on is not None,
        )


@dataclass(frozen=True)
class ParticipantData:
    """The participant's personal data (null where erased or not given)."""

    name: str | None
    personnummer: str | None
    phone: str | None
    email: str | None
    address: str | None
    referral_reason: str | None
    decline_reason: str | None
    consent_note: str | None
    next_step: str | None


@dataclass(frozen=True)
class AssessmentOut:
    recorded_on: date
    situation: str | None
    formal_competences: str | None
    informal_competences: str | None
    interests: str | None
    obstacles: str | None
    motivation: str | None
    participant_words: str | None


@dataclass(frozen=True)
class ActivityOut:
    id: str
    what: str
    part: Part
    responsible_id: str
    start_on: date
    due_on: date
    status: ActivityStatus
    drop_reason: str


@dataclass(frozen=True)
class PlanOut:
    version: int
    goals_short: str
    goals_long: str
    participant_words: str
    staff_notes: str
    agreed_by: list[str]
    participant_agreed: bool
    agreed_on: date
    review_on: date


@dataclass(frozen=True)
class MeetingOut:
    """A meeting's time and status; its place, agenda and decisions only with the data."""

    id: str
    starts_at: datetime
    minutes: int
    mode: MeetingMode
    status: str
    place: str
    invitee_ids: list[str]
    agenda: str
    held_on: date | None
    attended_parts: list[Part]
    decisions: str


@dataclass(frozen=True)
class StepOut:
    """A step on the ladder (`kind` "step", `level`) or a self-assessment (`level` the
    score); its evidence or note only with the data."""

    kind: str
    recorded_on: date
    level: int
    phase: str | None
    text: str | None


@dataclass(frozen=True)
class FollowUpOut:
    months: int
    recorded_on: date
    occupation: str
    support_sources: list[str]
    in_work_or_studies: bool
    late: bool
    obstacles: str | None


@dataclass(frozen=True)
class TimelineEntry:
    """What happened, newest first: no personal data."""

    event_type: str
    recorded_at: datetime
    actor_name: str | None
    actor_part: str | None
    details: dict[str, Any]


@dataclass(frozen=True)
class CaseDetail:
    """One case as the gate lets the reader see it. `personal_data_shown`: the participant's
    data is in the answer (and the read is in the Läslogg); otherwise the personal fields
    are null or empty."""

    case: CaseSummary
    personal_data_shown: bool
    may_work: bool
    participant: ParticipantData | None
    assessments: list[AssessmentOut]
    plan: PlanOut | None
    activities: list[ActivityOut]
    meetings: list[MeetingOut]
    steps: list[StepOut]
    follow_ups: list[FollowUpOut]
    timeline: list[TimelineEntry]


@dataclass(frozen=True)
class CommandDone:
    """The case after the command: its id and its new version (the next `expected_version`)."""

    case_id: str
    version: int


def _detail(cases: Cases, file: CaseFile) -> CaseDetail:
    reader = cases.reader
    people = cases.people(file)
    versions = reader.plan_versions(file)
    latest = versions[-1] if versions else None
    return CaseDetail(
        case=CaseSummary.of(file.row),
        personal_data_shown=file.personal,
        may_work=file.may_work,
        participant=ParticipantData(
            **{name: _open(people.get(name)) for name in ParticipantData.__annotations__}
        )
        if people is not None
        else None,
        assessments=[
            AssessmentOut(**{name: _open(a.get(name)) for name in AssessmentOut.__annotations__})
            for a in reader.assessments(file)
        ],
        plan=PlanOut(
            latest.version,
            latest.plan.goals_short,
            latest.plan.goals_long,
            latest.plan.participant_words,
            latest.plan.staff_notes,
            list(latest.plan.agreed_by),
            latest.plan.participant_agreed,
            latest.plan.agreed_on,
            latest.plan.review_on,
        )
        if latest is not None and latest.plan is not None
        else None,
        activities=[
            ActivityOut(
                a.activity_id,
                a.what,
                a.part,
                a.responsible_id,
                a.start_on,
                a.due_on,
                a.status,
                a.drop_reason,
            )
            for a in reader.activities(file)
        ],
        meetings=[
            MeetingOut(
                m.meeting_id,
                _zoned(m.starts_at) or m.starts_at,
                m.minutes,
                m.mode,
                str(m.status),
                m.place,
                list(m.invitee_ids),
                m.agenda,
                m.held_on,
                list(m.attended_parts),
                m.decisions,
            )
            for m in reader.meetings(file)
        ],
        steps=[
            StepOut(s["kind"], s["recorded_on"], s["level"], s["phase"], _open(s["text"]))
            for s in reader.steps(file)
        ],
        follow_ups=[
            FollowUpOut(
                f["months"],
                f["recorded_on"],
                f["occupation"],
                list(f["support_sources"]),
                f["in_work_or_studies"],
                f["late"],
                _open(f["obstacles"]),
            )
            for f in reader.follow_ups(file)
        ],
        timeline=[
            TimelineEntry(
                t["event_type"], t["recorded_at"], t["actor_name"], t["actor_part"], t["details"]
            )
            for t in cases.timeline(file)
        ],
    )


# -- what the commands take -------------------------------------------------------------------
# The API's own contract, not the domain's commands: those may change without breaking an
# integration, and the schema names the fields as the forms do.


@dataclass(frozen=True)
class ReferralBody:
    from_part: Part
    from_caseworker: str
    reason: str
    referral_date: date


@dataclass(frozen=True)
class AcceptReferralBody:
    expected_version: int
    accepted_on: date


@dataclass(frozen=True)
class DeclineReferralBody:
    expected_version: int
    reason: str
    declined_on: date


@dataclass(frozen=True)
class ParticipantBody:
    name: str
    personnummer: str
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass(frozen=True)
class EnrolBody:
    expected_version: int
    registration_type: RegistrationType
    gender: Gender
    start_date: date
    insats_id: str
    coordinator_id: str
    consent_parts: list[Part] = field(default_factory=list)
    consent_note: str = ""
    participant: ParticipantBody | None = None
    age_group: AgeGroup | None = None
    education: EducationLevel | None = None
    support_sources: list[SupportSource] = field(default_factory=list)
    time_in_support: TimeInSupport | None = None
    occupation: Occupation | None = None
    duplicate_reason: str = ""


def _dropped_when_anonymous(data: EnrolBody) -> dict[str, str]:
    """An anonymous case keeps kön, dates and the age group only: anything else sent with
    it is refused, so that a script never believes it stored what was dropped."""
    sent = {
        "participant": data.participant is not None,
        "consent_parts": bool(data.consent_parts),
        "consent_note": bool(data.consent_note),
        "education": data.education is not None,
        "support_sources": bool(data.support_sources),
        "time_in_support": data.time_in_support is not None,
        "occupation": data.occupation is not None,
        "duplicate_reason": bool(data.duplicate_reason),
    }
    return {
        name: "En anonym inskrivning sparar bara kön, datum och åldersgrupp: skicka inte detta."
        for name, given in sent.items()
        if given
    }


@dataclass(frozen=True)
class WithdrawConsentBody:
    expected_version: int
    reason: str


@dataclass(frozen=True)
class RenewConsentBody:
    expected_version: int
    consent_parts: list[Part]
    consent_note: str = ""


@dataclass(frozen=True)
class AssessmentBody:
    expected_version: int
    recorded_on: date
    situation: str = ""
    formal_competences: str = ""
    informal_competences: str = ""
    interests: str = ""
    obstacles: str = ""
    motivation: str = ""
    participant_words: str = ""


@dataclass(frozen=True)
class ActivityBody:
    """An activity of the plan; `id` of one already in it keeps its status."""

    what: str
    part: Part
    responsible_id: str
    start_on: date
    due_on: date
    id: str | None = None


@dataclass(frozen=True)
class PlanBody:
    """The first plan, or a revision of the agreed one (then `reason` says why)."""

    expected_version: int
    agreed_on: date
    goals_short: str = ""
    goals_long: str = ""
    participant_words: str = ""
    staff_notes: str = ""
    activities: list[ActivityBody] = field(default_factory=list)
    agreed_by: list[str] = field(default_factory=list)
    participant_agreed: bool = False
    review_on: date | None = None
    reason: str = ""


@dataclass(frozen=True)
class ActivityStatusBody:
    expected_version: int
    status: ActivityStatus
    on: date | None = None
    reason: str = ""


@dataclass(frozen=True)
class MeetingBody:
    """A network meeting to call: `starts_at` with an offset, or without one in the team's
    local time (Europe/Stockholm)."""

    starts_at: datetime
    minutes: int
    mode: MeetingMode
    invitee_ids: list[str]
    place: str = ""
    participant_invited: bool = True
    others_invited: str = ""
    agenda: str = ""


@dataclass(frozen=True)
class ScheduleMeetingBody:
    expected_version: int
    meeting: MeetingBody


@dataclass(frozen=True)
class RecordMeetingBody:
    expected_version: int
    held_on: date
    attended_parts: list[Part]
    participant_attended: bool = False
    decisions: str = ""
    new_activities: list[ActivityBody] = field(default_factory=list)
    next_meeting: MeetingBody | None = None
    activity_statuses: dict[str, ActivityStatus] = field(default_factory=dict)


@dataclass(frozen=True)
class MoveMeetingBody:
    expected_version: int
    starts_at: datetime
    place: str = ""
    reason: str = ""


@dataclass(frozen=True)
class CancelMeetingBody:
    expected_version: int
    reason: str


@dataclass(frozen=True)
class StepBody:
    expected_version: int
    recorded_on: date
    to_level: int
    evidence: str = ""


@dataclass(frozen=True)
class SelfAssessmentBody:
    expected_version: int
    recorded_on: date
    phase: SelfAssessmentPhase
    score: int
    note: str = ""


@dataclass(frozen=True)
class HandOverBody:
    """`part`: the part whose responsibility is handed over; null for the samordnare's."""

    expected_version: int
    to_id: str
    reason: str
    part: Part | None = None


@dataclass(frozen=True)
class CloseBody:
    expected_version: int
    kind: ClosureKind
    reason: ClosureReason
    occupation: Occupation
    closed_on: date
    support_sources: list[SupportSource] = field(default_factory=list)
    next_step: str = ""
    no_next_step: bool = False


@dataclass(frozen=True)
class ReopenBody:
    expected_version: int
    reason: str
    consent_parts: list[Part]
    reopened_on: date
    consent_note: str = ""


@dataclass(frozen=True)
class FollowUpBody:
    expected_version: int
    recorded_on: date
    occupation: Occupation
    support_sources: list[SupportSource] = field(default_factory=list)
    obstacles: str = ""


@dataclass(frozen=True)
class StartAfterSupportBody:
    expected_version: int
    started_on: date
    planned_end: date | None = None


@dataclass(frozen=True)
class AfterSupportContactBody:
    expected_version: int
    contacted_on: date
    note: str = ""


@dataclass(frozen=True)
class EndAfterSupportBody:
    expected_version: int
    ended_on: date


# The fields of several lines (textareas on the pages); every other text is one line.
FREE_TEXT = frozenset(
    {
        "reason",
        "consent_note",
        "situation",
        "formal_competences",
        "informal_competences",
        "interests",
        "obstacles",
        "motivation",
        "participant_words",
        "goals_short",
        "goals_long",
        "staff_notes",
        "agenda",
        "decisions",
        "evidence",
        "note",
        "next_step",
        "duplicate_reason",
    }
)


# -- reading bodies into commands, as the forms do ---------------------------------------------

Build = Callable[[dict[str, str]], case.Command]


def _activity(
    body: ActivityBody,
    key: str,
    errors: dict[str, str],
    existing: Mapping[str, case.Activity],
    part_of_staff: Mapping[str, Part],
) -> case.Activity:
    """As a plan row of the form: the responsible person works for the activity's part."""
    if part_of_staff.get(body.responsible_id, body.part) != body.part:
        errors[f"{key}.responsible_id"] = f"Välj någon som arbetar på {body.part.label}."
    earlier = existing.get(body.id or "")
    return case.Activity(
        earlier.activity_id if earlier else str(uuid.uuid4()),
        body.what,
        body.part,
        body.responsible_id,
        body.start_on,
        body.due_on,
        earlier.status if earlier else ActivityStatus.PLANNED,
        earlier.drop_reason if earlier else "",
    )


def _meeting(body: MeetingBody, meeting_id: str | None = None) -> case.MeetingScheduled:
    return case.MeetingScheduled(
        meeting_id or str(uuid.uuid4()),
        _local(body.starts_at),
        body.minutes,
        body.mode,
        body.place,
        tuple(body.invitee_ids),
        body.participant_invited,
        body.others_invited,
        body.agenda,
    )


def _meeting_problems(body: MeetingBody | None, prefix: str) -> dict[str, str]:
    """What the form's fields refuse of a meeting: a length out of bounds."""
    if body is None:
        return {}
    found = {}
    low, high = bounds.MEETING_MINUTES
    if not low <= body.minutes <= high:
        found[f"{prefix}minutes"] = f"Ange ett heltal från {low} till {high}."
    return found


@dataclass
class CaseCommands:
    """Runs the journey's commands for one request, as the case desk runs the forms'."""

    user: NamedDependency[User]
    cases: NamedDependency[Cases]
    accounts: NamedDependency[Accounts]
    insatser: NamedDependency[Insatser]
    settings: NamedDependency[Settings]
    clock: NamedDependency[Clock]

    def run(self, case_id: str, body: Any, build: Build) -> CommandDone:
        """The gate refuses before anything of the body is read; bad fields come back (422)
        with what the domain says of the others; a stale `expected_version` is 409."""
        row = self.cases.visible_case(self.user, case_id)
        cannot = self.cases.act_refusal(self.user, row)
        if cannot is not None:
            raise CaseRefused(cannot)
        errors = text_problems(body, FREE_TEXT)
        command = build(errors)
        refused = self.cases.refusal(self.user, row, command)
        if refused is not None:
            raise CaseRefused(refused)
        if errors:
            if bounds.DATE_MESSAGE not in errors.values():  # no date the domain cannot count
                self._add_domain_problems(case_id, body.expected_version, command, errors)
            raise invalid(errors)
        try:
            version = self.cases.execute(self.user, case_id, body.expected_version, command)
        except case.Rejected as rejected:
            raise invalid(dict(rejected.errors)) from None
        except CaseChanged:
            raise Problem(409, "Ärendet har ändrats", STALE_VERSION) from None
        return CommandDone(case_id, version)

    def _add_domain_problems(
        self, case_id: str, expected: int, command: case.Command, errors: dict[str, str]
    ) -> None:
        try:
            self.cases.try_out(self.user, case_id, expected, command)
        except case.Rejected as rejected:
            for name, message in rejected.errors.items():
                errors.setdefault(name, message)
        except CaseChanged:
            pass

    def activities(self, case_id: str) -> dict[str, case.Activity]:
        """The current plan's activities by id (personal data: through the gate, logged)."""
        file = self.cases.open_personal(self.user, case_id, f"{SHOWN_BY}: planens aktiviteter")
        return {a.activity_id: a for a in self.cases.reader.activities(file)}

    def part_of_staff(self) -> dict[str, Part]:
        return {u.id: u.part for u in self.accounts.team_users(self.user.team_id)}


def _summaries(cases: Cases, user: User, entries: list[Any]) -> list[CaseSummary]:
    rows = cases.rows_of(user.team_id, [e.case_id for e in entries])
    return [CaseSummary.of(rows[e.case_id]) for e in entries if e.case_id in rows]


# "Visa fler" goes no further on the team page either.
MOST_ROWS = 2_000
OPEN_STAGES = frozenset(Stage) - {Stage.CLOSED, Stage.DECLINED}


class CasesApi(Controller):
    path = f"{API_V1}/cases"
    tags = ["Ärenden"]
    dependencies = {"commands": Provide(CaseCommands, sync_to_thread=False)}

    @get(
        guards=[allowed(access.can_see_case_list, "Din roll ser bara statistik, inte ärenden.")],
        sync_to_thread=True,
        responses=PROBLEMS,
    )
    def list_cases(
        self,
        user: NamedDependency[User],
        cases: NamedDependency[Cases],
        stage: FromQuery[Stage | None] = None,
        mine: Annotated[
            bool, QueryParameter(description="Bara ärenden vars samtycke omfattar min part.")
        ] = False,
        closed: Annotated[
            bool | None,
            QueryParameter(
                description="true: bara avslutade och avböjda; false: bara öppna; utan: alla."
            ),
        ] = None,
        code: Annotated[str, QueryParameter(max_length=20, description="Del av ärendekoden.")] = "",
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=MOST_ROWS)] = 100,
    ) -> list[CaseSummary]:
        """The team's cases (no personal data), newest referral first, as the team page
        lists them."""
        board = cases.team_board(
            user.team_id, stage=stage, code=code, covering=user.part if mine else None
        )
        if closed is not None:
            board = [e for e in board if (e.stage not in OPEN_STAGES) is closed]
        board.sort(key=lambda e: (e.referral_date, e.case_code), reverse=True)
        return _summaries(cases, user, board[offset : offset + limit])

    @get("/{case_ref:str}", sync_to_thread=True, responses=PROBLEMS)
    def get_case(
        self,
        case_ref: FromPath[str],
        user: NamedDependency[User],
        cases: NamedDependency[Cases],
    ) -> CaseDetail:
        """One case with its plan, meetings, steps, follow-ups and timeline; the
        participant's personal data only where the gate opens it, and then the read is in
        the Läslogg before anything is answered."""
        case_id = cases.case_with_code(case_ref.strip().upper()) or case_ref
        return _detail(cases, cases.open(user, case_id, f"{SHOWN_BY}: ärendet"))

    @post(
        guards=[may_write, allowed(access.can_register_referrals, gate.ROLE)],
        sync_to_thread=True,
        responses=COMMAND_PROBLEMS,
    )
    def register_referral(
        self,
        data: JSONBody[ReferralBody],
        commands: NamedDependency[CaseCommands],
        idempotency_key: Annotated[
            str | None,
            HeaderParameter(
                name="Idempotency-Key",
                max_length=36,
                description="En UUID som du väljer: samma nyckel igen (ett nytt försök efter "
                "ett avbrott) startar inget nytt ärende utan svarar med det första.",
            ),
        ] = None,
    ) -> CommandDone:
        """A new referral in the user's team: the case starts (version 1). With an
        `Idempotency-Key`, a request sent again starts no second case."""
        user, today = commands.user, commands.clock.today()
        errors = text_problems(data, FREE_TEXT)
        once = None
        if idempotency_key is not None:
            try:
                once = str(uuid.UUID(idempotency_key))
            except ValueError:
                errors["Idempotency-Key"] = "Ange en UUID, till exempel från uuidgen."

        def command(code: str) -> case.RegisterReferral:
            referred = today if "referral_date" in errors else data.referral_date
            return case.RegisterReferral(
                code, user.team_id, data.from_part, data.from_caseworker, data.reason, referred
            )

        errors = {**case.referral_problems(command(""), today), **errors}
        if errors:
            raise invalid(errors)
        try:
            case_id = commands.cases.register_referral(user, command, once)
        except case.Rejected as rejected:
            raise invalid(dict(rejected.errors)) from None
        return CommandDone(case_id, 1)


# The pages' words speak of the form kept; here the caller reads the case again.
STALE_VERSION = (
    "Ärendet har ändrats av någon annan sedan du läste det. Läs ärendet igen och skicka "
    "kommandot med dess nya version (expected_version)."
)


def _command(path: str, command: type) -> post:
    """A command of the journey (`command_routes` guards them all, the gate by `command`)."""
    return post(
        path,
        sync_to_thread=True,
        responses=COMMAND_PROBLEMS,
        status_code=200,
        opt={"command": command},
    )


CASE = "/{case_id:str}"


class CaseCommandsApi(Controller):
    """The journey's commands, as the case page's forms have them."""

    path = f"{API_V1}/cases"
    tags = ["Ärendets kommandon"]
    dependencies = {"commands": Provide(CaseCommands, sync_to_thread=False)}

    @_command(CASE + "/accept-referral", case.AcceptReferral)
    def accept_referral(
        self,
        case_id: FromPath[str],
        data: JSONBody[AcceptReferralBody],
        commands: NamedDependency[CaseCommands],
    ) -> CommandDone:
        return commands.run(case_id, data, lambda e: case.AcceptReferral(data.accepted_on))

    @_command(CASE + "/decline-referral", case.DeclineReferral)
    def decline_referral(
        self,
        case_id: FromPath[str],
        data: JSONBody[DeclineReferralBody],
        commands: NamedDependency[CaseCommands],
    ) -> CommandDone:
        return commands.run(
            case_id, data, lambda e: case.DeclineReferral(data.reason, data.declined_on)
        )

    @_command(CASE + "/enrol", case.Enrol)
    def enrol(
        self,
        case_id: FromPath[str],
        data: JSONBody[EnrolBody],
        commands: NamedDependency[CaseCommands],
    ) -> CommandDone:
        team = {i.id: i for i in commands.insatser.team_insatser(commands.user.team_id)}

        def build(errors: dict[str, str]) -> case.Command:
            chosen = team.get(data.insats_id)
            if chosen is None:
                errors["insats_id"] = gate.FOREIGN_INSATS
            elif problem := chosen.enrolment_problem(
                None if "start_date" in errors else data.start_date
            ):
                errors["insats_id"] = problem
            if data.registration_type is RegistrationType.ANONYMOUS:
                errors.update(_dropped_when_anonymous(data))
            person = data.participant
            return case.Enrol(
                registration_type=data.registration_type,
                gender=data.gender,
                start_date=data.start_date,
                insats_id=data.insats_id,
                coordinator_id=data.coordinator_id,
                consent_parts=tuple(data.consent_parts),
                consent_note=data.consent_note,
                participant=case.Participant(
                    person.name, person.personnummer, person.phone, person.email, person.address
                )
                if person is not None
                else None,
                age_group=data.age_group,
                education=data.education,
                support_sources=tuple(data.support_sources),
                time_in_support=data.time_in_support,
                occupation=data.occupation,
                duplicate_reason=data.duplicate_reason,
            )

        return commands.run(case_id, data, build)

    @_command(CASE + "/consent/withdraw", case.WithdrawConsent)
    def withdraw_consent(
        self,
        case_id: FromPath[str],
        data: JSONBody[WithdrawConsentBody],
        commands: NamedDependency[CaseCommands],
    ) -> CommandDone:
        today = commands.clock.today()
        return commands.run(case_id, data, lambda e: case.WithdrawConsent(data.reason, today))

    @_command(CASE + "/consent/renew", case.RenewConsent)
    def renew_consent(
        self,
        case_id: FromPath[str],
        data: JSONBody[RenewConsentBody],
        commands: NamedDependency[CaseCommands],
    ) -> CommandDone:
        today = commands.clock.today()
        return commands.run(
            case_id,
            data,
            lambda e: case.RenewConsent(tuple(data.consent_parts), data.consent_note, today),
        )

    @_command(CASE + "/assessment", case.RecordAssessment)
    def record_assessment(
        self,
        case_id: FromPath[str],
        data: JSONBody[AssessmentBody],
        commands: NamedDependency[CaseCommands],
    ) -> CommandDone:
        return commands.run(
            case_id,
            data,
            lambda e: case.RecordAssessment(
                data.situation,
                data.formal_competences,
                data.informal_competences,
                data.interests,
                data.obstacles,
                data.motivation,
                data.participant_words,
                data.recorded_on,
            ),
        )

    @_command(CASE + "/plan", case.AgreePlan)
    def agree_plan(
        self,
        case_id: FromPath[str],
        data: JSONBody[PlanBody],
        commands: NamedDependency[CaseCommands],
    ) -> CommandDone:
        def build(errors: dict[str, str]) -> case.Command:
            existing, staff = commands.activities(case_id), commands.part_of_staff()
            activities = tuple(
                _activity(a, f"activities.{i}", errors, existing, staff)
                for i, a in enumerate(data.activities)
            )
            agreed_on = commands.clock.today() if "agreed_on" in errors else data.agreed_on
            return case.AgreePlan(
                case.Plan(
                    data.goals_short,
                    data.goals_long,
                    data.participant_words,
                    data.staff_notes,
                    activities,
                    tuple(data.agreed_by),
                    data.participant_agreed,
                    agreed_on,
                    data.review_on or case.default_review_on(agreed_on),
                ),
                data.reason,
            )

        return commands.run(case_id, data, build)

    @_command(CASE + "/activities/{activity_id:str}", case.ChangeActivity)
    def change_activity(
        self,
        case_id: FromPath[str],
        activity_id: FromPath[str],
        data: JSONBody[ActivityStatusBody],
        commands: NamedDependency[CaseCommands],
    ) -> CommandDone:
        on = data.on or commands.clock.today()
        return commands.run(
            case_id, data, lambda e: case.ChangeActivity(activity_id, data.status, on, data.reason)
        )

    @_command(CASE + "/meetings", case.ScheduleMeeting)
    def schedule_meeting(
        self,
        case_id: FromPath[str],
        data: JSONBody[ScheduleMeetingBody],
        commands: NamedDependency[CaseCommands],
    ) -> CommandDone:
        def build(errors: dict[str, str]) -> case.Command:
            errors.update(_meeting_problems(data.meeting, "meeting."))
            return case.ScheduleMeeting(_meeting(data.meeting))

        return commands.run(case_id, data, build)

    @_command(CASE + "/meetings/{meeting_id:str}/record", case.RecordMeeting)
    def record_meeting(
        self,
        case_id: FromPath[str],
        meeting_id: FromPath[str],
        data: JSONBody[RecordMeetingBody],
        commands: NamedDependency[CaseCommands],
    ) -> CommandDone:
        def build(errors: dict[str, str]) -> case.Command:
            existing, staff = commands.activities(case_id), commands.part_of_staff()
            errors.update(_meeting_problems(data.next_meeting, "next_meeting."))
            return case.RecordMeeting(
                meeting_id,
                data.held_on,
                tuple(data.attended_parts),
                data.participant_attended,
                data.decisions,
                tuple(
                    _activity(a, f"new_activities.{i}", errors, existing, staff)
                    for i, a in enumerate(data.new_activities)
                ),
                _meeting(data.next_meeting) if data.next_meeting else None,
                dict(data.activity_statuses),
            )

        return commands.run(case_id, data, build)

    @_command(CASE + "/meetings/{meeting_id:str}/move", case.MoveMeeting)
    def move_meeting(
        self,
        case_id: FromPath[str],
        meeting_id: FromPath[str],
        data: JSONBody[MoveMeetingBody],
        commands: NamedDependency[CaseCommands],
    ) -> CommandDone:
        return commands.run(
            case_id,
            data,
            lambda e: case.MoveMeeting(meeting_id, _local(data.starts_at), data.place, data.reason),
        )

    @_command(CASE + "/meetings/{meeting_id:str}/cancel", case.CancelMeeting)
    def cancel_meeting(
        self,
        case_id: FromPath[str],
        meeting_id: FromPath[str],
        data: JSONBody[CancelMeetingBody],
        commands: NamedDependency[CaseCommands],
    ) -> CommandDone:
        return commands.run(case_id, data, lambda e: case.CancelMeeting(meeting_id, data.reason))

    @_command(CASE + "/steps", case.RecordStep)
    def record_step(
        self,
        case_id: FromPath[str],
        data: JSONBody[StepBody],
        commands: NamedDependency[CaseCommands],
    ) -> CommandDone:
        def build(errors: dict[str, str]) -> case.Command:
            top = len(commands.settings.ladder) - 1
            if not 0 <= data.to_level <= top:
                errors["to_level"] = f"Ange ett heltal från 0 till {top}."
            return case.RecordStep(data.recorded_on, data.to_level, data.evidence)

        return commands.run(case_id, data, build)

    @_command(CASE + "/self-assessments", case.RecordSelfAssessment)
    def record_self_assessment(
        self,
        case_id: FromPath[str],
        data: JSONBody[SelfAssessmentBody],
        commands: NamedDependency[CaseCommands],
    ) -> CommandDone:
        def build(errors: dict[str, str]) -> case.Command:
            top = len(commands.settings.self_assessment)
            if not 1 <= data.score <= top:
                errors["score"] = f"Ange ett heltal från 1 till {top}."
            return case.RecordSelfAssessment(data.recorded_on, data.phase, data.score, data.note)

        return commands.run(case_id, data, build)

    @_command(CASE + "/handover", case.HandOver)
    def hand_over(
        self,
        case_id: FromPath[str],
        data: JSONBody[HandOverBody],
        commands: NamedDependency[CaseCommands],
    ) -> CommandDone:
        today = commands.clock.today()
        return commands.run(
            case_id, data, lambda e: case.HandOver(data.part, data.to_id, data.reason, today)
        )

    @_command(CASE + "/close", case.CloseCase)
    def close_case(
        self,
        case_id: FromPath[str],
        data: JSONBody[CloseBody],
        commands: NamedDependency[CaseCommands],
    ) -> CommandDone:
        return commands.run(
            case_id,
            data,
            lambda e: case.CloseCase(
                data.kind,
                data.reason,
                data.occupation,
                tuple(data.support_sources),
                data.next_step,
                data.no_next_step,
                data.closed_on,
            ),
        )

    @_command(CASE + "/reopen", case.ReopenCase)
    def reopen_case(
        self,
        case_id: FromPath[str],
        data: JSONBody[ReopenBody],
        commands: NamedDependency[CaseCommands],
    ) -> CommandDone:
        return commands.run(
            case_id,
            data,
            lambda e: case.ReopenCase(
                data.reason, tuple(data.consent_parts), data.consent_note, data.reopened_on
            ),
        )

    @_command(CASE + "/follow-ups/{months:int}", case.RecordFollowUp)
    def record_follow_up(
        self,
        case_id: FromPath[str],
        months: FromPath[int],
        data: JSONBody[FollowUpBody],
        commands: NamedDependency[CaseCommands],
    ) -> CommandDone:
        timings = commands.settings.timings
        if months not in timings.follow_up_months:
            raise NotFoundException("Ingen uppföljning görs efter så många månader.")
        points = case.FollowUpPoints(timings.follow_up_months, timings.follow_up_window_months)
        return commands.run(
            case_id,
            data,
            lambda e: case.RecordFollowUp(
                months,
                data.recorded_on,
                data.occupation,
                tuple(data.support_sources),
                data.obstacles,
                points,
            ),
        )

    @_command(CASE + "/after-support/start", case.StartAfterSupport)
    def start_after_support(
        self,
        case_id: FromPath[str],
        data: JSONBody[StartAfterSupportBody],
        commands: NamedDependency[CaseCommands],
    ) -> CommandDone:
        def build(errors: dict[str, str]) -> case.Command:
            started = commands.clock.today() if "started_on" in errors else data.started_on
            months = commands.settings.timings.after_support_months
            return case.StartAfterSupport(
                started, data.planned_end or started + relativedelta(months=months)
            )

        return commands.run(case_id, data, build)

    @_command(CASE + "/after-support/contacts", case.LogAfterSupportContact)
    def log_after_support_contact(
        self,
        case_id: FromPath[str],
        data: JSONBody[AfterSupportContactBody],
        commands: NamedDependency[CaseCommands],
    ) -> CommandDone:
        return commands.run(
            case_id, data, lambda e: case.LogAfterSupportContact(data.contacted_on, data.note)
        )

    @_command(CASE + "/after-support/end", case.EndAfterSupport)
    def end_after_support(
        self,
        case_id: FromPath[str],
        data: JSONBody[EndAfterSupportBody],
        commands: NamedDependency[CaseCommands],
    ) -> CommandDone:
        return commands.run(case_id, data, lambda e: case.EndAfterSupport(data.ended_on))


def case_gate(cases: Cases) -> Guard:
    """The gate before anything of a command's body is read (as on the pages): a case the
    user does not see is not found; one they may run no command on, or not this kind of
    command, is refused."""

    def refusal(user: User, case_id: str, command: type) -> str | None:
        row = cases.visible_case(user, case_id)
        return cases.act_refusal(user, row) or cases.refusal(user, row, command)

    async def guard(
        connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
    ) -> None:
        user = connection.scope.get("user")
        if not isinstance(user, User):
            raise PermissionDeniedException(gate.ROLE)
        case_id, command = str(connection.path_params["case_id"]), handler.opt["command"]
        refused = await sync_to_thread(refusal, user, case_id, command)
        if refused is not None:
            raise CaseRefused(refused)

    return guard


def command_routes(cases: Cases) -> Router:
    """The journey's commands: a token that may write, then the gate, then the body."""
    return Router(path="/", route_handlers=[CaseCommandsApi], guards=[may_write, case_gate(cases)])


CONTROLLERS = [CasesApi]
