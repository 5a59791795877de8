"""A case (ärende) from referral to the last follow-up, as a decider: pure `decide` and `evolve`.

The domain imports no framework, no database and no clock: today's date is passed in.

    events.py     the stored event contract: every fact, `Event`, `PERSONAL_FIELDS`, and the
                  value objects they carry (Participant, Activity, Plan)
    commands.py   what users ask for: every command and `Command`
    state.py      `CaseState`, `evolve`, `fold`, and `stage_of` (the stage an open case is in)
    rules.py      the guards every phase shares, `Rejected` and its common messages
    referral.py   deciding the referral, the enrolment and the consent
    planning.py   deciding the assessment, the action plan and its activities
    meetings.py   deciding network meetings (a held meeting may revise the plan)
    progress.py   deciding steps, self-assessments and handovers
    closure.py    deciding closure, reopening, follow-ups and after-support
    decide.py     `decide`: each command to its phase
    plans.py      reading plans: the default review date, what changed between versions

Everything a caller needs is re-exported here: `from coordination.cases import domain as case`.
The reminders' own bookkeeping events live in `coordination.reminders.events`.
"""

from __future__ import annotations

from coordination.cases.domain.commands import (
    AcceptReferral,
    AgreePlan,
    CancelMeeting,
    ChangeActivity,
    CloseCase,
    Command,
    DeclineReferral,
    EndAfterSupport,
    Enrol,
    HandOver,
    LogAfterSupportContact,
    MoveMeeting,
    RecordAssessment,
    RecordFollowUp,
    RecordMeeting,
    RecordSelfAssessment,
    RecordStep,
    RegisterReferral,
    RenewConsent,
    ReopenCase,
    ScheduleMeeting,
    StartAfterSupport,
    WithdrawConsent,
)
from coordination.cases.domain.decide import decide
from coordination.cases.domain.events import (
    ASSESSMENT_TEXTS,
    PERSONAL_FIELDS,
    Activity,
    ActivityCompleted,
    ActivityDropped,
    ActivityStarted,
    AfterSupportContactLogged,
    AfterSupportEnded,
    AfterSupportStarted,
    AssessmentRecorded,
    CaseClosed,
    CaseHandedOver,
    CaseReopened,
    ConsentRenewed,
    ConsentWithdrawn,
    Event,
    FollowUpRecorded,
    MeetingCancelled,
    MeetingHeld,
    MeetingMoved,
    MeetingScheduled,
    Participant,
    ParticipantEnrolled,
    Plan,
    PlanAgreed,
    PlanRevised,
    ReferralAccepted,
    ReferralDeclined,
    ReferralReceived,
    SelfAssessmentRecorded,
    StepRecorded,
)
from coordination.cases.domain.planning import FINAL_STATUSES
from coordination.cases.domain.plans import PLAN_REVIEW_AFTER, default_review_on, plan_changes
from coordination.cases.domain.rules import ANONYMOUS_TEXT, CLOSED, Rejected
from coordination.cases.domain.state import (
    INITIAL,
    CaseState,
    MeetingState,
    evolve,
    fold,
    stage_of,
)

__all__ = [
    "ANONYMOUS_TEXT",
    "ASSESSMENT_TEXTS",
    "CLOSED",
    "FINAL_STATUSES",
    "INITIAL",
    "PERSONAL_FIELDS",
    "PLAN_REVIEW_AFTER",
    "AcceptReferral",
    "Activity",
    "ActivityCompleted",
    "ActivityDropped",
    "ActivityStarted",
    "AfterSupportContactLogged",
    "AfterSupportEnded",
    "AfterSupportStarted",
    "AgreePlan",
    "AssessmentRecorded",
    "CancelMeeting",
    "CaseClosed",
    "CaseHandedOver",
    "CaseReopened",
    "CaseState",
    "ChangeActivity",
    "CloseCase",
    "Command",
    "ConsentRenewed",
    "ConsentWithdrawn",
    "DeclineReferral",
    "EndAfterSupport",
    "Enrol",
    "Event",
    "FollowUpRecorded",
    "HandOver",
    "LogAfterSupportContact",
    "MeetingCancelled",
    "MeetingHeld",
    "MeetingMoved",
    "MeetingScheduled",
    "MeetingState",
    "MoveMeeting",
    "Participant",
    "ParticipantEnrolled",
    "Plan",
    "PlanAgreed",
    "PlanRevised",
    "RecordAssessment",
    "RecordFollowUp",
    "RecordMeeting",
    "RecordSelfAssessment",
    "RecordStep",
    "ReferralAccepted",
    "ReferralDeclined",
    "ReferralReceived",
    "RegisterReferral",
    "Rejected",
    "RenewConsent",
    "ReopenCase",
    "ScheduleMeeting",
    "SelfAssessmentRecorded",
    "StartAfterSupport",
    "StepRecorded",
    "WithdrawConsent",
    "decide",
    "default_review_on",
    "evolve",
    "fold",
    "plan_changes",
    "stage_of",
]
