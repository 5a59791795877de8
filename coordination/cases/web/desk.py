"""The case desk: what every case handler shares for one request. It opens the case through
the case service's gate (which decides what the user may see and do), runs a command from a
posted form, and draws the case's pages with the user's input kept and a message beside each
bad field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from litestar.di import NamedDependency, Provide
from litestar.response import Redirect, Response

from coordination.accounts.insatser import Insats, Insatser
from coordination.accounts.service import Accounts
from coordination.cases import domain as case
from coordination.cases.reading import CaseFile, CaseReader
from coordination.cases.service import CaseChanged, CaseRefused, CaseRow, Cases
from coordination.cases.web import sections
from coordination.config import Settings
from coordination.reminders.service import Reminders
from coordination.shared.access import User
from coordination.shared.charts import step_chart
from coordination.shared.clock import Clock
from coordination.shared.forms import FormErrors
from coordination.shared.vocabulary import ErasureReason, Part, Role
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
    reminders: NamedDependency[Reminders]

    @property
    def reader(self) -> CaseReader:
        return self.cases.reader

    def open(self, case_id: str, page_name: str) -> CaseFile:
        """The case as the user may see it (its personal data only when the gate opens it,
        and then the read is in the Läslogg)."""
        return self.cases.open(self.user, case_id, page_name)

    def open_personal(self, case_id: str, page_name: str) -> CaseFile:
        """The case with its personal data, or a refusal."""
        return self.cases.open_personal(self.user, case_id, page_name)

    def open_for_work(self, case_id: str, page_name: str, command: type) -> CaseFile:
        """The form of a command of the case: refused unless the user may run it."""
        refused = self.cases.refusal(
            self.user, self.cases.visible_case(self.user, case_id), command
        )
        if refused is not None:
            raise CaseRefused(refused)
        return self.open(case_id, page_name)

    def activities(self, case_id: str) -> dict[str, case.Activity]:
        """The current plan's activities by id (personal data: through the gate)."""
        file = self.open_personal(case_id, "handlingsplanens aktiviteter")
        return {a.activity_id: a for a in self.reader.activities(file)}

    def staff_options(self) -> list[Option]:
        return staff_options(self.accounts.team_users(self.user.team_id))

    def staff_by_part(self, parts: list[Part]) -> dict[Part, list[Option]]:
        """Who can be responsible for an activity of each part: its handläggare and
        samordnare."""
        colleagues = self.accounts.team_users(self.user.team_id)
        return {
            part: [
                Option(u.id, u.name)
                for u in colleagues
                if u.role in WORKING_ROLES and u.part is part
            ]
            for part in parts
        }

    def part_of_staff(self) -> dict[str, Part]:
        return {u.id: u.part for u in self.accounts.team_users(self.user.team_id)}

    def names(self) -> dict[str, str]:
        return {u.id: u.name for u in self.accounts.team_users(self.user.team_id)}

    def act(
        self,
        case_id: str,
        form: dict[str, Any],
        build: CommandBuilder,
        render: Render | None = None,
        confirm: Confirmation | None = None,
    ) -> Response[Any]:
        """Run a command from a posted form; on bad input or a conflict the form's page (the
        case page unless `render` draws another) comes back with the user's input kept and a
        message beside each field. The gate refuses before anything is validated or shown. A
        command that cannot be undone (`confirm`) is first shown with what it will do, and
        runs when that page is posted."""
        row = self.cases.visible_case(self.user, case_id)
        cannot = self.cases.act_refusal(self.user, row)  # before anything of the form is read
        if cannot is not None:
            raise CaseRefused(cannot)
        errors = FormErrors(self.clock.today())
        shown: dict[str, Any] = {}
        command = build(form, errors)
        refused = self.cases.refusal(self.user, row, command)
        if refused is not None:
            raise CaseRefused(refused)
        try:
            expected = int(form.get("version") or -1)
        except ValueError:
            expected = -1
        attempt = self.page.request.url.path.removeprefix(f"/arenden/{case_id}/")
        if errors:
            self._add_domain_problems(case_id, expected, command, errors)
        else:
            try:
                if confirm is not None and form.get(CONFIRMED) != "ja":
                    self.cases.try_out(self.user, case_id, expected, command)
                    return self._confirmation(row, form, attempt, confirm)
                self.cases.execute(self.user, case_id, expected, command)
                section, _ = sections.after(command)
                done = type(command).__name__
                return Redirect(f"{section_url(case_id, section)}?klart={done}")
            except case.Rejected as rejected:
                errors.update(rejected.errors)
                shown = getattr(rejected, "shown", {})  # what the refusal shows beside it
            except CaseChanged:
                errors[""] = CaseChanged.message
        file = self.open(case_id, f"formulär med fel ({attempt})")
        if render is not None:
            return render(self, file, form, errors)
        return case_page(
            self,
            file,
            sections.section_of_attempt(attempt),
            422,
            form=form,
            errors=errors,
            attempt=attempt,
            **shown,
        )

    def _add_domain_problems(
        self, case_id: str, expected: int, command: case.Command, errors: FormErrors
    ) -> None:
        """What the domain says of the fields the form found nothing wrong in, so that every
        problem is reported at once (the command carries stand-ins for the wrong fields)."""
        try:
            self.cases.try_out(self.user, case_id, expected, command)
        except case.Rejected as rejected:
            for name, message in rejected.errors.items():
                if name and name not in errors:
                    errors[name] = message
        except CaseChanged:
            pass

    def _confirmation(
        self, row: CaseRow, form: dict[str, Any], attempt: str, confirm: Confirmation
    ) -> Response[bytes]:
        """What the command will do, and the form once more to say yes to it."""
        return self.page(
            "cases/confirm.html",
            case=row,
            form=form,
            confirm=confirm,
            consequences=confirm.consequences(row),
            action=f"/arenden/{row.case_id}/{attempt}",
            back=section_url(row.case_id, sections.section_of_attempt(attempt)),
        )


CONFIRMED = "bekraftat"  # the field of a confirmation page's form


@dataclass(frozen=True)
class Confirmation:
    """What the user is asked before a command that cannot be undone."""

    question: str
    button: str
    consequences: Callable[[CaseRow], list[str]]


def section_url(case_id: str, section: sections.Section) -> str:
    return f"/arenden/{case_id}/avsnitt/{section.slug}"


Render = Callable[[CaseDesk, CaseFile, dict[str, Any], FormErrors], Response[bytes]]
Extra = Callable[[CaseDesk, CaseFile], dict[str, Any]]


def form_page(template: str, extra: Extra | None = None) -> Render:
    """How a form of the case is drawn: the case, the user's input and the messages beside the
    fields (422 when there are any), and what else the template needs."""

    def render(
        desk: CaseDesk, file: CaseFile, form: dict[str, Any], errors: FormErrors
    ) -> Response[bytes]:
        more = extra(desk, file) if extra else {}
        return desk.page(
            template,
            422 if errors else 200,
            case=file.row,
            form=form,
            errors=errors,
            **more,
        )

    return render


def case_page(
    desk: CaseDesk,
    file: CaseFile,
    section: sections.Section | None = None,
    status_code: int = 200,
    **context: Any,
) -> Response[bytes]:
    """The case page: the summary, the journey as a task list, and one section of it (the
    next thing to do unless `section` is asked for)."""
    row = file.row
    timeline = desk.cases.timeline(file)
    listed = sections.tasks(row, [e["event_type"] for e in timeline])
    shown = section or sections.next_section(row, listed)
    colleagues = desk.accounts.team_users(row.team_id)
    names = {c.id: c.name for c in colleagues}
    due = desk.reminders.due_for_case(row.case_id)
    return desk.page(
        "cases/case.html",
        status_code,
        case=row,
        personal=desk.cases.people(file),
        tasks=listed,
        section=shown,
        due=due[0] if due else None,
        saved=sections.saved_message(desk.page.request.query_params.get("klart", "")),
        names=names,
        # withdrawn consent leaves the samordnare renewal, closure and reopening only
        may_work=file.may_work and not row.consent_withdrawn,
        may_restore=file.may_work,
        attempt=context.pop("attempt", ""),
        timeline=timeline,
        **SECTION_DATA.get(shown.slug, _nothing)(desk, file, colleagues),
        **context,
    )


SectionData = Callable[[CaseDesk, CaseFile, list[User]], dict[str, Any]]


def _nothing(desk: CaseDesk, file: CaseFile, colleagues: list[User]) -> dict[str, Any]:
    return {}


def _participant(desk: CaseDesk, file: CaseFile, colleagues: list[User]) -> dict[str, Any]:
    today, row = desk.clock.today(), file.row
    # Those running today first, so that the default suits the default start date; then the
    # ended ones with their period, for back-registering a case with an earlier start date.
    # One that has not begun cannot be chosen: a start date is never in the future.
    individual = [i for i in desk.insatser.team_insatser(row.team_id) if not i.counted]
    current = [i for i in individual if i.active_on(today)]
    ended = [i for i in individual if i.active_to is not None and i.active_to < today]
    return {
        "erasure": erasure_actions(desk, row),
        "retention_months": desk.settings.retention_months,
        "insats_options": [Option(i.id, f"{i.name} ({i.insats_type.label})") for i in current]
        + [Option(i.id, f"{i.name} ({i.insats_type.label}; {period_of(i)})") for i in ended],
        "coordinator_options": [
            Option(c.id, c.name) for c in colleagues if c.role is Role.COORDINATOR
        ],
    }


def period_of(insats: Insats) -> str:
    return f"pågick {insats.active_from} – {insats.active_to}"


def _assessment(desk: CaseDesk, file: CaseFile, colleagues: list[User]) -> dict[str, Any]:
    return {"assessment": next(iter(desk.reader.assessments(file)), None)}


def _plan(desk: CaseDesk, file: CaseFile, colleagues: list[User]) -> dict[str, Any]:
    versions = desk.reader.plan_versions(file)
    return {
        "plan": versions[-1] if versions else None,
        "activities": desk.reader.activities(file),
    }


def _meetings(desk: CaseDesk, file: CaseFile, colleagues: list[User]) -> dict[str, Any]:
    return {"meetings": desk.reader.meetings(file)}


def _steps(desk: CaseDesk, file: CaseFile, colleagues: list[User]) -> dict[str, Any]:
    steps = desk.reader.steps(file)
    ladder = desk.settings.ladder
    return {
        "steps": [s for s in steps if s["kind"] == "step"],
        "self_assessments": [s for s in steps if s["kind"] == "self_assessment"],
        "chart": step_chart(
            [(s["recorded_on"], s["level"]) for s in steps if s["kind"] == "step"], len(ladder)
        ),
        "ladder": ladder,
        "scale": desk.settings.self_assessment,
    }


def _handovers(desk: CaseDesk, file: CaseFile, colleagues: list[User]) -> dict[str, Any]:
    return {"staff": staff_options(colleagues)}


def _closure(desk: CaseDesk, file: CaseFile, colleagues: list[User]) -> dict[str, Any]:
    return {
        "follow_ups": desk.reader.follow_ups(file),
        "after_support": desk.reader.after_support(file),
        "follow_up_months": desk.settings.timings.follow_up_months,
    }


SECTION_DATA: dict[str, SectionData] = {
    sections.PARTICIPANT.slug: _participant,
    sections.ASSESSMENT.slug: _assessment,
    sections.PLAN.slug: _plan,
    sections.MEETINGS.slug: _meetings,
    sections.STEPS.slug: _steps,
    sections.HANDOVERS.slug: _handovers,
    sections.CLOSURE.slug: _closure,
}


def erasure_actions(desk: CaseDesk, row: CaseRow) -> dict[str, bool]:
    """Which of the erasure forms the case page offers the user: the gate decides."""
    user, today = desk.user, desk.clock.today()

    def may(command: object) -> bool:
        return desk.cases.refusal(user, row, command) is None

    requested_by = row.erasure_requested_by
    return {
        "request": may(case.RequestErasure(ErasureReason.REQUEST, user.id, today)),
        "confirm": bool(requested_by)
        and requested_by != user.id
        and may(case.ConfirmErasure(user.id, today)),
        "hold": may(case.HoldRetention("", today)),
    }


def posted(data: dict[str, Any]) -> dict[str, Any]:
    """A posted form of the case, its checkbox fields as lists."""
    return form_of(data, *LIST_FIELDS)


# The desk as a controller's dependency.
DESK = {"desk": Provide(CaseDesk, sync_to_thread=False)}
