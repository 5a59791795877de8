"""The case desk: what every case handler shares for one request. It finds the case in the
user's team, checks what the user may see and do, runs a command from a posted form, and
draws the case's pages with the user's input kept and a message beside each bad field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Redirect, Response

from coordination.accounts.insatser import Insatser
from coordination.accounts.service import Accounts
from coordination.cases import domain as case
from coordination.cases.queries import CaseQueries
from coordination.cases.service import CaseChanged, CaseRow, Cases
from coordination.config import Settings
from coordination.shared import access
from coordination.shared.access import User
from coordination.shared.charts import step_chart
from coordination.shared.clock import Clock
from coordination.shared.forms import FormErrors
from coordination.shared.vocabulary import Role
from coordination.shared.web import Option, Page, form_of

# Fields posted as several values (checkboxes).
LIST_FIELDS = ("consent_parts", "support_sources", "agreed_by", "invitee_ids", "attended_parts")
WORKING_ROLES = (Role.CASEWORKER, Role.COORDINATOR)


def staff_options(colleagues: list[User]) -> list[Option]:
    """The team's handläggare and samordnare: who can be responsible or invited."""
    return [
        Option(u.id, f"{u.name} ({u.part.label})") for u in colleagues if u.role in WORKING_ROLES
    ]


CommandBuilder = Callable[[dict[str, Any], FormErrors], case.Command]


@dataclass
class CaseDesk:
    """Made for each request by dependency injection (`DESK`) from the services and the
    signed-in user."""

    page: NamedDependency[Page]
    user: NamedDependency[User]
    cases: NamedDependency[Cases]
    accounts: NamedDependency[Accounts]
    insatser: NamedDependency[Insatser]
    settings: NamedDependency[Settings]
    clock: NamedDependency[Clock]

    @property
    def journey(self) -> CaseQueries:
        return self.cases.journey

    def case_for(self, case_id: str) -> CaseRow:
        found = self.cases.case(case_id)
        if (
            found is None
            or found.team_id != self.user.team_id
            or not access.can_see_case_list(self.user)
        ):
            raise NotFoundException("Ärendet finns inte.")
        return found

    def require_case_worker(self, team_id: str) -> None:
        if not access.can_work_cases(self.user, team_id):
            raise PermissionDeniedException("Din roll får inte ändra ärenden.")

    def personal_allowed(self, row: CaseRow) -> bool:
        return access.can_see_personal_data(
            self.user, row.team_id, row.consent_parts, row.consent_withdrawn
        )

    def personal_case(self, case_id: str, page_name: str) -> CaseRow:
        """A case whose personal data the user may see; the read goes to the read audit."""
        row = self.case_for(case_id)
        if not self.personal_allowed(row):
            raise PermissionDeniedException(
                "Du ser inte deltagarens uppgifter: din part omfattas inte av samtycket."
            )
        self.cases.record_read(self.user, case_id, page_name)
        return row

    def staff_options(self) -> list[Option]:
        return staff_options(self.accounts.team_users(self.user.team_id))

    def names(self) -> dict[str, str]:
        return {u.id: u.name for u in self.accounts.team_users(self.user.team_id)}

    def act(
        self,
        case_id: str,
        form: dict[str, Any],
        build: CommandBuilder,
        render: Render | None = None,
        anchor: str = "",
    ) -> Response[Any]:
        """Run a command from a posted form; on bad input or a conflict the form's page (the
        case page unless `render` draws another) comes back with the user's input kept and a
        message beside each field."""
        row = self.case_for(case_id)
        self.require_case_worker(row.team_id)
        errors = FormErrors()
        command = build(form, errors)
        try:
            expected = int(form.get("version") or -1)
        except ValueError:
            expected = -1
        if not errors:
            try:
                self.cases.execute(self.user, case_id, expected, command)
                return Redirect(f"/arenden/{case_id}{anchor}")
            except case.Rejected as rejected:
                errors.update(rejected.errors)
            except CaseChanged:
                errors[""] = CaseChanged.message
        if render is not None:
            return render(self, row, form, errors)
        attempt = self.page.request.url.path.removeprefix(f"/arenden/{case_id}/")
        return case_page(self, row, 422, form=form, errors=errors, attempt=attempt)


Render = Callable[[CaseDesk, CaseRow, dict[str, Any], FormErrors], Response[bytes]]
Extra = Callable[[CaseDesk, CaseRow], dict[str, Any]]


def form_page(template: str, extra: Extra | None = None) -> Render:
    """How a form of the case is drawn: the case, the user's input and the messages beside the
    fields (422 when there are any), and what else the template needs."""

    def render(
        desk: CaseDesk, row: CaseRow, form: dict[str, Any], errors: FormErrors
    ) -> Response[bytes]:
        more = extra(desk, row) if extra else {}
        return desk.page(
            template, 422 if errors else 200, case=row, form=form, errors=errors, **more
        )

    return render


def case_page(
    desk: CaseDesk, row: CaseRow, status_code: int = 200, **context: Any
) -> Response[bytes]:
    """The case page: the case, what the user may see of it, and every form of the journey."""
    user, journey, today = desk.user, desk.journey, desk.clock.today()
    personal = (
        desk.cases.personal_data(user, row.case_id, "ärendesidan")
        if desk.personal_allowed(row)
        else None
    )
    colleagues = desk.accounts.team_users(user.team_id)
    current = [
        i
        for i in desk.insatser.team_insatser(row.team_id)
        if i.active_to is None or i.active_to >= today
    ]
    steps = journey.steps(row.case_id)
    ladder = desk.settings.ladder
    versions = journey.plan_versions(row.case_id) if personal is not None else []
    assessments = journey.assessments(row.case_id) if personal is not None else []
    return desk.page(
        "cases/case.html",
        status_code,
        case=row,
        personal=personal,
        assessment=next(iter(assessments), None),
        plan=versions[-1] if versions else None,
        activities=journey.activities(row.case_id) if personal is not None else [],
        meetings=journey.meetings(row.case_id),
        steps=[s for s in steps if s["kind"] == "step"],
        self_assessments=[s for s in steps if s["kind"] == "self_assessment"],
        chart=step_chart(
            [(s["recorded_on"], s["level"]) for s in steps if s["kind"] == "step"], len(ladder)
        ),
        ladder=ladder,
        scale=desk.settings.self_assessment,
        follow_ups=journey.follow_ups(row.case_id),
        after_support=journey.after_support(row.case_id) if personal is not None else [],
        follow_up_months=desk.settings.timings.follow_up_months,
        names={c.id: c.name for c in colleagues},
        staff=staff_options(colleagues),
        may_work=access.can_work_cases(user, row.team_id),
        attempt=context.pop("attempt", ""),
        timeline=desk.cases.timeline(row.case_id),
        insats_options=[Option(i.id, f"{i.name} ({i.insats_type.label})") for i in current],
        coordinator_options=[
            Option(c.id, c.name) for c in colleagues if c.role is Role.COORDINATOR
        ],
        **context,
    )


def posted(data: dict[str, Any]) -> dict[str, Any]:
    """A posted form of the case, its checkbox fields as lists."""
    return form_of(data, *LIST_FIELDS)


# The desk as a controller's dependency.
DESK = {"desk": Provide(CaseDesk, sync_to_thread=False)}
