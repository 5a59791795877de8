"""The case journey on the web: assessment, the plan and its printout, network meetings with
calendar files, steps, self-assessments, handovers, closure and reopening."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import date
from typing import Any

from icalendar import Calendar, Event
from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Template

from coordination.accounts import service as accounts
from coordination.cases import domain as case
from coordination.cases import queries as journey
from coordination.cases.service import CaseRow
from coordination.cases.web.case import Render, act, case_for, form_page, require_case_worker
from coordination.shared import access
from coordination.shared.clock import TEAM_TIMEZONE, team_now, team_today, team_wall_clock
from coordination.shared.forms import FormErrors
from coordination.shared.vocabulary import (
    ActivityStatus,
    ClosureKind,
    ClosureReason,
    MeetingMode,
    Occupation,
    Part,
    Role,
    SelfAssessmentPhase,
    SupportSource,
)
from coordination.shared.web import Option, current_user, logged_in, page, services_of

BLANK_ACTIVITY_ROWS = 2
WORKING_ROLES = (Role.CASEWORKER, Role.COORDINATOR)


def _personal_allowed(request: Request[Any, Any, Any], row: CaseRow) -> bool:
    return access.can_see_personal_data(
        current_user(request), row.team_id, row.consent_parts, row.consent_withdrawn
    )


def _personal_case(request: Request[Any, Any, Any], case_id: str, page_name: str) -> CaseRow:
    """A case whose personal data the user may see; the read goes to the read audit."""
    row = case_for(request, case_id)
    if not _personal_allowed(request, row):
        raise PermissionDeniedException(
            "Du ser inte deltagarens uppgifter: din part omfattas inte av samtycket."
        )
    services_of(request).cases.record_read(current_user(request), case_id, page_name)
    return row


def staff_options(request: Request[Any, Any, Any]) -> list[Option]:
    """The team's handläggare and samordnare: who can be responsible or invited."""
    engine = services_of(request).engine
    return [
        Option(u.id, f"{u.name} ({u.part.label})")
        for u in accounts.team_users(engine, current_user(request).team_id)
        if u.role in WORKING_ROLES
    ]


def names(request: Request[Any, Any, Any]) -> dict[str, str]:
    engine = services_of(request).engine
    return {u.id: u.name for u in accounts.team_users(engine, current_user(request).team_id)}


# -- assessment ---------------------------------------------------------------------------

ASSESSMENT_FIELDS = (
    ("situation", "Situation i dag"),
    ("formal_competences", "Formella kompetenser (utbildning, yrken)"),
    ("informal_competences", "Informella kompetenser (erfarenheter, förmågor)"),
    ("interests", "Intressen"),
    ("obstacles", "Hinder"),
    ("motivation", "Motivation"),
    ("participant_words", "Deltagarens egna ord"),
)


_assessment_page = form_page(
    "assessment.html",
    lambda request, row: {
        "fields": ASSESSMENT_FIELDS,
        "versions": journey.assessments(services_of(request).engine, row.case_id),
    },
)


@get("/arenden/{case_id:str}/kartlaggning", guards=[logged_in])
async def assessment_form(request: Request[Any, Any, Any], case_id: FromPath[str]) -> Template:
    row = _personal_case(request, case_id, "kartläggning")
    latest = journey.assessments(services_of(request).engine, case_id)[:1]
    form = {name: latest[0][name] if latest else "" for name, _ in ASSESSMENT_FIELDS}
    form["version"] = str(row.version)
    return _assessment_page(request, row, form, FormErrors())


@post("/arenden/{case_id:str}/kartlaggning", guards=[logged_in])
async def record_assessment(
    request: Request[Any, Any, Any], case_id: FromPath[str]
) -> Response[Any]:
    def build(f: dict[str, Any], e: FormErrors) -> case.Command:
        text = {name: f.get(name, "") for name, _ in ASSESSMENT_FIELDS}
        return case.RecordAssessment(**text, recorded_on=e.date(f, "recorded_on"))

    return await act(request, case_id, build, _assessment_page, "#kartlaggning")


# -- the plan -----------------------------------------------------------------------------


def _activity_rows(form: dict[str, Any]) -> list[int]:
    found = {int(m.group(1)) for key in form if (m := re.match(r"activities\.(\d+)\.", key))}
    return sorted(found)


def _plan_form(row: CaseRow, plan: case.Plan | None, today: date) -> dict[str, Any]:
    form: dict[str, Any] = {"version": str(row.version), "agreed_on": today.isoformat()}
    activities = list(plan.activities) if plan else []
    if plan:
        form.update(
            goals_short=plan.goals_short,
            goals_long=plan.goals_long,
            participant_words=plan.participant_words,
            staff_notes=plan.staff_notes,
            agreed_by=list(plan.agreed_by),
        )
    for index, activity in enumerate(activities):
        form.update(
            {
                f"activities.{index}.id": activity.activity_id,
                f"activities.{index}.what": activity.what,
                f"activities.{index}.part": activity.part.value,
                f"activities.{index}.responsible_id": activity.responsible_id,
                f"activities.{index}.start_on": activity.start_on.isoformat(),
                f"activities.{index}.due_on": activity.due_on.isoformat(),
            }
        )
    for index in range(len(activities), len(activities) + BLANK_ACTIVITY_ROWS):
        form[f"activities.{index}.what"] = ""
    return form


def _plan_extra(request: Request[Any, Any, Any], row: CaseRow) -> dict[str, Any]:
    return {
        "staff": staff_options(request),
        "consent_parts": [p for p in Part if p in row.consent_parts],
    }


def _plan_page(
    request: Request[Any, Any, Any], row: CaseRow, form: dict[str, Any], errors: FormErrors
) -> Template:
    return form_page(
        "plan_form.html", lambda r, c: {**_plan_extra(r, c), "rows": _activity_rows(form)}
    )(request, row, form, errors)


def _current_activities(request: Request[Any, Any, Any], case_id: str) -> dict[str, case.Activity]:
    return {a.activity_id: a for a in journey.activities(services_of(request).engine, case_id)}


@get("/arenden/{case_id:str}/plan", guards=[logged_in])
async def plan_form(request: Request[Any, Any, Any], case_id: FromPath[str]) -> Template:
    row = _personal_case(request, case_id, "handlingsplan")
    versions = journey.plan_versions(services_of(request).engine, case_id)
    latest = versions[-1].plan if versions else None
    if latest is not None:
        current = _current_activities(request, case_id)
        latest = replace(
            latest, activities=tuple(current.get(a.activity_id, a) for a in latest.activities)
        )
    return _plan_page(request, row, _plan_form(row, latest, team_today()), FormErrors())


def read_activity(
    f: dict[str, Any], e: FormErrors, key: str, existing: dict[str, case.Activity]
) -> case.Activity | None:
    """One activity row of a form; None when the row was left empty or ticked for removal."""
    if not f.get(f"{key}.what", "").strip() or f.get(f"{key}.remove"):
        return None
    earlier = existing.get(f.get(f"{key}.id", ""))
    part = e.choice(f, f"{key}.part", Part) or Part.AF
    start_on = e.date(f, f"{key}.start_on")
    due_on = e.date(f, f"{key}.due_on")
    return case.Activity(
        earlier.activity_id if earlier else str(uuid.uuid4()),
        f[f"{key}.what"],
        part,
        f.get(f"{key}.responsible_id", ""),
        start_on,
        due_on,
        earlier.status if earlier else ActivityStatus.PLANNED,
        earlier.drop_reason if earlier else "",
    )


@post("/arenden/{case_id:str}/plan", guards=[logged_in])
async def agree_plan(request: Request[Any, Any, Any], case_id: FromPath[str]) -> Response[Any]:
    existing = _current_activities(request, case_id)

    def build(f: dict[str, Any], e: FormErrors) -> case.Command:
        activities = [
            read_activity(f, e, f"activities.{index}", existing) for index in _activity_rows(f)
        ]
        agreed_on = e.date(f, "agreed_on")
        review_on = e.optional_date(f, "review_on")
        return case.AgreePlan(
            case.Plan(
                f.get("goals_short", ""),
                f.get("goals_long", ""),
                f.get("participant_words", ""),
                f.get("staff_notes", ""),
                tuple(a for a in activities if a is not None),
                tuple(f["agreed_by"]),
                bool(f.get("participant_agreed")),
                agreed_on,
                review_on or case.default_review_on(agreed_on),
            ),
            f.get("reason", ""),
        )

    return await act(request, case_id, build, _plan_page, "#plan")


@get("/arenden/{case_id:str}/plan/versioner", guards=[logged_in])
async def plan_versions(request: Request[Any, Any, Any], case_id: FromPath[str]) -> Template:
    row = _personal_case(request, case_id, "handlingsplanens versioner")
    versions = journey.plan_versions(services_of(request).engine, case_id)
    if not versions:
        raise NotFoundException("Ärendet har ingen handlingsplan ännu.")
    query = request.query_params
    numbers = [v.version for v in versions]

    def chosen(name: str, default: int) -> int:
        value = query.get(name, "")
        return int(value) if value.isdigit() and int(value) in numbers else default

    newer = chosen("till", numbers[-1])
    older = chosen("fran", max(newer - 1, numbers[0]))
    by_number = {v.version: v for v in versions}
    old_plan, new_plan = by_number[older].plan, by_number[newer].plan
    changes = case.plan_changes(old_plan, new_plan) if old_plan and new_plan else []
    return page(
        request,
        "plan_versions.html",
        case=row,
        versions=versions,
        older=older,
        newer=newer,
        changes=changes,
        shown=by_number[newer],
        names=names(request),
    )


@get("/arenden/{case_id:str}/plan/utskrift", guards=[logged_in])
async def plan_printout(request: Request[Any, Any, Any], case_id: FromPath[str]) -> Template:
    row = _personal_case(request, case_id, "handlingsplan för deltagaren")
    engine = services_of(request).engine
    versions = journey.plan_versions(engine, case_id)
    if not versions or versions[-1].plan is None:
        raise NotFoundException("Ärendet har ingen handlingsplan ännu.")
    staff = {u.id: u for u in accounts.team_users(engine, row.team_id)}
    upcoming = [
        m
        for m in journey.meetings(engine, case_id)
        if m.status == "scheduled" and m.starts_at >= team_wall_clock()
    ]
    return page(
        request,
        "plan_printout.html",
        case=row,
        plan=versions[-1].plan,
        activities=journey.activities(engine, case_id),
        staff=staff,
        next_meeting=min(upcoming, key=lambda m: m.starts_at) if upcoming else None,
    )


@post("/arenden/{case_id:str}/aktiviteter/{activity_id:str}", guards=[logged_in])
async def change_activity(
    request: Request[Any, Any, Any], case_id: FromPath[str], activity_id: FromPath[str]
) -> Response[Any]:
    return await act(
        request,
        case_id,
        lambda f, e: case.ChangeActivity(
            activity_id,
            e.choice(f, "status", ActivityStatus) or ActivityStatus.PLANNED,
            team_today(),
            f.get("reason", ""),
        ),
        anchor="#plan",
    )


# -- network meetings ---------------------------------------------------------------------


def read_meeting(f: dict[str, Any], e: FormErrors, prefix: str = "") -> case.MeetingScheduled:
    return case.MeetingScheduled(
        str(uuid.uuid4()),
        e.datetime(f, f"{prefix}starts_at"),
        e.number(f, f"{prefix}minutes", 1, 600),
        e.choice(f, f"{prefix}mode", MeetingMode) or MeetingMode.IN_PERSON,
        f.get(f"{prefix}place", ""),
        tuple(f["invitee_ids"]),
        bool(f.get(f"{prefix}participant_invited")),
        f.get(f"{prefix}others_invited", ""),
        f.get(f"{prefix}agenda", ""),
    )


_new_meeting_page = form_page(
    "meeting_new.html", lambda request, row: {"staff": staff_options(request)}
)


@get("/arenden/{case_id:str}/moten/nytt", guards=[logged_in])
async def new_meeting_form(request: Request[Any, Any, Any], case_id: FromPath[str]) -> Template:
    row = _personal_case(request, case_id, "nytt nätverksmöte")
    require_case_worker(current_user(request), row.team_id)
    form = {
        "version": str(row.version),
        "minutes": "60",
        "mode": MeetingMode.IN_PERSON.value,
        "participant_invited": "on",
        "invitee_ids": [current_user(request).id],
    }
    return _new_meeting_page(request, row, form, FormErrors())


@post("/arenden/{case_id:str}/moten/nytt", guards=[logged_in])
async def schedule_meeting(
    request: Request[Any, Any, Any], case_id: FromPath[str]
) -> Response[Any]:
    return await act(
        request,
        case_id,
        lambda f, e: case.ScheduleMeeting(read_meeting(f, e)),
        _new_meeting_page,
        "#moten",
    )


def _meeting_for(request: Request[Any, Any, Any], row: CaseRow, meeting_id: str) -> journey.Meeting:
    found = journey.meeting(services_of(request).engine, meeting_id)
    if found is None or found.case_id != row.case_id:
        raise NotFoundException("Mötet finns inte.")
    return found


def _meeting_page(meeting_id: str) -> Render:
    def extra(request: Request[Any, Any, Any], row: CaseRow) -> dict[str, Any]:
        return {
            **_plan_extra(request, row),
            "meeting": _meeting_for(request, row, meeting_id),
            "names": names(request),
            "has_plan": row.plan_version > 0,
            "activities": [
                a
                for a in journey.activities(services_of(request).engine, row.case_id)
                if a.status in (ActivityStatus.PLANNED, ActivityStatus.ONGOING)
            ],
        }

    return form_page("meeting.html", extra)


@get("/arenden/{case_id:str}/moten/{meeting_id:str}", guards=[logged_in])
async def meeting_page(
    request: Request[Any, Any, Any], case_id: FromPath[str], meeting_id: FromPath[str]
) -> Template:
    row = _personal_case(request, case_id, "nätverksmöte")
    found = _meeting_for(request, row, meeting_id)
    form = {
        "version": str(row.version),
        "held_on": min(found.starts_at.date(), team_today()).isoformat(),
        "starts_at": found.starts_at.isoformat(timespec="minutes"),
        "place": found.place,
        "invitee_ids": found.invitee_ids,
        "next_minutes": str(found.minutes),
        "next_mode": found.mode.value,
        "next_place": found.place,
        "new.0.what": "",
    }
    return _meeting_page(meeting_id)(request, row, form, FormErrors())


@post("/arenden/{case_id:str}/moten/{meeting_id:str}/hallet", guards=[logged_in])
async def record_meeting(
    request: Request[Any, Any, Any], case_id: FromPath[str], meeting_id: FromPath[str]
) -> Response[Any]:
    existing = _current_activities(request, case_id)

    def build(f: dict[str, Any], e: FormErrors) -> case.Command:
        activity = read_activity(f, e, "new.0", existing)
        next_meeting = read_meeting(f, e, "next_") if f.get("next_starts_at", "").strip() else None
        statuses = {
            key.removeprefix("status."): e.choice(f, key, ActivityStatus) or ActivityStatus.PLANNED
            for key, value in f.items()
            if key.startswith("status.") and value
        }
        return case.RecordMeeting(
            meeting_id,
            e.date(f, "held_on"),
            e.choices(f["attended_parts"], "attended_parts", Part),
            bool(f.get("participant_attended")),
            f.get("decisions", ""),
            (activity,) if activity else (),
            next_meeting,
            statuses,
        )

    return await act(request, case_id, build, _meeting_page(meeting_id), "#moten")


@post("/arenden/{case_id:str}/moten/{meeting_id:str}/flytta", guards=[logged_in])
async def move_meeting(
    request: Request[Any, Any, Any], case_id: FromPath[str], meeting_id: FromPath[str]
) -> Response[Any]:
    return await act(
        request,
        case_id,
        lambda f, e: case.MoveMeeting(
            meeting_id, e.datetime(f, "starts_at"), f.get("place", ""), f.get("reason", "")
        ),
        _meeting_page(meeting_id),
        "#moten",
    )


@post("/arenden/{case_id:str}/moten/{meeting_id:str}/installt", guards=[logged_in])
async def cancel_meeting(
    request: Request[Any, Any, Any], case_id: FromPath[str], meeting_id: FromPath[str]
) -> Response[Any]:
    return await act(
        request,
        case_id,
        lambda f, e: case.CancelMeeting(meeting_id, f.get("cancel_reason", "")),
        _meeting_page(meeting_id),
        "#moten",
    )


@get("/arenden/{case_id:str}/moten/{meeting_id:str}/kalender.ics", guards=[logged_in])
async def meeting_calendar(
    request: Request[Any, Any, Any], case_id: FromPath[str], meeting_id: FromPath[str]
) -> Response[bytes]:
    """The meeting as a calendar file: the case code and a link, never the participant's name."""
    row = case_for(request, case_id)
    found = _meeting_for(request, row, meeting_id)
    base_url = services_of(request).settings.base_url
    calendar = Calendar()
    calendar.add("prodid", "-//Samordna//Nätverksmöten//SV")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"{found.meeting_id}@samordna")
    event.add("summary", f"Nätverksmöte {row.case_code}")
    event.add("dtstart", found.starts_at.replace(tzinfo=TEAM_TIMEZONE))
    event.add("dtend", found.ends_at.replace(tzinfo=TEAM_TIMEZONE))
    event.add("dtstamp", team_now())
    event.add(
        "location", found.mode.label if found.mode is not MeetingMode.IN_PERSON else found.place
    )
    event.add(
        "description", f"Ärende {row.case_code}: {base_url}/arenden/{case_id}/moten/{meeting_id}"
    )
    event.add("status", "CANCELLED" if found.status == "cancelled" else "CONFIRMED")
    calendar.add_component(event)
    return Response(
        calendar.to_ical(),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="natverksmote-{row.case_code}.ics"'},
    )


# -- steps, self-assessment, handover ------------------------------------------------------


@post("/arenden/{case_id:str}/steg", guards=[logged_in])
async def record_step(request: Request[Any, Any, Any], case_id: FromPath[str]) -> Response[Any]:
    ladder = services_of(request).settings.ladder
    return await act(
        request,
        case_id,
        lambda f, e: case.RecordStep(
            e.date(f, "step_on"), e.number(f, "to_level", 0, len(ladder) - 1), f.get("evidence", "")
        ),
        anchor="#steg",
    )


@post("/arenden/{case_id:str}/sjalvskattning", guards=[logged_in])
async def record_self_assessment(
    request: Request[Any, Any, Any], case_id: FromPath[str]
) -> Response[Any]:
    scale = services_of(request).settings.self_assessment
    return await act(
        request,
        case_id,
        lambda f, e: case.RecordSelfAssessment(
            e.date(f, "self_on"),
            e.choice(f, "phase", SelfAssessmentPhase) or SelfAssessmentPhase.DURING,
            e.number(f, "score", 1, len(scale)),
            f.get("self_note", ""),
        ),
        anchor="#steg",
    )


@post("/arenden/{case_id:str}/overlamning", guards=[logged_in])
async def hand_over(request: Request[Any, Any, Any], case_id: FromPath[str]) -> Response[Any]:
    def build(f: dict[str, Any], e: FormErrors) -> case.Command:
        responsibility = f.get("responsibility", "")
        part = Part.parse(responsibility)
        if part is None and responsibility != "coordinator":
            e["responsibility"] = "Välj vilket ansvar som lämnas över."
        return case.HandOver(part, f.get("to_id", ""), f.get("handover_reason", ""), team_today())

    return await act(request, case_id, build, anchor="#overlamning")


# -- closure and reopening ------------------------------------------------------------------


_closure_page = form_page("closure.html")


@get("/arenden/{case_id:str}/avslut", guards=[logged_in])
async def closure_form(request: Request[Any, Any, Any], case_id: FromPath[str]) -> Template:
    row = case_for(request, case_id)
    require_case_worker(current_user(request), row.team_id)
    form = {
        "version": str(row.version),
        "closed_on": team_today().isoformat(),
        "kind": ClosureKind.COMPLETED.value,
        "support_sources": [],
    }
    return _closure_page(request, row, form, FormErrors())


@post("/arenden/{case_id:str}/avslut", guards=[logged_in])
async def close_case(request: Request[Any, Any, Any], case_id: FromPath[str]) -> Response[Any]:
    def build(f: dict[str, Any], e: FormErrors) -> case.Command:
        return case.CloseCase(
            e.choice(f, "kind", ClosureKind) or ClosureKind.COMPLETED,
            e.choice(f, "reason", ClosureReason) or ClosureReason.OTHER,
            e.choice(f, "occupation", Occupation) or Occupation.UNKNOWN,
            e.choices(f["support_sources"], "support_sources", SupportSource),
            f.get("next_step", ""),
            bool(f.get("no_next_step")),
            e.date(f, "closed_on"),
        )

    return await act(request, case_id, build, _closure_page, "#avslut")


@post("/arenden/{case_id:str}/ateroppna", guards=[logged_in])
async def reopen_case(request: Request[Any, Any, Any], case_id: FromPath[str]) -> Response[Any]:
    return await act(
        request,
        case_id,
        lambda f, e: case.ReopenCase(
            f.get("reopen_reason", ""),
            e.choices(f["consent_parts"], "consent_parts", Part),
            f.get("consent_note", ""),
            e.date(f, "reopened_on"),
        ),
        anchor="#avslut",
    )


HANDLERS = [
    assessment_form,
    record_assessment,
    plan_form,
    agree_plan,
    plan_versions,
    plan_printout,
    change_activity,
    new_meeting_form,
    schedule_meeting,
    meeting_page,
    record_meeting,
    move_meeting,
    cancel_meeting,
    meeting_calendar,
    record_step,
    record_self_assessment,
    hand_over,
    closure_form,
    close_case,
    reopen_case,
]
