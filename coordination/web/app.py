"""The web app: the one place that wires Litestar, the templates and the services."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Response
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from sqlalchemy.engine import Engine

import events
from coordination.case_events import event_types
from coordination.cases import Cases
from coordination.config import Settings
from coordination.projections import CaseViews
from coordination.web import admin, auth, cases, journey
from coordination.web.common import Services, page

ROOT = Path(__file__).resolve().parent
TEMPLATES = ROOT.parent.parent / "templates"

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
            *auth.HANDLERS,
            *cases.HANDLERS,
            *journey.HANDLERS,
            *admin.HANDLERS,
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
