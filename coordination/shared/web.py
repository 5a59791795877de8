"""What every web controller shares: the request class, the signed-in user, role guards drawn
from the access rules, page rendering (whole page, or its main part when htmx asks) and
reading posted forms."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, NamedTuple

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.enums import MediaType, RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.params import Body
from litestar.plugins.htmx import HTMXRequest, HTMXTemplate
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Response
from litestar.types import Guard

import events
from coordination.shared import access
from coordination.shared.access import Rule, User
from coordination.shared.clock import Clock, team_time
from coordination.shared.vocabulary import (
    SUPPORT_AT_ENROLMENT,
    ActivityStatus,
    AgeGroup,
    ClosureKind,
    ClosureReason,
    EducationLevel,
    ErasureReason,
    Gender,
    InsatsType,
    MeetingMode,
    Occupation,
    Part,
    RegistrationKind,
    RegistrationType,
    ReminderKind,
    Role,
    SelfAssessmentPhase,
    Stage,
    SupportSource,
    TimeInSupport,
)

SESSION_COOKIE = "samordna_session"

# A posted HTML form, as the handlers take it (`data: Form`).
Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]

VOCABULARY = {
    "parts": list(Part),
    "part_labels": {p.value: p.label for p in Part},
    "genders": list(Gender),
    "age_groups": list(AgeGroup),
    "education_levels": list(EducationLevel),
    "support_sources": list(SupportSource),
    "support_at_enrolment": list(SUPPORT_AT_ENROLMENT),
    "times_in_support": list(TimeInSupport),
    "registration_types": list(RegistrationType),
    "registration_kinds": list(RegistrationKind),
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
    # a person asks for erasure for one of these; the retention rule has its own
    "erasure_reasons": [r for r in ErasureReason if r is not ErasureReason.RETENTION],
    "erasure_labels": {r.value: r.label for r in ErasureReason},
}


# What a page shows for personal data erased with the participant's key.
ERASED_LABEL = "Raderad"


def _shown(value: Any) -> Any:
    return ERASED_LABEL if value is events.ERASED else value


def _is_erased(value: Any) -> bool:
    return value is events.ERASED


def configure_templates(engine: JinjaTemplateEngine) -> None:
    """Erased personal data on the pages: it prints as "Raderad", and `is erased` tells it
    apart from an empty value (both are false). Stored moments print in the team's time
    zone with `|team_time`."""
    engine.engine.finalize = _shown
    engine.engine.tests["erased"] = _is_erased
    engine.engine.filters["team_time"] = team_time


def once_of(form: Mapping[str, Any]) -> str | None:
    """The one-time token a creating form was drawn with (`f.once()`), when it is one: the
    id of what the form creates, so that a second submit finds it made already."""
    try:
        return str(uuid.UUID(str(form.get("once", ""))))
    except ValueError:
        return None


class Option(NamedTuple):
    """A choice in a select that is data, not vocabulary: an insats, a colleague."""

    value: str
    label: str


# A request past the authentication middleware: `request.user` is the signed-in user.
SignedInRequest = Request[User, str, State]


def signed_in(request: SignedInRequest) -> User:
    """The user the authentication middleware put on the request."""
    return request.user


def allowed(rule: Rule, refusal: str) -> Guard:
    """A controller's guard from one of the access rules. Asynchronous because it does no
    blocking work: Litestar runs a synchronous guard in the handlers' thread pool."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = connection.scope.get("user")
        if not isinstance(user, User) or not rule(user):
            raise PermissionDeniedException(refusal)

    return guard


@dataclass(frozen=True)
class Page:
    """Draws the pages of one request: the whole page on a plain request, only its main part
    when htmx asks (a boosted request gets the whole page).

    The page is rendered where it is asked for, in the handler's worker thread: a large page
    never renders on the event loop, where it would hold up every other request. Handlers of
    small forms that read nothing (login, password, a blank referral) stay on the loop
    (`sync_to_thread=False`), so they answer even when the thread pool is busy.
    """

    request: HTMXRequest
    today: date

    @property
    def user(self) -> User | None:
        found = self.request.scope.get("user")
        return found if isinstance(found, User) else None

    def __call__(self, name: str, status_code: int = 200, **context: Any) -> Response[bytes]:
        htmx = self.request.htmx
        user = self.user
        template = HTMXTemplate(
            template_name=name,
            context={
                "partial": bool(htmx) and not htmx.boosted,
                "user": user,
                "navigation": access.navigation(user) if user else [],
                "vocab": VOCABULARY,
                "today": self.today,
                # a form that creates something carries it: a double submit creates one
                "once_token": str(uuid.uuid4()),
                "form": {},
                "errors": {},
                **context,
            },
            status_code=status_code,
        )
        engine = self.request.app.template_engine
        assert engine is not None, "the app is made with a template engine"
        body = engine.get_template(name).render(**template.create_template_context(self.request))
        return Response(
            body.encode(),
            status_code=status_code,
            media_type=MediaType.HTML,
            headers=dict(template.headers),
        )


def provide_page(request: HTMXRequest, clock: NamedDependency[Clock]) -> Page:
    return Page(request, clock.today())


def form_of(data: Mapping[str, Any], *lists: str) -> dict[str, Any]:
    """A posted form as a dict: single values as strings (the first, when a field came
    twice), the named fields as lists."""
    fields = {key: value[0] if isinstance(value, list) else value for key, value in data.items()}
    for name in lists:
        value = data.get(name, [])
        fields[name] = value if isinstance(value, list) else [value]
    return fields
