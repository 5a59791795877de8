"""The composition root: settings → engine → store → services → the Litestar app.

The CLI, the tests and the benchmarks build the service here; nothing else wires it. Each
context's web controllers get the services by dependency injection (`Provide`).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from litestar import Litestar, Request, Response
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import MutableScopeHeaders, State
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.middleware import ASGIMiddleware, DefineMiddleware
from litestar.plugins.htmx import HTMXPlugin, HTMXRequest
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy.engine import Engine

import events
from coordination.accounts.insatser import Insatser
from coordination.accounts.service import Accounts
from coordination.accounts.web import admin, auth
from coordination.accounts.web.authentication import SessionAuthentication
from coordination.cases.contract import event_types
from coordination.cases.projection import CaseViews
from coordination.cases.service import Cases
from coordination.cases.web import case, meetings, plan, progress, team
from coordination.config import Settings
from coordination.reminders import web as reminders_web
from coordination.reminders.projection import ReminderViews
from coordination.reminders.schedule import ReminderClock
from coordination.reminders.service import Reminders
from coordination.reports import web as reports_web
from coordination.reports.queries import Reports
from coordination.shared.clock import Clock
from coordination.shared.web import Page, provide_page, show_erased_data, signed_in

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


class SecurityHeaders(ASGIMiddleware):
    """The security headers on every response: pages, static files and error pages alike."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await next_app(scope, receive, send_with_headers)


@dataclass(frozen=True)
class Services:
    """Every context's service, made once per process."""

    settings: Settings
    clock: Clock
    accounts: Accounts
    insatser: Insatser
    cases: Cases
    reminders: Reminders
    reports: Reports

    @property
    def engine(self) -> Engine:
        return self.cases.store.engine


def build_store(settings: Settings, engine: Engine) -> events.EventStore:
    """The event store with the read models kept inline; any that fell behind (a new one
    after an upgrade, say) catches up here."""
    keyring = events.Keyring(settings.master_key)
    projections: list[events.Projection] = [CaseViews(keyring), ReminderViews(settings.timings)]
    store = events.EventStore(engine, event_types(), keyring, inline_projections=projections)
    for projection in projections:
        store.catch_up(projection)
    return store


def build_services(settings: Settings, engine: Engine, clock: Clock | None = None) -> Services:
    clock = clock or Clock()
    store = build_store(settings, engine)
    return Services(
        settings=settings,
        clock=clock,
        accounts=Accounts(engine),
        insatser=Insatser(engine),
        cases=Cases(store, clock),
        reminders=Reminders(store, settings, clock=clock.now),
        reports=Reports(engine),
    )


class HandlerThreads:
    """The threads that run the synchronous handlers: the event loop's default executor.
    A few, not many: every thread that runs Python competes with the event loop for the
    interpreter, so a pool the size of the machine keeps the loop answering while the pool
    works. The loop shuts the pool down when it closes."""

    def __init__(self, count: int) -> None:
        self.count = count

    def start(self) -> None:
        executor = ThreadPoolExecutor(max_workers=self.count, thread_name_prefix="handler")
        asyncio.get_running_loop().set_default_executor(executor)


def _unauthorized(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    if isinstance(request, HTMXRequest) and request.htmx:
        return Response(b"", status_code=401, headers={"HX-Redirect": "/logga-in"})
    if request.method == "GET" and request.url.path != "/":
        # Back to the page asked for after logging in (an email's link, say).
        return Redirect(f"/logga-in?{urlencode({'nasta': request.url.path})}")
    return Redirect("/logga-in")


def _templates() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(
        directory=TEMPLATES, engine=JinjaTemplateEngine, engine_callback=show_erased_data
    )


def create_app(settings: Settings, engine: Engine, clock: Clock | None = None) -> Litestar:
    services = build_services(settings, engine, clock)
    clock = services.clock
    schedule = ReminderClock(services.reminders, clock, services.settings.sweep_seconds)
    handler_threads = HandlerThreads(services.settings.worker_threads)

    def refused(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        status = 404 if isinstance(exc, NotFoundException) else 403
        detail = getattr(exc, "detail", "") or "Du har inte behörighet till sidan."
        return Page(HTMXRequest(request.scope), clock.today())("error.html", status, message=detail)

    def provided(value: Any) -> Provide:
        return Provide(lambda: value, use_cache=True, sync_to_thread=False)

    return Litestar(
        on_startup=[handler_threads.start, schedule.start],
        on_shutdown=[schedule.stop],
        route_handlers=[
            *auth.CONTROLLERS,
            *admin.CONTROLLERS,
            *team.CONTROLLERS,
            *case.CONTROLLERS,
            *plan.CONTROLLERS,
            *meetings.CONTROLLERS,
            *progress.CONTROLLERS,
            *reminders_web.CONTROLLERS,
            *reports_web.CONTROLLERS,
            create_static_files_router(path="/static", directories=[STATIC]),
        ],
        dependencies={
            "settings": provided(services.settings),
            "clock": provided(clock),
            "accounts": provided(services.accounts),
            "insatser": provided(services.insatser),
            "cases": provided(services.cases),
            "reminders": provided(services.reminders),
            "reports": provided(services.reports),
            "user": Provide(signed_in, sync_to_thread=False),
            "page": Provide(provide_page, sync_to_thread=False),
        },
        middleware=[
            SecurityHeaders(),
            DefineMiddleware(SessionAuthentication, accounts=services.accounts, clock=clock),
        ],
        # The composition's services, for tests and tools; handlers get theirs by Provide.
        state=State({"services": services}),
        plugins=[HTMXPlugin()],
        template_config=_templates(),
        csrf_config=CSRFConfig(
            secret=services.settings.secret_key,
            cookie_secure=services.settings.base_url.startswith("https"),
            cookie_samesite="strict",
        ),
        exception_handlers={
            NotAuthorizedException: _unauthorized,
            PermissionDeniedException: refused,
            NotFoundException: refused,
        },
        openapi_config=None,
    )
