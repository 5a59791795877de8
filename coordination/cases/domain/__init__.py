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
    erasure.py    deciding erasure (two people) and retention (held or not)
    decide.py     `decide`: each command to its phase
    plans.py      reading plans: the default review date, what changed between versions

Everything a caller needs is re-exported here: `from coordination.cases import domain as case`.
The reminders' own bookkeeping events live in `coordination.reminders.events`.
"""

from __future__ import annotations

from coordination.cases.domain.closure import follow_up_window
from coordination.cases.domain.commands import (
    AcceptReferral,
    AgreePlan,
    CancelErasure,
    CancelMeeting,
    ChangeActivity,
    CloseCase,
    Command,
    ConfirmErasure,
    DeclineReferral,
    EndAfterSupport,
    Enrol,
    EraseAfterRetention,
    FollowUpPoints,
    HandOver,
    HoldRetention,
    LogAfterSupportContact,
    MoveMeeting,
    RecordAssessment,
    RecordFollowUp,
    RecordMeeting,
    RecordSelfAssessment,
    RecordStep,
    RegisterReferral,
    ReleaseRetention,
    RenewConsent,
    ReopenCase,
    RequestErasure,
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
    ErasureCancelled,
    ErasureRequested,
    Event,
    FollowUpRecorded,
    MeetingCancelled,
    MeetingHeld,
    MeetingMoved,
    MeetingScheduled,
    Participant,
    ParticipantEnrolled,
    PersonalDataErased,
    Plan,
    PlanAgreed,
    PlanRevised,
    ReferralAccepted,
    ReferralDeclined,
    ReferralReceived,
    RetentionHeld,
    RetentionReleased,
    SelfAssessmentRecorded,
    StepRecorded,
)
from coordination.cases.domain.planning import FINAL_STATUSES
from coordination.cases.domain.plans import PLAN_REVIEW_AFTER, default_review_on, plan_changes
from coordination.cases.domain.referral import age_group_of, referral_problems
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
    "CancelErasure",
    "CancelMeeting",
    "CaseClosed",
    "CaseHandedOver",
    "CaseReopened",
    "CaseState",
    "ChangeActivity",
    "CloseCase",
    "Command",
    "ConfirmErasure",
    "ConsentRenewed",
    "ConsentWithdrawn",
    "DeclineReferral",
    "EndAfterSupport",
    "Enrol",
    "EraseAfterRetention",
    "ErasureCancelled",
    "ErasureRequested",
    "Event",
    "FollowUpPoints",
    "FollowUpRecorded",
    "HandOver",
    "HoldRetention",
    "LogAfterSupportContact",
    "MeetingCancelled",
    "MeetingHeld",
    "MeetingMoved",
    "MeetingScheduled",
    "MeetingState",
    "MoveMeeting",
    "Participant",
    "ParticipantEnrolled",
    "PersonalDataErased",
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
    "ReleaseRetention",
    "RenewConsent",
    "ReopenCase",
    "RequestErasure",
    "RetentionHeld",
    "RetentionReleased",
    "ScheduleMeeting",
    "SelfAssessmentRecorded",
    "StartAfterSupport",
    "StepRecorded",
    "WithdrawConsent",
    "age_group_of",
    "decide",
    "default_review_on",
    "evolve",
    "fold",
    "follow_up_window",
    "plan_changes",
    "referral_problems",
    "stage_of",
]
