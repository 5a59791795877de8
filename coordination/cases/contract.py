"""The case's events in the store: their registration, and conversion to and from JSON."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cattrs.preconf.json import make_converter

import events
from coordination.cases import domain as case

EVENT_CLASSES: dict[str, type[case.Event]] = {
    cls.__name__: cls
    for cls in (
        case.ReferralReceived,
        case.ReferralAccepted,
        case.ReferralDeclined,
        case.ParticipantEnrolled,
        case.ConsentWithdrawn,
        case.ConsentRenewed,
        case.AssessmentRecorded,
        case.PlanAgreed,
        case.PlanRevised,
        case.ActivityStarted,
        case.ActivityCompleted,
        case.ActivityDropped,
        case.MeetingScheduled,
        case.MeetingMoved,
        case.MeetingCancelled,
        case.MeetingHeld,
        case.StepRecorded,
        case.SelfAssessmentRecorded,
        case.CaseHandedOver,
        case.CaseClosed,
        case.CaseReopened,
        case.FollowUpRecorded,
        case.AfterSupportStarted,
        case.AfterSupportContactLogged,
        case.AfterSupportEnded,
        case.ReminderSent,
        case.ReminderDone,
        case.ReminderSnoozed,
    )
}

# Personal fields holding a structure rather than text: erased, they read as None.
_STRUCTURED = frozenset({"participant", "plan"})

_converter = make_converter()


def event_types() -> events.EventTypes:
    types = events.EventTypes()
    for name in EVENT_CLASSES:
        types.register(name, personal=case.PERSONAL_FIELDS.get(name, ()))
    return types


def to_data(event: case.Event) -> dict[str, Any]:
    data: dict[str, Any] = _converter.unstructure(event)
    return data


def from_data(event_type: str, data: Mapping[str, Any]) -> case.Event:
    """The typed event; a personal field erased from the log reads as empty."""
    cls = EVENT_CLASSES[event_type]
    readable = {
        key: (None if key in _STRUCTURED else "") if value is events.ERASED else value
        for key, value in data.items()
    }
    return _converter.structure(readable, cls)


def new_event(event: case.Event, subject: str, metadata: Mapping[str, str]) -> events.NewEvent:
    return events.NewEvent(type(event).__name__, to_data(event), subject=subject, metadata=metadata)
