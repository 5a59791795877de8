"""The composition root: settings → engine → store → services → the Litestar app.

The CLI, the tests and the benchmarks build the service here; nothing else wires it."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from apscheduler.schedulers.background import BackgroundScheduler
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
from coordination.accounts.web import admin, auth
from coordination.cases.contract import event_types
from coordination.cases.projection import CaseViews
from coordination.cases.service import Cases
from coordination.cases.web import case as cases
from coordination.cases.web import journey
from coordination.config import Settings
from coordination.reminders import web as reminders
from coordination.reminders.projection import ReminderViews
from coordination.reminders.service import Reminders
from coordination.reports import web as reports
from coordination.shared.clock import TEAM_TIMEZONE, team_now, team_today
from coordination.shared.web import Services, page

ROOT = Path(__file__).resolve().parent
TEMPLATES = ROOT.parent / "templates"
STATIC = ROOT / "shared" / "static"

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
    if request.method == "GET" and request.url.path != "/":
        # Back to the page asked for after logging in (an email's link, say).
        return Redirect(f"/logga-in?{urlencode({'nasta': request.url.path})}")
    return Redirect("/logga-in")


def _refused(request: Request[Any, Any, Any], exc: Exception) -> Template:
    status = 404 if isinstance(exc, NotFoundException) else 403
    detail = getattr(exc, "detail", "") or "Du har inte behörighet till sidan."
    return page(request, "error.html", status, message=detail)


def _security_headers(response: Response[Any]) -> Response[Any]:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def build_store(settings: Settings, engine: Engine) -> events.EventStore:
    """The event store with the read models kept inline; any that fell behind (a new one
    after an upgrade, say) catches up here."""
    projections: list[events.Projection] = [CaseViews(), ReminderViews(settings.timings)]
    store = events.EventStore(
        engine, event_types(), events.Keyring(settings.master_key), inline_projections=projections
    )
    for projection in projections:
        store.catch_up(projection)
    return store


def build_services(settings: Settings, engine: Engine) -> Services:
    store = build_store(settings, engine)
    return Services(settings, engine, Cases(store, team_today), Reminders(store, settings))


class ReminderClock:
    """APScheduler as the reminders' clock, started and stopped with the app: one interval
    job, nothing else lives in it. `SAMORDNA_SWEEP_SECONDS=0` leaves it off."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.scheduler: BackgroundScheduler | None = None

    def start(self) -> None:
        seconds = self.services.settings.sweep_seconds
        if seconds <= 0:
            return
        self.scheduler = BackgroundScheduler(timezone=TEAM_TIMEZONE)
        self.scheduler.add_job(
            self.services.reminders.tick,
            "interval",
            seconds=seconds,
            id="reminders",
            max_instances=1,
            coalesce=True,
            next_run_time=team_now(),
        )
        self.scheduler.start()

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)


def create_app(settings: Settings, engine: Engine) -> Litestar:
    services = build_services(settings, engine)
    clock = ReminderClock(services)
    return Litestar(
        on_startup=[clock.start],
        on_shutdown=[clock.stop],
        route_handlers=[
            *auth.HANDLERS,
            *cases.HANDLERS,
            *journey.HANDLERS,
            *reminders.HANDLERS,
            *reports.HANDLERS,
            *admin.HANDLERS,
            create_static_files_router(path="/static", directories=[STATIC]),
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
