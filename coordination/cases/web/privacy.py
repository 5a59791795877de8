"""Erasure of a participant's personal data (asked for by one person, confirmed by another),
and retention: what the rule erases in the coming weeks, and holding a case from it."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from personnummer import personnummer

from coordination.cases import domain as case
from coordination.cases.privacy import NOTICE_DAYS, Retention, SubjectAccess
from coordination.cases.web.case import CaseController
from coordination.cases.web.desk import DESK, CaseDesk, posted
from coordination.cases.web.plan import ASSESSMENT_FIELDS
from coordination.shared import access, bounds
from coordination.shared.forms import FormErrors
from coordination.shared.vocabulary import ErasureReason
from coordination.shared.web import Form, Page, allowed, form_of

# A registerutdrag is not kept in any cache on the way.
NO_STORE = {"Cache-Control": "no-store"}


class ErasureController(CaseController):
    @post("/radering", sync_to_thread=True)
    def request_erasure(
        self, case_id: FromPath[str], data: Form, desk: NamedDependency[CaseDesk]
    ) -> Response[Any]:
        user, today = desk.user, desk.clock.today()

        def build(f: dict[str, Any], e: FormErrors) -> case.Command:
            reason = e.choice(f, "erasure_reason", ErasureReason)
            if reason is ErasureReason.RETENTION:
                e["erasure_reason"] = "Välj skälet till raderingen."
            return case.RequestErasure(reason or ErasureReason.REQUEST, user.id, today)

        return desk.act(case_id, posted(data), build)

    @post("/radering/avbryt", sync_to_thread=True)
    def cancel_erasure(
        self, case_id: FromPath[str], data: Form, desk: NamedDependency[CaseDesk]
    ) -> Response[Any]:
        today = desk.clock.today()
        return desk.act(case_id, posted(data), lambda f, e: case.CancelErasure(today))

    @post("/radering/bekrafta", sync_to_thread=True)
    def confirm_erasure(
        self, case_id: FromPath[str], data: Form, desk: NamedDependency[CaseDesk]
    ) -> Response[Any]:
        user, today = desk.user, desk.clock.today()

        def build(f: dict[str, Any], e: FormErrors) -> case.Command:
            if not f.get("understood"):
                # at the top of the page: the form may be gone when the request was withdrawn
                e[""] = "Kryssa i att du förstår att raderingen inte kan ångras."
            return case.ConfirmErasure(user.id, today)

        return desk.act(case_id, posted(data), build)

    @post("/gallring/undanta", sync_to_thread=True)
    def hold_retention(
        self, case_id: FromPath[str], data: Form, desk: NamedDependency[CaseDesk]
    ) -> Response[Any]:
        today = desk.clock.today()
        return desk.act(
            case_id,
            posted(data),
            lambda f, e: case.HoldRetention(e.text(f, "hold_reason"), today),
        )

    @post("/gallring/slapp", sync_to_thread=True)
    def release_retention(
        self, case_id: FromPath[str], data: Form, desk: NamedDependency[CaseDesk]
    ) -> Response[Any]:
        today = desk.clock.today()
        return desk.act(case_id, posted(data), lambda f, e: case.ReleaseRetention(today))


class RetentionController(Controller):
    """Gallring: what the retention rule erases within the notice period."""

    path = "/admin/gallring"
    dependencies = DESK
    guards = (allowed(access.can_administer, "Bara administratörer ser gallringen."),)

    @get(sync_to_thread=True)
    def coming(
        self,
        page: NamedDependency[Page],
        desk: NamedDependency[CaseDesk],
        retention: NamedDependency[Retention],
    ) -> Response[bytes]:
        return page(
            "cases/retention.html",
            coming=retention.coming(desk.user),
            months=retention.months,
            notice_days=NOTICE_DAYS,
        )


class SubjectAccessController(Controller):
    """Registerutdrag: the personnummer is posted, never put in an address."""

    path = "/admin/registerutdrag"
    dependencies = DESK
    guards = (allowed(access.can_administer, "Bara administratörer gör registerutdrag."),)

    @get(sync_to_thread=False)
    def form(self, page: NamedDependency[Page]) -> Response[bytes]:
        return page("cases/subject_access.html", searched=False)

    @post(sync_to_thread=True)
    def extract(
        self,
        data: Form,
        page: NamedDependency[Page],
        desk: NamedDependency[CaseDesk],
        subject_access: NamedDependency[SubjectAccess],
    ) -> Response[bytes]:
        form = form_of(data)
        number = form.get("personnummer", "").strip()
        if len(number) > bounds.NAME_LENGTH or not personnummer.valid(number):
            errors = {"personnummer": "Skriv ett giltigt personnummer: ÅÅÅÅMMDD-NNNN."}
            return page("cases/subject_access.html", 422, form=form, errors=errors, searched=False)
        extracts = subject_access.extract(desk.user, number)
        context: dict[str, Any] = {
            "extracts": extracts,
            # the number stays in the field (for the download) only beside what it found
            "form": form if extracts else {},
            "made_at": desk.clock.wall_clock(),
            "assessment_fields": ASSESSMENT_FIELDS,
            "names": desk.names(),
            "searched": True,
        }
        download = bool(form.get("download"))
        made = page(
            "cases/subject_access_file.html" if download else "cases/subject_access.html",
            **context,
        )
        made.headers.update(NO_STORE)
        if download:
            made.headers["Content-Disposition"] = (
                f'attachment; filename="registerutdrag-{desk.clock.today().isoformat()}.html"'
            )
        return made


CONTROLLERS = [ErasureController, RetentionController, SubjectAccessController]
