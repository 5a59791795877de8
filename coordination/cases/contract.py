"""The events of a case's streams in the store: their registration, and conversion to and from
JSON. A case has two streams: its own (the journey) and its reminders' bookkeeping."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from cattrs.preconf.json import make_converter

import events
from coordination.cases import domain as case
from coordination.reminders import events as reminder_events

CASE = "case"  # the category of the case streams: one per case, named by the case id


def case_stream(case_id: str) -> events.StreamName:
    return events.StreamName(CASE, case_id)


def participant_subject(case_id: str) -> str:
    """The data subject of a case: its participant, whose key seals their personal data in
    the case's events and read models alike."""
    return f"participant-{case_id}"


# Any event of a case's streams.
StoredEvent = case.Event | reminder_events.ReminderEvent

CASE_EVENT_CLASSES: dict[str, type[case.Event]] = {
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
        case.ErasureRequested,
        case.ErasureCancelled,
        case.PersonalDataErased,
        case.RetentionHeld,
        case.RetentionReleased,
    )
}

EVENT_CLASSES: dict[str, type[StoredEvent]] = {
    **CASE_EVENT_CLASSES,
    **{
        cls.__name__: cls
        for cls in (
            reminder_events.ReminderSent,
            reminder_events.ReminderDone,
            reminder_events.ReminderSnoozed,
        )
    },
}

T = TypeVar("T")

# Personal fields holding a structure rather than text: erased, they read as None.
_STRUCTURED = frozenset({"participant", "plan"})

_converter = make_converter()


def event_types() -> events.EventTypes:
    types = events.EventTypes()
    for name in EVENT_CLASSES:
        types.register(name, personal=case.PERSONAL_FIELDS.get(name, ()))
    return types


def to_data(event: StoredEvent) -> dict[str, Any]:
    data: dict[str, Any] = _converter.unstructure(event)
    return data


def from_data(event_type: str, data: Mapping[str, Any]) -> case.Event:
    """The typed event of a case stream; a personal field erased from the log reads as empty."""
    return _structure(CASE_EVENT_CLASSES[event_type], data)


def decode(recorded: events.RecordedEvent) -> StoredEvent:
    """The typed event of any of a case's streams."""
    return _structure(EVENT_CLASSES[recorded.type], recorded.data)


def _structure(cls: type[T], data: Mapping[str, Any]) -> T:
    readable = {
        key: (None if key in _STRUCTURED else "") if value is events.ERASED else value
        for key, value in data.items()
    }
    return _converter.structure(readable, cls)


def new_event(event: StoredEvent, subject: str, metadata: Mapping[str, str]) -> events.NewEvent:
    return events.NewEvent(type(event).__name__, to_data(event), subject=subject, metadata=metadata)
