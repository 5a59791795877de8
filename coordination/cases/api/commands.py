"""The journey's commands on one case (`POST /api/v1/cases/{case_id}/…`), each with the
version of the case it was read at, behind the same gate as the pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from litestar import Controller, Router, post
from litestar.concurrency import sync_to_thread
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.params import (
    FromPath,
    JSONBody,
)
from litestar.types import Guard

from coordination.accounts.insatser import Insatser
from coordination.accounts.service import Accounts
from coordination.cases import domain as case
from coordination.cases import gate
from coordination.cases.api.answers import SHOWN_BY, CommandDone
from coordination.cases.api.bodies import (
    FREE_TEXT,
    AcceptReferralBody,
    ActivityStatusBody,
    AfterSupportContactBody,
    AssessmentBody,
    Build,
    CancelMeetingBody,
    CloseBody,
    DeclineReferralBody,
    EndAfterSupportBody,
    EnrolBody,
    FollowUpBody,
    HandOverBody,
    MoveMeetingBody,
    PlanBody,
    RecordMeetingBody,
    RenewConsentBody,
    ReopenBody,
    ScheduleMeetingBody,
    SelfAssessmentBody,
    StartAfterSupportBody,
    StepBody,
    WithdrawConsentBody,
    activity_of,
    dropped_when_anonymous,
    meeting_of,
    meeting_problems,
    team_local,
)
from coordination.cases.service import CaseChanged, CaseRefused, Cases
from coordination.config import Settings
from coordination.shared import bounds
from coordination.shared.access import User
from coordination.shared.api import (
    API_V1,
    COMMAND_PROBLEMS,
    Problem,
    invalid,
    may_write,
    text_problems,
)
from coordination.shared.clock import Clock
from coordination.shared.vocabulary import (
    Part,
    RegistrationType,
)


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
                errors.update(dropped_when_anonymous(data))
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
                activity_of(a, f"activities.{i}", errors, existing, staff)
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
            errors.update(meeting_problems(data.meeting, "meeting."))
            return case.ScheduleMeeting(meeting_of(data.meeting))

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
            errors.update(meeting_problems(data.next_meeting, "next_meeting."))
            return case.RecordMeeting(
                meeting_id,
                data.held_on,
                tuple(data.attended_parts),
                data.participant_attended,
                data.decisions,
                tuple(
                    activity_of(a, f"new_activities.{i}", errors, existing, staff)
                    for i, a in enumerate(data.new_activities)
                ),
                meeting_of(data.next_meeting) if data.next_meeting else None,
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
            lambda e: case.MoveMeeting(
                meeting_id, team_local(data.starts_at), data.place, data.reason
            ),
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
