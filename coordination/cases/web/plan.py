"""The kartläggning and the samordnad handlingsplan: its versions, printout and activities."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest

from coordination.cases import domain as case
from coordination.cases.reading import CaseFile
from coordination.cases.service import CaseRow
from coordination.cases.web.case import CaseController
from coordination.cases.web.desk import CaseDesk, CommandBuilder, form_page, posted
from coordination.shared import bounds
from coordination.shared.forms import FormErrors
from coordination.shared.vocabulary import ActivityStatus, Part
from coordination.shared.web import Form

BLANK_ACTIVITY_ROWS = 1  # more are added in place ("Lägg till en aktivitet")
ADD_ROW, REMOVE_ROW = "lagg_till_rad", "ta_bort_rad"  # the plain form's buttons
MAX_ROWS = 200

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
    "cases/assessment.html",
    lambda desk, file: {
        "fields": ASSESSMENT_FIELDS,
        "versions": desk.reader.assessments(file),
    },
)


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
            participant_agreed="on" if plan.participant_agreed else "",
            review_on=plan.review_on.isoformat(),
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


def plan_extra(desk: CaseDesk, file: CaseFile) -> dict[str, Any]:
    """What an activity row needs: the parts of the consent, and the staff of each part."""
    parts = [p for p in Part if p in file.row.consent_parts]
    return {
        "staff": desk.staff_options(),
        "staff_by_part": desk.staff_by_part(parts),
        "consent_parts": parts,
    }


def _plan_page(
    desk: CaseDesk, file: CaseFile, form: dict[str, Any], errors: FormErrors
) -> Response[bytes]:
    return form_page(
        "cases/plan_form.html",
        lambda d, c: {**plan_extra(d, c), "rows": _activity_rows(form)},
    )(desk, file, form, errors)


def _rows_changed(form: dict[str, Any]) -> dict[str, Any] | None:
    """The plain form's "add a row" or "remove this row" (without JavaScript): the form as
    it was, with one more blank row or one row less; None when the form was sent to be saved."""
    rows = _activity_rows(form)
    if form.get(ADD_ROW):
        return {**form, f"activities.{max(rows, default=-1) + 1}.what": ""}
    removed = form.get(REMOVE_ROW)
    if removed:
        prefix = f"activities.{removed}."
        return {key: value for key, value in form.items() if not key.startswith(prefix)}
    return None


def read_activity(
    f: dict[str, Any],
    e: FormErrors,
    key: str,
    existing: dict[str, case.Activity],
    part_of_staff: Mapping[str, Part],
) -> case.Activity | None:
    """One activity row of a form; None when the row was left empty or ticked for removal.
    The responsible person is one of the chosen part's staff."""
    if not f.get(f"{key}.what", "").strip() or f.get(f"{key}.remove"):
        return None
    earlier = existing.get(f.get(f"{key}.id", ""))
    part = e.choice(f, f"{key}.part", Part) or Part.AF
    responsible = e.text(f, f"{key}.responsible_id", bounds.NAME_LENGTH)
    if responsible and f"{key}.part" not in e and part_of_staff.get(responsible, part) != part:
        e[f"{key}.responsible_id"] = f"Välj någon som arbetar på {part.label}."
    start_on = e.date(f, f"{key}.start_on")
    due_on = e.date(f, f"{key}.due_on")
    return case.Activity(
        earlier.activity_id if earlier else str(uuid.uuid4()),
        e.text(f, f"{key}.what"),
        part,
        responsible,
        start_on,
        due_on,
        earlier.status if earlier else ActivityStatus.PLANNED,
        earlier.drop_reason if earlier else "",
    )


def _plan_command(
    existing: dict[str, case.Activity], part_of_staff: Mapping[str, Part]
) -> CommandBuilder:
    def build(f: dict[str, Any], e: FormErrors) -> case.Command:
        activities = [
            read_activity(f, e, f"activities.{index}", existing, part_of_staff)
            for index in _activity_rows(f)
        ]
        agreed_on = e.date(f, "agreed_on")
        review_on = e.optional_date(f, "review_on")
        return case.AgreePlan(
            case.Plan(
                e.free_text(f, "goals_short"),
                e.free_text(f, "goals_long"),
                e.free_text(f, "participant_words"),
                e.free_text(f, "staff_notes"),
                tuple(a for a in activities if a is not None),
                tuple(f["agreed_by"]),
                bool(f.get("participant_agreed")),
                agreed_on,
                # agreed_on is within the bounds here (or a stand-in after a message)
                review_on or case.default_review_on(agreed_on),
            ),
            e.free_text(f, "reason"),
        )

    return build


class PlanController(CaseController):
    @get("/kartlaggning", sync_to_thread=True)
    def assessment_form(
        self, case_id: FromPath[str], desk: NamedDependency[CaseDesk]
    ) -> Response[bytes]:
        file = desk.open_for_work(case_id, "kartläggning", case.RecordAssessment)
        latest = desk.reader.assessments(file)[:1]
        form = {name: latest[0][name] if latest else "" for name, _ in ASSESSMENT_FIELDS}
        form["version"] = str(file.row.version)
        return _assessment_page(desk, file, form, FormErrors())

    @post("/kartlaggning", sync_to_thread=True)
    def record_assessment(
        self, case_id: FromPath[str], data: Form, desk: NamedDependency[CaseDesk]
    ) -> Response[Any]:
        def build(f: dict[str, Any], e: FormErrors) -> case.Command:
            text = {name: e.free_text(f, name) for name, _ in ASSESSMENT_FIELDS}
            return case.RecordAssessment(**text, recorded_on=e.date(f, "recorded_on"))

        return desk.act(case_id, posted(data), build, _assessment_page)

    @get("/plan", sync_to_thread=True)
    def plan_form(self, case_id: FromPath[str], desk: NamedDependency[CaseDesk]) -> Response[bytes]:
        file = desk.open_for_work(case_id, "handlingsplan", case.AgreePlan)
        versions = desk.reader.plan_versions(file)
        latest = versions[-1].plan if versions else None
        if latest is not None:
            current = {a.activity_id: a for a in desk.reader.activities(file)}
            latest = replace(
                latest, activities=tuple(current.get(a.activity_id, a) for a in latest.activities)
            )
        form = _plan_form(file.row, latest, desk.clock.today())
        return _plan_page(desk, file, form, FormErrors())

    @post("/plan", sync_to_thread=True)
    def agree_plan(
        self, case_id: FromPath[str], data: Form, desk: NamedDependency[CaseDesk]
    ) -> Response[Any]:
        form = posted(data)
        rows = _rows_changed(form)
        if rows is not None:
            file = desk.open_for_work(case_id, "handlingsplan", case.AgreePlan)
            return _plan_page(desk, file, rows, FormErrors())
        build = _plan_command(desk.activities(case_id), desk.part_of_staff())
        return desk.act(case_id, form, build, _plan_page)

    @get("/plan/rad/{index:int}", sync_to_thread=True)
    def activity_row(
        self, case_id: FromPath[str], index: FromPath[int], desk: NamedDependency[CaseDesk]
    ) -> Response[bytes]:
        """One more blank activity row, for htmx to put in place of the "add" button (which
        comes again after it)."""
        file = desk.open_for_work(case_id, "handlingsplan", case.AgreePlan)
        return desk.page(
            "cases/_activity_rows_more.html",
            case=file.row,
            index=max(0, min(index, MAX_ROWS)),
            **plan_extra(desk, file),
        )

    @get("/plan/ansvarig", sync_to_thread=True)
    def responsible_choice(
        self, case_id: FromPath[str], request: HTMXRequest, desk: NamedDependency[CaseDesk]
    ) -> Response[bytes]:
        """The "Ansvarig" choice of one activity row for the part just chosen."""
        file = desk.open_for_work(case_id, "handlingsplan", case.AgreePlan)
        key = request.query_params.get("rad", "activities.0")
        if not re.fullmatch(r"(activities|new)\.\d{1,3}", key):
            raise NotFoundException("Den raden finns inte.")
        part = Part.parse(request.query_params.get(f"{key}.part", ""))
        return desk.page(
            "cases/_responsible.html",
            case=file.row,
            key=key,
            part=part,
            **plan_extra(desk, file),
        )

    @get("/plan/versioner", sync_to_thread=True)
    def plan_versions(
        self, case_id: FromPath[str], request: HTMXRequest, desk: NamedDependency[CaseDesk]
    ) -> Response[bytes]:
        file = desk.open_personal(case_id, "handlingsplanens versioner")
        versions = desk.reader.plan_versions(file)
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
        return desk.page(
            "cases/plan_versions.html",
            case=file.row,
            versions=versions,
            older=older,
            newer=newer,
            changes=changes,
            shown=by_number[newer],
            names=desk.names(),
        )

    @get("/plan/utskrift", sync_to_thread=True)
    def plan_printout(
        self, case_id: FromPath[str], desk: NamedDependency[CaseDesk]
    ) -> Response[bytes]:
        file = desk.open_personal(case_id, "handlingsplan för deltagaren")
        versions = desk.reader.plan_versions(file)
        if not versions or versions[-1].plan is None:
            raise NotFoundException("Ärendet har ingen handlingsplan ännu.")
        staff = {u.id: u for u in desk.accounts.team_users(file.row.team_id)}
        now = desk.clock.wall_clock()
        upcoming = [
            m for m in desk.reader.meetings(file) if m.status == "scheduled" and m.starts_at >= now
        ]
        return desk.page(
            "cases/plan_printout.html",
            case=file.row,
            plan=versions[-1].plan,
            activities=desk.reader.activities(file),
            staff=staff,
            next_meeting=min(upcoming, key=lambda m: m.starts_at) if upcoming else None,
        )

    @post("/aktiviteter/{activity_id:str}", sync_to_thread=True)
    def change_activity(
        self,
        case_id: FromPath[str],
        activity_id: FromPath[str],
        data: Form,
        desk: NamedDependency[CaseDesk],
    ) -> Response[Any]:
        today = desk.clock.today()
        return desk.act(
            case_id,
            posted(data),
            lambda f, e: case.ChangeActivity(
                activity_id,
                _new_status(f, e),
                today,
                e.free_text(f, "reason"),
            ),
        )


def _new_status(form: dict[str, Any], errors: FormErrors) -> ActivityStatus:
    if not form.get("status"):
        errors["status"] = "Välj den nya statusen."
        return ActivityStatus.PLANNED
    return errors.choice(form, "status", ActivityStatus) or ActivityStatus.PLANNED


CONTROLLERS = [PlanController]
