"""The composition root: settings → engine → store → services → the Litestar app.

The CLI, the tests and the benchmarks build the service here; nothing else wires it. Each
context's web controllers get the services by dependency injection (`Provide`).
"""

from __future__ import annotations

import asyncio
import gc
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar import Litestar, Router, get
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import File
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ControllerRouterHandler
from sqlalchemy.engine import Engine

import events
from coordination.accounts.feeds import CalendarFeeds
from coordination.accounts.insatser import Insatser, Sessions
from coordination.accounts.service import Accounts
from coordination.accounts.sign_on import OpenIdProvider
from coordination.accounts.tokens import AccessTokens
from coordination.accounts.web import admin, auth, sessions, sign_on
from coordination.accounts.web import settings as settings_web
from coordination.accounts.web.authentication import SessionAuthentication
from coordination.accounts.web.rate_limit import RateLimited, too_many_requests
from coordination.cases import api as cases_api
from coordination.cases.contract import event_types
from coordination.cases.privacy import Retention, SubjectAccess
from coordination.cases.projection import CaseViews
from coordination.cases.service import CaseNotFound, CaseRefused, Cases
from coordination.cases.web import (
    calendar,
    case,
    imports,
    meetings,
    plan,
    privacy,
    progress,
    team,
)
from coordination.config import Settings
from coordination.health import healthz
from coordination.reminders import api as reminders_api
from coordination.reminders import web as reminders_web
from coordination.reminders.projection import ReminderViews
from coordination.reminders.schedule import ReminderClock
from coordination.reminders.service import ReminderNotFound, Reminders
from coordination.reports import api as reports_api
from coordination.reports import web as reports_web
from coordination.reports.queries import Reports
from coordination.shared.api import API_V1, Problem, answer_problem, not_found_as_problem
from coordination.shared.clock import Clock
from coordination.shared.errors import ErrorPages, security_headers
from coordination.shared.observability import RequestLog, logging_config
from coordination.shared.web import configure_templates, provide_page, signed_in

ROOT = Path(__file__).resolve().parent
TEMPLATES = ROOT.parent / "templates"
STATIC = ROOT / "shared" / "static"


@dataclass(frozen=True)
class Services:
    """Every context's service, made once per process."""

    settings: Settings
    clock: Clock
    accounts: Accounts
    tokens: AccessTokens
    feeds: CalendarFeeds
    insatser: Insatser
    sessions: Sessions
    cases: Cases
    retention: Retention
    subject_access: SubjectAccess
    reminders: Reminders
    reports: Reports
    # the organisation's OpenID provider, when sign-on is configured
    sign_on: OpenIdProvider | None = None

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
    accounts, insatser = Accounts(engine), Insatser(engine)

    def insats_ids(team_id: str) -> set[str]:
        # those a participant is enrolled in: not the insatser registered as counts
        return {i.id for i in insatser.team_insatser(team_id) if not i.counted}

    cases = Cases(store, clock, accounts.team_users, insats_ids)
    return Services(
        settings=settings,
        clock=clock,
        accounts=accounts,
        tokens=AccessTokens(engine),
        feeds=CalendarFeeds(engine),
        insatser=insatser,
        sessions=Sessions(engine),
        cases=cases,
        retention=Retention(cases, settings.retention_months),
        subject_access=SubjectAccess(cases),
        reminders=Reminders(store, settings, clock=clock.now),
        reports=Reports(engine, cases),
        sign_on=(OpenIdProvider(settings.sign_on, settings.base_url) if settings.sign_on else None),
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


@get("/favicon.ico", opt={"exclude_from_auth": True}, include_in_schema=False)
async def favicon() -> File:
    """Where browsers look for the icon when a page names none (a PDF, a JSON answer)."""
    return File(STATIC / "favicon.ico", content_disposition_type="inline")


_PAGES: list[ControllerRouterHandler] = [
    *auth.CONTROLLERS,
    *sign_on.CONTROLLERS,
    *admin.CONTROLLERS,
    *sessions.CONTROLLERS,
    *settings_web.CONTROLLERS,
    *team.CONTROLLERS,
    *case.CONTROLLERS,
    *plan.CONTROLLERS,
    *meetings.CONTROLLERS,
    *calendar.CONTROLLERS,
    *progress.CONTROLLERS,
    *privacy.CONTROLLERS,
    *imports.CONTROLLERS,
    *reminders_web.CONTROLLERS,
    *reports_web.CONTROLLERS,
    create_static_files_router(path="/static", directories=[STATIC]),
    favicon,
    healthz,
]

# The API's schema, at /api/v1/openapi.json (and .yaml): behind a token like the rest of
# the API, and no documentation site, whose scripts would come from a CDN (the CSP and
# closed intranets forbid it).
API_SECURITY = "token"


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Samordna API",
        version="1",
        description=(
            "Samordnas JSON-API för integrationer. Varje anrop bär en personlig åtkomsttoken: "
            "`Authorization: Bearer <token>`. Fel svaras som problem details (RFC 9457)."
        ),
        openapi_router=Router(
            API_V1, route_handlers=[], include_in_schema=False, after_request=not_found_as_problem
        ),
        render_plugins=[JsonRenderPlugin(), YamlRenderPlugin()],
        components=Components(
            security_schemes={
                API_SECURITY: SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="En personlig åtkomsttoken (samordna_…), från Inställningar.",
                )
            }
        ),
        security=[{API_SECURITY: []}],
        use_handler_docstrings=True,
    )


def _templates() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(
        directory=TEMPLATES, engine=JinjaTemplateEngine, engine_callback=configure_templates
    )


def _dependencies(services: Services) -> dict[str, Provide]:
    def provided(value: Any) -> Provide:
        return Provide(lambda: value, use_cache=True, sync_to_thread=False)

    return {
        "settings": provided(services.settings),
        "clock": provided(services.clock),
        "accounts": provided(services.accounts),
        "tokens": provided(services.tokens),
        "feeds": provided(services.feeds),
        "insatser": provided(services.insatser),
        "sessions": provided(services.sessions),
        "cases": provided(services.cases),
        "retention": provided(services.retention),
        "subject_access": provided(services.subject_access),
        "reminders": provided(services.reminders),
        "reports": provided(services.reports),
        "sign_on": provided(services.sign_on),
        "user": Provide(signed_in, sync_to_thread=False),
        "page": Provide(provide_page, sync_to_thread=False),
    }


def _freeze_startup_objects() -> None:
    """Move what start-up made (modules, templates, compiled statements: about 150,000
    objects) out of the garbage collector's sight. Otherwise each full collection walks
    them all again: measured on a 5,000-case team page, a pause of 100-130 ms every other
    request (see bench/README.md)."""
    gc.collect()
    gc.freeze()


def create_app(
    settings: Settings,
    engine: Engine,
    clock: Clock | None = None,
    freeze_startup_objects: bool = False,
) -> Litestar:
    """The app. `freeze_startup_objects` for a server process (`coordination serve`, the
    benchmarks); not in tests, which make an app per test and would never free them."""
    services = build_services(settings, engine, clock)
    clock = services.clock
    schedule = ReminderClock(
        [services.reminders.tick, services.retention.apply],
        clock,
        services.settings.sweep_seconds,
    )
    handler_threads = HandlerThreads(services.settings.worker_threads)
    pages = ErrorPages(clock)
    app = Litestar(
        on_startup=[
            handler_threads.start,
            schedule.start,
            *([_freeze_startup_objects] if freeze_startup_objects else []),
        ],
        on_shutdown=[schedule.stop],
        route_handlers=[
            # The pages are HTML for people: the OpenAPI schema documents only the API.
            Router(path="/", route_handlers=_PAGES, include_in_schema=False),
            *cases_api.CONTROLLERS,
            cases_api.command_routes(services.cases),
            *reminders_api.CONTROLLERS,
            *reports_api.CONTROLLERS,
        ],
        dependencies=_dependencies(services),
        middleware=[
            DefineMiddleware(
                SessionAuthentication,
                accounts=services.accounts,
                tokens=services.tokens,
                api_rate_per_minute=services.settings.api_rate_per_minute,
                clock=clock,
            ),
        ],
        before_send=[security_headers],
        # The composition's services, for tests and tools; handlers get theirs by Provide.
        state=State({"services": services, "reminder_clock": schedule}),
        plugins=[HTMXPlugin()],
        template_config=_templates(),
        csrf_config=CSRFConfig(
            secret=services.settings.secret_key,
            cookie_secure=services.settings.base_url.startswith("https"),
            cookie_samesite="strict",
            # the API takes no cookie, only a token (authentication.py): nothing to forge
            exclude=["^/api/"],
        ),
        exception_handlers={
            **pages.handlers(),
            CaseNotFound: pages.refused,
            CaseRefused: pages.refused,
            ReminderNotFound: pages.refused,
            RateLimited: too_many_requests,
            Problem: answer_problem,
        },
        openapi_config=_openapi(),
        logging_config=logging_config(),
    )
    # Outside routing and the error handlers, so that every response, a 404 too, is logged
    # and carries its id.
    app.asgi_handler = RequestLog(app.asgi_handler)
    return app
