"""Network meetings: planned, moved, cancelled or recorded, and their calendar files."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from coordination.cases import domain as case
from coordination.cases.reading import CaseFile
from coordination.cases.web import sections
from coordination.cases.web.calendar import calendar_response, meeting_event
from coordination.cases.web.case import CaseController
from coordination.cases.web.desk import (
    CaseDesk,
    CommandBuilder,
    Confirmation,
    Render,
    form_page,
    posted,
    section_url,
)
from coordination.cases.web.plan import plan_extra, read_activity
from coordination.shared import bounds
from coordination.shared.forms import FormErrors
from coordination.shared.vocabulary import ActivityStatus, MeetingMode, Part
from coordination.shared.web import Form, once_of


def read_meeting(
    f: dict[str, Any], e: FormErrors, prefix: str = "", meeting_id: str | None = None
) -> case.MeetingScheduled:
    return case.MeetingScheduled(
        meeting_id or str(uuid.uuid4()),
        e.datetime(f, f"{prefix}starts_at"),
        e.number(f, f"{prefix}minutes", *bounds.MEETING_MINUTES),
        e.choice(f, f"{prefix}mode", MeetingMode) or MeetingMode.IN_PERSON,
        e.text(f, f"{prefix}place"),
        tuple(f["invitee_ids"]),
        bool(f.get(f"{prefix}participant_invited")),
        e.text(f, f"{prefix}others_invited"),
        e.free_text(f, f"{prefix}agenda"),
    )


_new_meeting_page = form_page(
    "cases/meeting_new.html", lambda desk, file: {"staff": desk.staff_options()}
)


def _meeting_page(meeting_id: str) -> Render:
    def extra(desk: CaseDesk, file: CaseFile) -> dict[str, Any]:
        return {
            **plan_extra(desk, file),
            "meeting": desk.reader.meeting(file, meeting_id),
            "names": desk.names(),
            "has_plan": file.row.plan_version > 0,
            "activities": [
                a
                for a in desk.reader.activities(file)
                if a.status in (ActivityStatus.PLANNED, ActivityStatus.ONGOING)
            ],
        }

    return form_page("cases/meeting.html", extra)


def _record_command(
    meeting_id: str, existing: dict[str, case.Activity], part_of_staff: Mapping[str, Part]
) -> CommandBuilder:
    def build(f: dict[str, Any], e: FormErrors) -> case.Command:
        activity = read_activity(f, e, "new.0", existing, part_of_staff)
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
            e.free_text(f, "decisions"),
            (activity,) if activity else (),
            next_meeting,
            statuses,
        )

    return build


CANCEL = Confirmation(
    "Ställa in nätverksmötet?",
    "Ja, ställ in mötet",
    lambda row: [
        "Mötet markeras som inställt. Det kan inte tas tillbaka: planera ett nytt möte i stället.",
        "Kalenderfilen visar mötet som inställt. Tala själv om det för de inbjudna.",
    ],
)


class MeetingsController(CaseController):
    @get("/moten/nytt", sync_to_thread=True)
    def new_meeting_form(
        self, case_id: FromPath[str], desk: NamedDependency[CaseDesk]
    ) -> Response[bytes]:
        file = desk.open_for_work(case_id, "nytt nätverksmöte", case.ScheduleMeeting)
        form = {
            "version": str(file.row.version),
            "minutes": "60",
            "mode": MeetingMode.IN_PERSON.value,
            "participant_invited": "on",
            "invitee_ids": [desk.user.id],
        }
        return _new_meeting_page(desk, file, form, FormErrors())

    @post("/moten/nytt", sync_to_thread=True)
    def schedule_meeting(
        self, case_id: FromPath[str], data: Form, desk: NamedDependency[CaseDesk]
    ) -> Response[Any]:
        form = posted(data)
        once = once_of(form)  # the new meeting's id: the same form sent twice plans one
        if once is not None and desk.cases.has_meeting(desk.user, case_id, once):
            return Redirect(f"{section_url(case_id, sections.MEETINGS)}?klart=ScheduleMeeting")
        return desk.act(
            case_id,
            form,
            lambda f, e: case.ScheduleMeeting(read_meeting(f, e, meeting_id=once)),
            _new_meeting_page,
        )

    @get("/moten/{meeting_id:str}", sync_to_thread=True)
    def meeting_page(
        self, case_id: FromPath[str], meeting_id: FromPath[str], desk: NamedDependency[CaseDesk]
    ) -> Response[bytes]:
        file = desk.open_personal(case_id, "nätverksmöte")
        found = desk.reader.meeting(file, meeting_id)
        form = {
            "version": str(file.row.version),
            "held_on": min(found.starts_at.date(), desk.clock.today()).isoformat(),
            "starts_at": found.starts_at.isoformat(timespec="minutes"),
            "place": found.place,
            "invitee_ids": found.invitee_ids,
            "next_minutes": str(found.minutes),
            "next_mode": found.mode.value,
            "next_place": found.place,
            "new.0.what": "",
        }
        return _meeting_page(meeting_id)(desk, file, form, FormErrors())

    @post("/moten/{meeting_id:str}/hallet", sync_to_thread=True)
    def record_meeting(
        self,
        case_id: FromPath[str],
        meeting_id: FromPath[str],
        data: Form,
        desk: NamedDependency[CaseDesk],
    ) -> Response[Any]:
        build = _record_command(meeting_id, desk.activities(case_id), desk.part_of_staff())
        return desk.act(case_id, posted(data), build, _meeting_page(meeting_id))

    @post("/moten/{meeting_id:str}/flytta", sync_to_thread=True)
    def move_meeting(
        self,
        case_id: FromPath[str],
        meeting_id: FromPath[str],
        data: Form,
        desk: NamedDependency[CaseDesk],
    ) -> Response[Any]:
        return desk.act(
            case_id,
            posted(data),
            lambda f, e: case.MoveMeeting(
                meeting_id,
                e.datetime(f, "starts_at"),
                e.text(f, "place"),
                e.free_text(f, "reason"),
            ),
            _meeting_page(meeting_id),
        )

    @post("/moten/{meeting_id:str}/installt", sync_to_thread=True)
    def cancel_meeting(
        self,
        case_id: FromPath[str],
        meeting_id: FromPath[str],
        data: Form,
        desk: NamedDependency[CaseDesk],
    ) -> Response[Any]:
        return desk.act(
            case_id,
            posted(data),
            lambda f, e: case.CancelMeeting(meeting_id, e.free_text(f, "cancel_reason")),
            _meeting_page(meeting_id),
            CANCEL,
        )

    @get("/moten/{meeting_id:str}/kalender.ics", sync_to_thread=True)
    def meeting_calendar(
        self, case_id: FromPath[str], meeting_id: FromPath[str], desk: NamedDependency[CaseDesk]
    ) -> Response[bytes]:
        """The meeting as a calendar file: the case code, the times and a link, nothing of
        the participant's (not even the place), so anyone who sees the case may have it."""
        file = desk.cases.open_without_personal_data(desk.user, case_id)
        found = desk.reader.meeting(file, meeting_id)
        return calendar_response(
            [meeting_event(found, desk.settings.base_url, desk.clock.now())],
            f"natverksmote-{file.row.case_code}.ics",
        )


CONTROLLERS = [MeetingsController]
