"""Steps, self-assessments, handovers, closure and reopening, follow-ups after closure and
after-support."""

from __future__ import annotations

from typing import Any

from dateutil.relativedelta import relativedelta
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from coordination.cases import domain as case
from coordination.cases.service import CaseFile
from coordination.cases.web.case import CaseController
from coordination.cases.web.desk import CaseDesk, Confirmation, Render, form_page, posted
from coordination.shared.forms import FormErrors
from coordination.shared.vocabulary import (
    ClosureKind,
    ClosureReason,
    Occupation,
    Part,
    SelfAssessmentPhase,
    SupportSource,
)
from coordination.shared.web import Form

_closure_page = form_page("cases/closure.html")


def _follow_up_page(months: int) -> Render:
    def context(desk: CaseDesk, file: CaseFile) -> dict[str, Any]:
        closed = file.row.closed_on
        window = closed and case.follow_up_window(closed, months, _points(desk))
        return {"months": months, "window": window}

    return form_page("cases/follow_up.html", context)


def _points(desk: CaseDesk) -> case.FollowUpPoints:
    timings = desk.settings.timings
    return case.FollowUpPoints(timings.follow_up_months, timings.follow_up_window_months)


def _months(desk: CaseDesk, months: int) -> int:
    if months not in desk.settings.timings.follow_up_months:
        raise NotFoundException("Ingen uppföljning görs efter så många månader.")
    return months


CLOSE = Confirmation(
    "Avsluta ärendet?",
    "Ja, avsluta ärendet",
    lambda row: [
        "Planen, mötena och stegen kan inte ändras efter avslutet. Ärendet kan öppnas igen.",
        "Uppföljningarna efter avslut påminns den ansvariga samordnaren när de ska göras.",
        "Avslutet med sysselsättning och försörjning räknas i statistiken.",
    ],
)


class ProgressController(CaseController):
    @post("/steg", sync_to_thread=True)
    def record_step(
        self, case_id: FromPath[str], data: Form, desk: NamedDependency[CaseDesk]
    ) -> Response[Any]:
        top = len(desk.settings.ladder) - 1
        return desk.act(
            case_id,
            posted(data),
            lambda f, e: case.RecordStep(
                e.date(f, "step_on"), e.number(f, "to_level", 0, top), e.free_text(f, "evidence")
            ),
        )

    @post("/sjalvskattning", sync_to_thread=True)
    def record_self_assessment(
        self, case_id: FromPath[str], data: Form, desk: NamedDependency[CaseDesk]
    ) -> Response[Any]:
        scale = desk.settings.self_assessment
        return desk.act(
            case_id,
            posted(data),
            lambda f, e: case.RecordSelfAssessment(
                e.date(f, "self_on"),
                e.choice(f, "phase", SelfAssessmentPhase) or SelfAssessmentPhase.DURING,
                e.number(f, "score", 1, len(scale)),
                e.free_text(f, "self_note"),
            ),
        )

    @post("/overlamning", sync_to_thread=True)
    def hand_over(
        self, case_id: FromPath[str], data: Form, desk: NamedDependency[CaseDesk]
    ) -> Response[Any]:
        today = desk.clock.today()

        def build(f: dict[str, Any], e: FormErrors) -> case.Command:
            responsibility = f.get("responsibility", "")
            part = Part.parse(responsibility)
            if part is None and responsibility != "coordinator":
                e["responsibility"] = "Välj vilket ansvar som lämnas över."
            return case.HandOver(part, e.text(f, "to_id"), e.free_text(f, "handover_reason"), today)

        return desk.act(case_id, posted(data), build)


class ClosureController(CaseController):
    @get("/avslut", sync_to_thread=True)
    def closure_form(
        self, case_id: FromPath[str], desk: NamedDependency[CaseDesk]
    ) -> Response[bytes]:
        file = desk.open_for_work(case_id, "avslut", case.CloseCase)
        form = {
            "version": str(file.row.version),
            "closed_on": desk.clock.today().isoformat(),
            "kind": ClosureKind.COMPLETED.value,
            "support_sources": [],
        }
        return _closure_page(desk, file, form, FormErrors())

    @post("/avslut", sync_to_thread=True)
    def close_case(
        self, case_id: FromPath[str], data: Form, desk: NamedDependency[CaseDesk]
    ) -> Response[Any]:
        def build(f: dict[str, Any], e: FormErrors) -> case.Command:
            return case.CloseCase(
                e.choice(f, "kind", ClosureKind) or ClosureKind.COMPLETED,
                e.choice(f, "reason", ClosureReason) or ClosureReason.OTHER,
                e.choice(f, "occupation", Occupation) or Occupation.UNKNOWN,
                e.choices(f["support_sources"], "support_sources", SupportSource),
                e.free_text(f, "next_step"),
                bool(f.get("no_next_step")),
                e.date(f, "closed_on"),
            )

        return desk.act(case_id, posted(data), build, _closure_page, CLOSE)

    @post("/ateroppna", sync_to_thread=True)
    def reopen_case(
        self, case_id: FromPath[str], data: Form, desk: NamedDependency[CaseDesk]
    ) -> Response[Any]:
        return desk.act(
            case_id,
            posted(data),
            lambda f, e: case.ReopenCase(
                e.free_text(f, "reopen_reason"),
                e.choices(f["consent_parts"], "consent_parts", Part),
                e.free_text(f, "consent_note"),
                e.date(f, "reopened_on"),
            ),
        )

    @get("/uppfoljning/{months:int}", sync_to_thread=True)
    def follow_up_form(
        self, case_id: FromPath[str], months: FromPath[int], desk: NamedDependency[CaseDesk]
    ) -> Response[bytes]:
        file = desk.open_for_work(case_id, "uppföljning", case.RecordFollowUp)
        form = {"version": str(file.row.version), "recorded_on": desk.clock.today().isoformat()}
        return _follow_up_page(_months(desk, months))(desk, file, form, FormErrors())

    @post("/uppfoljning/{months:int}", sync_to_thread=True)
    def record_follow_up(
        self,
        case_id: FromPath[str],
        months: FromPath[int],
        data: Form,
        desk: NamedDependency[CaseDesk],
    ) -> Response[Any]:
        chosen = _months(desk, months)
        return desk.act(
            case_id,
            posted(data),
            lambda f, e: case.RecordFollowUp(
                chosen,
                e.date(f, "recorded_on"),
                e.choice(f, "occupation", Occupation) or Occupation.UNKNOWN,
                e.choices(f["support_sources"], "support_sources", SupportSource),
                e.free_text(f, "obstacles"),
                _points(desk),
            ),
            _follow_up_page(chosen),
        )

    @post("/efterstod/start", sync_to_thread=True)
    def start_after_support(
        self, case_id: FromPath[str], data: Form, desk: NamedDependency[CaseDesk]
    ) -> Response[Any]:
        months = desk.settings.timings.after_support_months

        def build(f: dict[str, Any], e: FormErrors) -> case.Command:
            started = e.date(f, "started_on")
            planned = e.optional_date(f, "planned_end") or started + relativedelta(months=months)
            return case.StartAfterSupport(started, planned)

        return desk.act(case_id, posted(data), build)

    @post("/efterstod/kontakt", sync_to_thread=True)
    def log_after_support_contact(
        self, case_id: FromPath[str], data: Form, desk: NamedDependency[CaseDesk]
    ) -> Response[Any]:
        return desk.act(
            case_id,
            posted(data),
            lambda f, e: case.LogAfterSupportContact(
                e.date(f, "contacted_on"), e.free_text(f, "note")
            ),
        )

    @post("/efterstod/slut", sync_to_thread=True)
    def end_after_support(
        self, case_id: FromPath[str], data: Form, desk: NamedDependency[CaseDesk]
    ) -> Response[Any]:
        return desk.act(
            case_id,
            posted(data),
            lambda f, e: case.EndAfterSupport(e.date(f, "ended_on")),
        )


CONTROLLERS = [ProgressController, ClosureController]
