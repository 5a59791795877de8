"""Deciding the end of a case and what comes after: closure, reopening, follow-ups and
after-support (efterstöd) for those who left to work or studies."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from coordination.cases.domain.commands import (
    CloseCase,
    EndAfterSupport,
    FollowUpPoints,
    LogAfterSupportContact,
    RecordFollowUp,
    ReopenCase,
    StartAfterSupport,
)
from coordination.cases.domain.events import (
    AfterSupportContactLogged,
    AfterSupportEnded,
    AfterSupportStarted,
    CaseClosed,
    CaseReopened,
    Event,
    FollowUpRecorded,
)
from coordination.cases.domain.rules import (
    ANONYMOUS_TEXT,
    Rejected,
    day_errors,
    raise_if,
    require_enrolled,
)
from coordination.cases.domain.state import CaseState
from coordination.shared.vocabulary import WORK_OR_STUDIES, ClosureKind, Stage, SupportSource


def support_errors(sources: tuple[SupportSource, ...]) -> dict[str, str]:
    """At closure and follow-up: at least one source, or "Uppgift saknas" alone."""
    if not sources:
        return {"support_sources": "Välj minst en försörjningskälla, eller Uppgift saknas."}
    if SupportSource.UNKNOWN in sources and len(sources) > 1:
        return {
            "support_sources": "Uppgift saknas kan inte väljas tillsammans med en "
            "försörjningskälla."
        }
    return {}


def close_case(command: CloseCase, state: CaseState, today: date) -> list[Event]:
    require_enrolled(state)
    if state.stage is Stage.CLOSED:
        raise Rejected({"": "Ärendet är redan avslutat."})
    errors = day_errors(command.closed_on, state, today, "closed_on")
    in_error = command.kind is ClosureKind.REGISTERED_IN_ERROR
    if not in_error:
        errors.update(support_errors(command.support_sources))
    if command.no_next_step and command.next_step.strip():
        errors["next_step"] = (
            "Skriv ett nästa steg eller kryssa i att det inte finns något, inte båda."
        )
    elif not command.no_next_step and not command.next_step.strip() and not in_error:
        errors["next_step"] = (
            "Ange vad som händer efter teamet, eller kryssa i att det inte finns något nästa steg."
        )
    if state.anonymous and command.next_step.strip():
        errors["next_step"] = ANONYMOUS_TEXT
    raise_if(errors)
    return [
        CaseClosed(
            command.kind,
            command.reason,
            command.occupation,
            tuple(command.support_sources),
            command.next_step.strip(),
            command.closed_on,
        )
    ]


def reopen(command: ReopenCase, state: CaseState, today: date) -> list[Event]:
    if state.stage is not Stage.CLOSED:
        raise Rejected({"": "Bara ett avslutat ärende kan öppnas igen."})
    errors: dict[str, str] = {}
    if command.reopened_on > today:
        errors["reopened_on"] = "Datumet kan inte ligga i framtiden."
    elif state.closed_on and command.reopened_on < state.closed_on:
        errors["reopened_on"] = f"Datumet kan inte vara före avslutet ({state.closed_on})."
    if not command.reason.strip():
        errors["reason"] = "Ange varför ärendet öppnas igen."
    if not state.anonymous and not command.consent_parts:
        errors["consent_parts"] = "Ett återöppnat ärende behöver ett nytt samtycke: välj parter."
    raise_if(errors)
    if state.anonymous:
        return [CaseReopened(command.reason.strip(), (), "", command.reopened_on)]
    return [
        CaseReopened(
            command.reason.strip(),
            tuple(command.consent_parts),
            command.consent_note.strip(),
            command.reopened_on,
        )
    ]


def follow_up_window(
    closed_on: date, months: int, points: FollowUpPoints
) -> tuple[date, date, date]:
    """The first day a follow-up `months` after the closure is accepted, the day it is due,
    and its last day before it counts as late."""
    due: date = closed_on + relativedelta(months=months)
    window = relativedelta(months=points.window_months)
    return due - window, due, due + window


def record_follow_up(command: RecordFollowUp, state: CaseState, today: date) -> list[Event]:
    if state.stage is not Stage.CLOSED or state.closed_on is None:
        raise Rejected({"": "Bara ett avslutat ärende följs upp."})
    if state.anonymous:
        raise Rejected({"": "Ett anonymt ärende kan inte följas upp."})
    errors: dict[str, str] = {}
    points, months = command.points, command.months
    later = sorted(m for m in state.follow_ups if m > months)
    if months not in points.months:
        listed = ", ".join(str(m) for m in points.months)
        errors["months"] = f"Uppföljningar görs efter {listed} månader."
    elif months in state.follow_ups:
        errors["months"] = f"Uppföljningen efter {months} månader är redan gjord."
    elif later:
        errors["months"] = (
            f"Uppföljningen efter {later[0]} månader är redan gjord: den efter {months} "
            "månader kan inte registreras efter den."
        )
    opens, _, closes = follow_up_window(state.closed_on, months, points)
    if command.recorded_on > today:
        errors["recorded_on"] = "Datumet kan inte ligga i framtiden."
    elif command.recorded_on < opens:
        errors["recorded_on"] = (
            f"Uppföljningen efter {months} månader görs tidigast {opens}, "
            f"{points.window_months} mån. före den dag den ska göras."
        )
    errors.update(support_errors(command.support_sources))
    raise_if(errors)
    return [
        FollowUpRecorded(
            months,
            command.recorded_on,
            command.occupation,
            tuple(command.support_sources),
            command.occupation in WORK_OR_STUDIES,
            command.obstacles.strip(),
            command.recorded_on > closes,
        )
    ]


def start_after_support(command: StartAfterSupport, state: CaseState, today: date) -> list[Event]:
    _require_after_support_allowed(state)
    if state.after_support_started:
        raise Rejected({"": "Efterstödet är redan startat."})
    errors = day_errors(command.started_on, state, today, "started_on")
    if command.planned_end <= command.started_on:
        errors["planned_end"] = "Slutdatumet måste ligga efter starten."
    raise_if(errors)
    return [AfterSupportStarted(command.started_on, command.planned_end)]


def log_after_support_contact(
    command: LogAfterSupportContact, state: CaseState, today: date
) -> list[Event]:
    started = _require_running_after_support(state)
    errors = day_errors(command.contacted_on, state, today, "contacted_on")
    if not errors and command.contacted_on < started:
        errors["contacted_on"] = f"Datumet kan inte vara före efterstödets start ({started})."
    if not command.note.strip() and not state.anonymous:
        errors["note"] = "Skriv kort om kontakten."
    raise_if(errors)
    return [AfterSupportContactLogged(command.contacted_on, command.note.strip())]


def end_after_support(command: EndAfterSupport, state: CaseState, today: date) -> list[Event]:
    started = _require_running_after_support(state)
    errors = day_errors(command.ended_on, state, today, "ended_on")
    if not errors and command.ended_on < started:
        errors["ended_on"] = f"Datumet kan inte vara före efterstödets start ({started})."
    raise_if(errors)
    return [AfterSupportEnded(command.ended_on)]


def _require_after_support_allowed(state: CaseState) -> None:
    if state.stage is not Stage.CLOSED:
        raise Rejected({"": "Efterstöd ges efter avslut."})
    if state.occupation_at_closure not in WORK_OR_STUDIES:
        raise Rejected({"": "Efterstöd ges till den som avslutats till arbete eller studier."})


def _require_running_after_support(state: CaseState) -> date:
    _require_after_support_allowed(state)
    if state.after_support_started is None:
        raise Rejected({"": "Efterstödet har inte startat."})
    if state.after_support_ended is not None:
        raise Rejected({"": "Efterstödet är redan avslutat."})
    return state.after_support_started
