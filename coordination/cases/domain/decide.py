"""The case's one `decide`: each command goes to the phase of the journey that rules on it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from coordination.cases.domain import closure, erasure, meetings, planning, progress, referral
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
from coordination.cases.domain.events import Event
from coordination.cases.domain.limits import refuse_out_of_bounds
from coordination.cases.domain.state import CaseState

Decider = Callable[[Any, CaseState, date], list[Event]]

PHASES: Mapping[type[Command], Decider] = {
    RegisterReferral: referral.register_referral,
    AcceptReferral: referral.accept_referral,
    DeclineReferral: referral.decline_referral,
    Enrol: referral.enrol,
    WithdrawConsent: referral.withdraw_consent,
    RenewConsent: referral.renew_consent,
    RecordAssessment: planning.record_assessment,
    AgreePlan: planning.agree_plan,
    ChangeActivity: planning.change_activity,
    ScheduleMeeting: meetings.schedule_meeting,
    MoveMeeting: meetings.move_meeting,
    CancelMeeting: meetings.cancel_meeting,
    RecordMeeting: meetings.record_meeting,
    RecordStep: progress.record_step,
    RecordSelfAssessment: progress.record_self_assessment,
    HandOver: progress.hand_over,
    CloseCase: closure.close_case,
    ReopenCase: closure.reopen,
    RecordFollowUp: closure.record_follow_up,
    StartAfterSupport: closure.start_after_support,
    LogAfterSupportContact: closure.log_after_support_contact,
    EndAfterSupport: closure.end_after_support,
    RequestErasure: erasure.request_erasure,
    CancelErasure: erasure.cancel_erasure,
    ConfirmErasure: erasure.confirm_erasure,
    EraseAfterRetention: erasure.erase_after_retention,
    HoldRetention: erasure.hold_retention,
    ReleaseRetention: erasure.release_retention,
}


def decide(command: Command, state: CaseState, today: date) -> list[Event]:
    """The events the command leads to; raises Rejected, with Swedish messages, when the
    command is not allowed in this state. `today` is the team's date: the domain has no clock.
    """
    phase = PHASES.get(type(command))
    if phase is None:
        raise AssertionError(f"unknown command {command!r}")
    erasure.refuse_erased(state)  # an erased case takes nothing more
    refuse_out_of_bounds(command)  # whoever sent it
    return phase(command, state, today)
