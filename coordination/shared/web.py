"""What every handler shares: the services, the logged-in user, guards and page rendering."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers import BaseRouteHandler
from litestar.response import Template
from sqlalchemy.engine import Engine

from coordination.accounts import service as accounts
from coordination.cases.service import Cases
from coordination.config import Settings
from coordination.reminders.domain import ReminderKind
from coordination.reminders.service import Reminders
from coordination.shared.access import User
from coordination.shared.clock import team_today
from coordination.shared.vocabulary import (
    ActivityStatus,
    AgeGroup,
    ClosureKind,
    ClosureReason,
    EducationLevel,
    Gender,
    InsatsType,
    MeetingMode,
    Occupation,
    Part,
    RegistrationType,
    Role,
    SelfAssessmentPhase,
    Stage,
    SupportSource,
    TimeInSupport,
)

SESSION_COOKIE = "samordna_session"

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
    "insats_types": list(InsatsType),
    "self_assessment_phases": list(SelfAssessmentPhase),
    "phase_labels": {p.value: p.label for p in SelfAssessmentPhase},
    "closure_kinds": list(ClosureKind),
    "closure_reasons": list(ClosureReason),
    "occupations": list(Occupation),
    "meeting_modes": list(MeetingMode),
    "activity_statuses": list(ActivityStatus),
    "occupation_labels": {o.value: o.label for o in Occupation},
    "reminder_labels": {k.value: k.label for k in ReminderKind},
    "stage_labels": {s.value: s.label for s in Stage},
}


class Option(NamedTuple):
    """A choice in a select that is data, not vocabulary: an insats, a colleague."""

    value: str
    label: str


@dataclass
class Services:
    settings: Settings
    engine: Engine
    cases: Cases
    reminders: Reminders

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
    return Template(
        template_name=name,
        context={
            "partial": partial,
            "user": request.scope.get("user"),
            "vocab": VOCABULARY,
            "today": team_today(),
            "form": {},
            "errors": {},
            **context,
        },
        status_code=status_code,
    )


async def posted(request: Request[Any, Any, Any], *lists: str) -> dict[str, Any]:
    """The posted form as a dict: single values as strings, the named fields as lists."""
    form = await request.form()
    fields: dict[str, Any] = {key: form.get(key) for key in form}
    for name in lists:
        fields[name] = form.getall(name, [])
    return fields
