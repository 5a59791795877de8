"""The web app: one place that wires Litestar, the templates and the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Response, get, post
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from sqlalchemy.engine import Engine

import events
from coordination import access, accounts
from coordination.accounts import User
from coordination.case_events import event_types
from coordination.cases import CaseChanged, CaseRow, Cases
from coordination.config import Settings
from coordination.domain import case
from coordination.domain.vocabulary import (
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
from coordination.projections import CaseViews
from coordination.web.forms import FormErrors

ROOT = Path(__file__).resolve().parent
TEMPLATES = ROOT.parent.parent / "templates"
SESSION_COOKIE = "samordna_session"

# Only the app's own scripts and styles; no inline script, no framing.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@dataclass
class Services:
    settings: Settings
    engine: Engine
    cases: Cases

    def now(self) -> datetime:
        return datetime.now(UTC)


def services_of(request: Request[Any, Any, Any]) -> Services:
    found: Services = request.app.state.services
    return found


def current_user(request: Request[Any, Any, Any]) -> User:
    user: User | None = request.scope.get("user")
    if user is None:
        raise NotAuthorizedException()
    return user


def logged_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: a valid, unexpired session; the user is put on the request."""
    token = connection.cookies.get(SESSION_COOKIE)
    services: Services = connection.app.state.services
    user = accounts.session_user(services.engine, token, services.now()) if token else None
    if user is None:
        raise NotAuthorizedException()
    connection.scope["user"] = user


def page(
    request: Request[Any, Any, Any], name: str, status_code: int = 200, **context: Any
) -> Template:
    """The whole page on a plain request; only its main part when htmx asks."""
    partial = request.headers.get("hx-request") == "true" and not request.headers.get("hx-boosted")
    user = request.scope.get("user")
    return Template(
        template_name=name,
        context={
            "partial": partial,
            "user": user,
            "vocab": VOCABULARY,
            "today": date.today(),
            **context,
        },
        status_code=status_code,
    )


VOCABULARY = {
    "parts": list(Part),
    "genders": list(Gender),
    "age_groups": list(AgeGroup),
    "education_levels": list(EducationLevel),
    "support_sources": list(SupportSource),
    "times_in_support": list(TimeInSupport),
    "registration_types": list(RegistrationType),
    "stages": list(Stage),
    "roles": list(Role),
}

# -- login -------------------------------------------------------------------------------


@get("/logga-in")
async def login_form(request: Request[Any, Any, Any]) -> Template:
    return page(request, "login.html", form={}, errors={})


@post("/logga-in")
async def login(request: Request[Any, Any, Any]) -> Response[Any]:
    services = services_of(request)
    form = dict(await request.form())
    try:
        user = accounts.log_in(
            services.engine, form.get("email", ""), form.get("password", ""), services.now()
        )
    except accounts.LoginRefused as refused:
        return page(
            request,
            "login.html",
            422,
            form={"email": form.get("email", "")},
            errors={"": str(refused)},
        )
    token = accounts.start_session(
        services.engine, user, services.now(), timedelta(minutes=services.settings.session_minutes)
    )
    response: Response[Any] = Redirect("/")
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=services.settings.base_url.startswith("https"),
        max_age=services.settings.session_minutes * 60,
    )
    return response


@post("/logga-ut", guards=[logged_in])
async def logout(request: Request[Any, Any, Any]) -> Response[Any]:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.end_session(services_of(request).engine, token)
    response: Response[Any] = Redirect("/logga-in")
    response.delete_cookie(SESSION_COOKIE)
    return response


@get("/losenord", guards=[logged_in])
async def password_form(request: Request[Any, Any, Any]) -> Template:
    return page(request, "password.html", errors={}, changed=False)


@post("/losenord", guards=[logged_in])
async def change_password(request: Request[Any, Any, Any]) -> Template:
    form = dict(await request.form())
    errors = accounts.change_password(
        services_of(request).engine,
        current_user(request),
        form.get("current", ""),
        form.get("new", ""),
    )
    return page(request, "password.html", 422 if errors else 200, errors=errors, changed=not errors)


# -- the team page -------------------------------------------------------------------------


@get("/", guards=[logged_in])
async def team_page(request: Request[Any, Any, Any]) -> Template:
    user = current_user(request)
    if not access.can_see_case_list(user):
        raise PermissionDeniedException("Analytiker ser bara statistik.")
    query = request.query_params
    services = services_of(request)
    filters = {
        "part": query.get("part", ""),
        "coordinator": query.get("coordinator", ""),
        "stage": query.get("stage", ""),
        "code": query.get("code", ""),
    }
    rows = services.cases.team_cases(
        user.team_id,
        part=Part.parse(filters["part"]),
        coordinator_id=filters["coordinator"] or None,
        stage=Stage.parse(filters["stage"]),
        code=filters["code"],
    )
    by_stage = {stage: [r for r in rows if r.stage is stage] for stage in Stage}
    return page(
        request,
        "team.html",
        by_stage=by_stage,
        filters=filters,
        colleagues=accounts.team_users(services.engine, user.team_id),
        total=len(rows),
    )


# -- referral ----------------------------------------------------------------------------


@get("/remisser/ny", guards=[logged_in])
async def referral_form(request: Request[Any, Any, Any]) -> Template:
    _require_case_worker(current_user(request), current_user(request).team_id)
    return page(
        request, "referral.html", form={"referral_date": date.today().isoformat()}, errors={}
    )


@post("/remisser/ny", guards=[logged_in])
async def register_referral(request: Request[Any, Any, Any]) -> Response[Any]:
    user = current_user(request)
    _require_case_worker(user, user.team_id)
    form = dict(await request.form())
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


def _case_for(request: Request[Any, Any, Any], case_id: str) -> CaseRow:
    found = services_of(request).cases.case(case_id)
    user = current_user(request)
    if found is None or found.team_id != user.team_id or not access.can_see_case_list(user):
        raise NotFoundException("Ärendet finns inte.")
    return found


def _require_case_worker(user: User, team_id: str) -> None:
    if not access.can_work_cases(user, team_id):
        raise PermissionDeniedException("Din roll får inte ändra ärenden.")


def _case_page(
    request: Request[Any, Any, Any], row: CaseRow, status_code: int = 200, **context: Any
) -> Template:
    user = current_user(request)
    services = services_of(request)
    allowed = access.can_see_personal_data(
        user, row.team_id, row.consent_parts, row.consent_withdrawn
    )
    personal = services.cases.personal_data(user, row.case_id, "ärendesidan") if allowed else None
    return page(
        request,
        "case.html",
        status_code,
        case=row,
        personal=personal,
        may_work=access.can_work_cases(user, row.team_id),
        timeline=services.cases.timeline(row.case_id),
        colleagues=accounts.team_users(services.engine, user.team_id),
        form=context.pop("form", {}),
        errors=context.pop("errors", {}),
        **context,
    )


@get("/arenden/{case_id:str}", guards=[logged_in])
async def case_page(request: Request[Any, Any, Any], case_id: str) -> Template:
    return _case_page(request, _case_for(request, case_id))


async def _act(request: Request[Any, Any, Any], case_id: str, build: Any) -> Response[Any]:
    """Run a command from a posted form; on bad input or a conflict the page comes back
    with the user's input kept and a message beside each field."""
    row = _case_for(request, case_id)
    user = current_user(request)
    _require_case_worker(user, row.team_id)
    form = await request.form()
    fields = {key: form.get(key) for key in form}
    errors = FormErrors()
    command = build(form, errors)
    try:
        expected = int(fields.get("version") or -1)
    except ValueError:
        expected = -1
    if not errors:
        try:
            services_of(request).cases.execute(user, case_id, expected, command)
            return Redirect(f"/arenden/{case_id}")
        except case.Rejected as rejected:
            errors.update(rejected.errors)
        except CaseChanged:
            errors[""] = CaseChanged.message
    return _case_page(
        request,
        row,
        422,
        form={**fields, **{k: form.getall(k, []) for k in ("consent_parts", "support_sources")}},
        errors=errors,
    )


@post("/arenden/{case_id:str}/godta", guards=[logged_in])
async def accept_referral(request: Request[Any, Any, Any], case_id: str) -> Response[Any]:
    return await _act(request, case_id, lambda f, e: case.AcceptReferral(e.date(f, "accepted_on")))


@post("/arenden/{case_id:str}/avboj", guards=[logged_in])
async def decline_referral(request: Request[Any, Any, Any], case_id: str) -> Response[Any]:
    return await _act(
        request,
        case_id,
        lambda f, e: case.DeclineReferral(f.get("decline_reason", ""), e.date(f, "declined_on")),
    )


@post("/arenden/{case_id:str}/inskrivning", guards=[logged_in])
async def enrol(request: Request[Any, Any, Any], case_id: str) -> Response[Any]:
    def build(f: Any, e: FormErrors) -> case.Enrol:
        return case.Enrol(
            registration_type=e.choice(f, "registration_type", RegistrationType)
            or RegistrationType.PERSONAL,
            gender=e.choice(f, "gender", Gender) or Gender.WOMAN,
            start_date=e.date(f, "start_date"),
            insats_id=f.get("insats_id", ""),
            coordinator_id=f.get("coordinator_id", ""),
            consent_parts=e.choices(f.getall("consent_parts", []), "consent_parts", Part),
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
            support_sources=e.choices(
                f.getall("support_sources", []), "support_sources", SupportSource
            ),
            time_in_support=e.optional_choice(f, "time_in_support", TimeInSupport),
        )

    return await _act(request, case_id, build)


@post("/arenden/{case_id:str}/samtycke/aterkalla", guards=[logged_in])
async def withdraw_consent(request: Request[Any, Any, Any], case_id: str) -> Response[Any]:
    return await _act(
        request,
        case_id,
        lambda f, e: case.WithdrawConsent(f.get("withdraw_reason", ""), date.today()),
    )


@post("/arenden/{case_id:str}/samtycke/fornya", guards=[logged_in])
async def renew_consent(request: Request[Any, Any, Any], case_id: str) -> Response[Any]:
    return await _act(
        request,
        case_id,
        lambda f, e: case.RenewConsent(
            e.choices(f.getall("consent_parts", []), "consent_parts", Part),
            f.get("consent_note", ""),
            date.today(),
        ),
    )


# -- read audit ---------------------------------------------------------------------------


@get("/granskning", guards=[logged_in])
async def audit_page(request: Request[Any, Any, Any]) -> Template:
    if not access.can_review_audit(current_user(request)):
        raise PermissionDeniedException("Bara teamledare och administratörer granskar läsloggen.")
    query = request.query_params
    entries = services_of(request).cases.audit_log(
        case_id=query.get("case") or None, user_id=query.get("user") or None
    )
    return page(request, "audit.html", entries=entries)


# -- wiring -----------------------------------------------------------------------------


def _unauthorized(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    if request.headers.get("hx-request") == "true":
        return Response(content="", status_code=401, headers={"HX-Redirect": "/logga-in"})
    return Redirect("/logga-in")


def _refused(request: Request[Any, Any, Any], exc: Exception) -> Template:
    status = 404 if isinstance(exc, NotFoundException) else 403
    detail = getattr(exc, "detail", "") or "Du har inte behörighet till sidan."
    return page(request, "error.html", status, message=detail)


def _security_headers(response: Response[Any]) -> Response[Any]:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def build_cases(settings: Settings, engine: Engine) -> Cases:
    store = events.EventStore(
        engine, event_types(), events.Keyring(settings.master_key), inline_projections=[CaseViews()]
    )
    return Cases(store, date.today)


def create_app(settings: Settings, engine: Engine) -> Litestar:
    services = Services(settings, engine, build_cases(settings, engine))
    return Litestar(
        route_handlers=[
            login_form,
            login,
            logout,
            password_form,
            change_password,
            team_page,
            referral_form,
            register_referral,
            case_page,
            accept_referral,
            decline_referral,
            enrol,
            withdraw_consent,
            renew_consent,
            audit_page,
            create_static_files_router(path="/static", directories=[ROOT / "static"]),
        ],
        state=State({"services": services}),
        template_config=TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine),
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.base_url.startswith("https"),
            cookie_samesite="strict",
        ),
        exception_handlers={
            NotAuthorizedException: _unauthorized,
            PermissionDeniedException: _refused,
            NotFoundException: _refused,
        },
        after_request=_security_headers,
        openapi_config=None,
    )
