"""The team page, referrals and the case page with its commands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from coordination.accounts import insatser
from coordination.accounts import service as accounts
from coordination.cases import domain as case
from coordination.cases import queries as journey
from coordination.cases.service import CaseChanged, CaseRow
from coordination.shared import access
from coordination.shared.access import User
from coordination.shared.charts import step_chart
from coordination.shared.clock import team_today
from coordination.shared.forms import FormErrors
from coordination.shared.vocabulary import (
    AgeGroup,
    EducationLevel,
    Gender,
    Part,
    RegistrationType,
    Role,
    Stage,
    SupportSource,
    TimeInSupport,
)
from coordination.shared.web import Option, current_user, logged_in, page, posted, services_of

# Fields posted as several values (checkboxes).
LIST_FIELDS = ("consent_parts", "support_sources", "agreed_by", "invitee_ids", "attended_parts")

# -- the team page -------------------------------------------------------------------------


@get("/", guards=[logged_in])
async def team_page(request: Request[Any, Any, Any]) -> Response[Any]:
    user = current_user(request)
    if not access.can_see_case_list(user):
        return Redirect("/statistik")  # an analytiker's start page: aggregates only
    query = request.query_params
    services = services_of(request)
    filters = {name: query.get(name, "") for name in ("part", "coordinator", "stage", "code")}
    rows = services.cases.team_cases(
        user.team_id,
        part=Part.parse(filters["part"]),
        coordinator_id=filters["coordinator"] or None,
        stage=Stage.parse(filters["stage"]),
        code=filters["code"],
    )
    week_start = datetime.combine(team_today() - timedelta(days=team_today().weekday()), time())
    first_due = services.reminders.first_due([r.case_id for r in rows])
    return page(
        request,
        "team.html",
        first_due=first_due,
        week_meetings=journey.team_meetings(
            services.engine, user.team_id, week_start, week_start + timedelta(days=7)
        ),
        by_stage={stage: [r for r in rows if r.stage is stage] for stage in Stage},
        filters=filters,
        colleagues=accounts.team_users(services.engine, user.team_id),
        total=len(rows),
    )


# -- referral ----------------------------------------------------------------------------


def require_case_worker(user: User, team_id: str) -> None:
    if not access.can_work_cases(user, team_id):
        raise PermissionDeniedException("Din roll får inte ändra ärenden.")


@get("/remisser/ny", guards=[logged_in])
async def referral_form(request: Request[Any, Any, Any]) -> Template:
    require_case_worker(current_user(request), current_user(request).team_id)
    return page(request, "referral.html", form={"referral_date": team_today().isoformat()})


@post("/remisser/ny", guards=[logged_in])
async def register_referral(request: Request[Any, Any, Any]) -> Response[Any]:
    user = current_user(request)
    require_case_worker(user, user.team_id)
    form = await posted(request)
    errors = FormErrors()
    part = errors.choice(form, "from_part", Part)
    referral_date = errors.date(form, "referral_date")
    if errors or part is None:
        return page(request, "referral.html", 422, form=form, errors=errors)
    try:
        case_id = services_of(request).cases.register_referral(
            user,
            lambda code: case.RegisterReferral(
                code,
                user.team_id,
                part,
                form.get("from_caseworker", ""),
                form.get("reason", ""),
                referral_date,
            ),
        )
    except case.Rejected as rejected:
        return page(request, "referral.html", 422, form=form, errors=rejected.errors)
    return Redirect(f"/arenden/{case_id}")


# -- the case page -----------------------------------------------------------------------


def case_for(request: Request[Any, Any, Any], case_id: str) -> CaseRow:
    found = services_of(request).cases.case(case_id)
    user = current_user(request)
    if found is None or found.team_id != user.team_id or not access.can_see_case_list(user):
        raise NotFoundException("Ärendet finns inte.")
    return found


def case_page_of(
    request: Request[Any, Any, Any], row: CaseRow, status_code: int = 200, **context: Any
) -> Template:
    user = current_user(request)
    services = services_of(request)
    allowed = access.can_see_personal_data(
        user, row.team_id, row.consent_parts, row.consent_withdrawn
    )
    personal = services.cases.personal_data(user, row.case_id, "ärendesidan") if allowed else None
    colleagues = accounts.team_users(services.engine, user.team_id)
    current = [
        i
        for i in insatser.team_insatser(services.engine, row.team_id)
        if i.active_to is None or i.active_to >= team_today()
    ]
    engine = services.engine
    steps = journey.steps(engine, row.case_id)
    ladder = services.settings.ladder
    versions = journey.plan_versions(engine, row.case_id) if personal is not None else []
    assessments = journey.assessments(engine, row.case_id) if personal is not None else []
    return page(
        request,
        "case.html",
        status_code,
        case=row,
        personal=personal,
        assessment=next(iter(assessments), None),
        plan=versions[-1] if versions else None,
        activities=journey.activities(engine, row.case_id) if personal is not None else [],
        meetings=journey.meetings(engine, row.case_id),
        steps=[s for s in steps if s["kind"] == "step"],
        self_assessments=[s for s in steps if s["kind"] == "self_assessment"],
        chart=step_chart(
            [(s["recorded_on"], s["level"]) for s in steps if s["kind"] == "step"], len(ladder)
        ),
        ladder=ladder,
        scale=services.settings.self_assessment,
        follow_ups=journey.follow_ups(engine, row.case_id),
        after_support=journey.after_support(engine, row.case_id) if personal is not None else [],
        follow_up_months=services.settings.timings.follow_up_months,
        names={c.id: c.name for c in colleagues},
        staff=[
            Option(c.id, f"{c.name} ({c.part.label})")
            for c in colleagues
            if c.role in (Role.CASEWORKER, Role.COORDINATOR)
        ],
        may_work=access.can_work_cases(user, row.team_id),
        attempt=context.pop("attempt", ""),
        timeline=services.cases.timeline(row.case_id),
        insats_options=[Option(i.id, f"{i.name} ({i.insats_type.label})") for i in current],
        coordinator_options=[
            Option(c.id, c.name) for c in colleagues if c.role is Role.COORDINATOR
        ],
        **context,
    )


@get("/arenden/{case_id:str}", guards=[logged_in])
async def case_page(request: Request[Any, Any, Any], case_id: FromPath[str]) -> Template:
    return case_page_of(request, case_for(request, case_id))


CommandBuilder = Callable[[dict[str, Any], FormErrors], case.Command]


Render = Callable[[Request[Any, Any, Any], CaseRow, dict[str, Any], FormErrors], Template]
Extra = Callable[[Request[Any, Any, Any], CaseRow], dict[str, Any]]


def form_page(template: str, extra: Extra | None = None) -> Render:
    """How a form of the case is drawn: the case, the user's input and the messages beside the
    fields (422 when there are any), and what else the template needs."""

    def render(
        request: Request[Any, Any, Any], row: CaseRow, form: dict[str, Any], errors: FormErrors
    ) -> Template:
        more = extra(request, row) if extra else {}
        return page(
            request, template, 422 if errors else 200, case=row, form=form, errors=errors, **more
        )

    return render


async def act(
    request: Request[Any, Any, Any],
    case_id: str,
    build: CommandBuilder,
    render: Render | None = None,
    anchor: str = "",
) -> Response[Any]:
    """Run a command from a posted form; on bad input or a conflict the form's page (the case
    page unless `render` draws another) comes back with the user's input kept and a message
    beside each field."""
    row = case_for(request, case_id)
    user = current_user(request)
    require_case_worker(user, row.team_id)
    form = await posted(request, *LIST_FIELDS)
    errors = FormErrors()
    command = build(form, errors)
    try:
        expected = int(form.get("version") or -1)
    except ValueError:
        expected = -1
    if not errors:
        try:
            services_of(request).cases.execute(user, case_id, expected, command)
            return Redirect(f"/arenden/{case_id}{anchor}")
        except case.Rejected as rejected:
            errors.update(rejected.errors)
        except CaseChanged:
            errors[""] = CaseChanged.message
    if render is not None:
        return render(request, row, form, errors)
    attempt = request.url.path.removeprefix(f"/arenden/{case_id}/")
    return case_page_of(request, row, 422, form=form, errors=errors, attempt=attempt)


@post("/arenden/{case_id:str}/godta", guards=[logged_in])
async def accept_referral(request: Request[Any, Any, Any], case_id: FromPath[str]) -> Response[Any]:
    return await act(request, case_id, lambda f, e: case.AcceptReferral(e.date(f, "accepted_on")))


@post("/arenden/{case_id:str}/avboj", guards=[logged_in])
async def decline_referral(
    request: Request[Any, Any, Any], case_id: FromPath[str]
) -> Response[Any]:
    return await act(
        request,
        case_id,
        lambda f, e: case.DeclineReferral(f.get("decline_reason", ""), e.date(f, "declined_on")),
    )


@post("/arenden/{case_id:str}/inskrivning", guards=[logged_in])
async def enrol(request: Request[Any, Any, Any], case_id: FromPath[str]) -> Response[Any]:
    team_insatser = {
        i.id: i
        for i in insatser.team_insatser(services_of(request).engine, current_user(request).team_id)
    }

    def build(f: dict[str, Any], e: FormErrors) -> case.Enrol:
        start_date = e.date(f, "start_date")
        chosen = team_insatser.get(f.get("insats_id", ""))
        if chosen is None:
            e["insats_id"] = "Välj en av teamets insatser."
        elif "start_date" not in e and not chosen.active_on(start_date):
            e["insats_id"] = "Insatsen pågår inte på startdatumet."
        return case.Enrol(
            registration_type=e.choice(f, "registration_type", RegistrationType)
            or RegistrationType.PERSONAL,
            gender=e.choice(f, "gender", Gender) or Gender.WOMAN,
            start_date=start_date,
            insats_id=f.get("insats_id", ""),
            coordinator_id=f.get("coordinator_id", ""),
            consent_parts=e.choices(f["consent_parts"], "consent_parts", Part),
            consent_note=f.get("consent_note", ""),
            participant=case.Participant(
                f.get("name", ""),
                f.get("personnummer", ""),
                f.get("phone", ""),
                f.get("email", ""),
                f.get("address", ""),
            ),
            age_group=e.optional_choice(f, "age_group", AgeGroup),
            education=e.optional_choice(f, "education", EducationLevel),
            support_sources=e.choices(f["support_sources"], "support_sources", SupportSource),
            time_in_support=e.optional_choice(f, "time_in_support", TimeInSupport),
        )

    return await act(request, case_id, build)


@post("/arenden/{case_id:str}/samtycke/aterkalla", guards=[logged_in])
async def withdraw_consent(
    request: Request[Any, Any, Any], case_id: FromPath[str]
) -> Response[Any]:
    return await act(
        request,
        case_id,
        lambda f, e: case.WithdrawConsent(f.get("withdraw_reason", ""), team_today()),
    )


@post("/arenden/{case_id:str}/samtycke/fornya", guards=[logged_in])
async def renew_consent(request: Request[Any, Any, Any], case_id: FromPath[str]) -> Response[Any]:
    return await act(
        request,
        case_id,
        lambda f, e: case.RenewConsent(
            e.choices(f["consent_parts"], "consent_parts", Part),
            f.get("consent_note", ""),
            team_today(),
        ),
    )


HANDLERS = [
    team_page,
    referral_form,
    register_referral,
    case_page,
    accept_referral,
    decline_referral,
    enrol,
    withdraw_consent,
    renew_consent,
]
