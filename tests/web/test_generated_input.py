"""Generated input into every posted form of the app: huge texts, NUL and other control
characters, dates at the ends of the calendar, enormous and negative numbers, formula-like
text and any unicode. Every POST route of the route table is tried, by a user who may use it
(a samordnare, or an administratör on the administration's pages), starting from the form
as the page draws it and replacing some of its fields.

Whatever comes in, the answer is never a 5xx, and an answer that refuses (4xx) changed
nothing: no event was appended and the users, insatser and sessions tables are as they were."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from coordination.accounts.tables import insats_sessions, insatser, users
from coordination.cases.contract import case_stream
from coordination.cases.tables import case_activities, case_meetings
from coordination.shared import bounds
from coordination.shared.vocabulary import InsatsType, RegistrationKind, TokenScope
from events.schema import events_table
from tests.web.support import NOW, TODAY, client_for, csrf, enrolled_case, team_of
from tests.web.test_case_journey import agreed_plan, schedule

# Not tried: signing out ends the session the other routes are tried in.
SKIPPED = {"/logga-ut"}
# Tried last: once they succeed, the case takes (almost) nothing more.
LAST = ("/samtycke/aterkalla", "/avslut", "/radering")
# Each field gets each of these, the rest of the form as drawn: the values that broke it.
EDGES = ("9999-12-31", "9999-12-31T23:30", "0001-01-01", "a\x00b", "z" * (bounds.TEXT_LENGTH + 1))
PARAMETER = re.compile(r"\{(\w+):\w+\}")

NASTY_VALUES = (
    "",
    "0001-01-01",
    "9999-12-31",
    "1899-12-31",
    "2101-01-01",
    "9999-12-31T23:30",
    "0001-01-01T00:00",
    "2026-11-17T10:00+05:00",
    "2026-02-30",
    "-1",
    "-99999999999999999999",
    "9" * 5000,
    "1e309",
    "NaN",
    '=HYPERLINK("http://example.com")',
    "+SUM(A1:A9)",
    "@cmd",
    "\x00",
    "a\x00b",
    "rad\nrad\ttab",
    "\x1b[31m",
    "x" * (bounds.NAME_LENGTH + 1),
    "y" * (bounds.LINE_LENGTH + 1),
    "z" * (bounds.TEXT_LENGTH + 1),
    "å" * 300_000,
    "İ" * bounds.NAME_LENGTH,
    "‮ Ω 🙂 ﷽",
)
NASTY = st.one_of(
    st.sampled_from(NASTY_VALUES),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=40),
    st.integers().map(str),
)


class Forms(HTMLParser):
    """The fields of each form of a page, by the form's action, with the values drawn."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, Any]] = {}
        self.current: dict[str, Any] | None = None
        self.field = ""  # the textarea or select being read
        self.text_area = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self.current = self.forms.setdefault(a.get("action", ""), {})
        if self.current is None or tag not in ("input", "textarea", "select", "option"):
            return
        if tag == "option":
            if self.field and (self.field not in self.current or "selected" in a):
                self.current[self.field] = a.get("value", "")
            return
        name = a.get("name", "")
        if not name or name == "_csrf_token":
            return
        if tag == "input" and a.get("type") in ("checkbox", "radio"):
            if "checked" in a:
                self.current.setdefault(name, [])
                if isinstance(self.current[name], list):
                    self.current[name].append(a.get("value", "on"))
            else:
                self.current.setdefault(name, [])
            return
        self.current.setdefault(name, a.get("value", ""))
        self.field = name if tag in ("textarea", "select") else ""
        self.text_area = tag == "textarea"

    def handle_data(self, data: str) -> None:
        if self.current is not None and self.text_area and self.current.get(self.field) == "":
            self.current[self.field] = data

    def handle_endtag(self, tag: str) -> None:
        if tag in ("textarea", "select"):
            self.field, self.text_area = "", False
        if tag == "form":
            self.current = None


def post_routes(app: Litestar) -> list[str]:
    found = sorted(
        route.path
        for route in app.routes
        if isinstance(route, HTTPRoute)
        and any("POST" in h.http_methods for h in route.route_handlers)
        and route.path not in SKIPPED
        # the JSON API takes no forms: Schemathesis generates its input (test_api_schema.py)
        and not route.path.startswith("/api/")
    )
    return sorted(found, key=lambda path: any(path.endswith(tail) for tail in LAST))


def completed(form: dict[str, Any]) -> dict[str, Any]:
    """A drawn form with the meeting's time filled in (the one date without a default), so
    that the other fields are what a post is judged on; optional dates stay empty."""
    soon = datetime.combine(TODAY + timedelta(days=2), time(9)).isoformat(timespec="minutes")
    return {
        name: soon if name == "starts_at" and value == "" else value for name, value in form.items()
    }


def state_of(app: Litestar) -> tuple[Any, ...]:
    """What a refused post must leave as it was."""
    with app.state.services.engine.connect() as conn:
        return (
            conn.execute(sa.select(sa.func.count()).select_from(events_table)).scalar_one(),
            tuple(conn.execute(sa.select(users).order_by(users.c.id)).all()),
            tuple(conn.execute(sa.select(insatser).order_by(insatser.c.id)).all()),
            tuple(conn.execute(sa.select(insats_sessions).order_by(insats_sessions.c.id)).all()),
        )


def first(app: Litestar, column: Any, case_id: str) -> str:
    with app.state.services.engine.connect() as conn:
        found: str = conn.execute(
            sa.select(column).where(column.table.c.case_id == case_id).limit(1)
        ).scalar_one()
    return found


def own_token(app: Litestar, email: str) -> str:
    """The id of a new access token of the user's."""
    services = app.state.services
    user = next(u for u in services.accounts.team_users(team_of(app, email)) if u.email == email)
    services.tokens.create(user, "Skript", TokenScope.READ, NOW + timedelta(days=30), NOW)
    found: str = services.tokens.tokens_of(user)[0].id
    return found


@pytest.fixture
def world(app: Litestar) -> tuple[Litestar, dict[str, str], dict[str, Any]]:
    """A case with a plan and a meeting; the path values; the forms of every page."""
    coordinator = client_for(app, "samordnare@test")
    admin = client_for(app, "admin@test")
    case_id = enrolled_case(coordinator)
    agreed_plan(coordinator, case_id)
    schedule(coordinator, case_id, datetime.combine(TODAY + timedelta(days=2), time(10)))
    services = app.state.services
    team = team_of(app, "samordnare@test")
    values = {
        "case_id": case_id,
        "meeting_id": first(app, case_meetings.c.meeting_id, case_id),
        "activity_id": first(app, case_activities.c.activity_id, case_id),
        "user_id": next(u.id for u in services.accounts.team_users(team) if u.email == "af@test"),
        "insats_id": services.insatser.team_insatser(team)[0].id,
        "session_insats": services.insatser.add_insats(
            team,
            "Gruppträffar",
            InsatsType.PREVENTIVE,
            TODAY - timedelta(days=30),
            None,
            registration_kind=RegistrationKind.VOLUME,
        ),
        "months": "3",
        "token_id": own_token(app, "samordnare@test"),
    }
    case = f"/arenden/{case_id}"
    pages = [
        (coordinator, p)
        for p in (
            *(case + tail for tail in ("", "/plan", "/kartlaggning", "/moten/nytt", "/avslut")),
            f"{case}/moten/{values['meeting_id']}",
            f"{case}/uppfoljning/3",
            "/remisser/ny",
            "/paminnelser",
            "/installningar",
            "/losenord",
            f"/tillfallen/{values['session_insats']}",
        )
    ] + [
        (admin, p)
        for p in (
            "/admin/anvandare",
            f"/admin/anvandare/{values['user_id']}",
            "/admin/insatser",
            f"/admin/insatser/{values['insats_id']}",
            "/admin/registerutdrag",
            "/admin/inloggning",
        )
    ]
    forms = Forms()
    for client, page in pages:
        forms.feed(client.get(page).text)
    return app, values, {"forms": forms.forms, "coordinator": coordinator, "admin": admin}


def test_generated_input_never_fails_the_server_nor_half_writes(
    world: tuple[Litestar, dict[str, str], dict[str, Any]],
) -> None:
    app, values, ctx = world
    forms: dict[str, dict[str, Any]] = ctx["forms"]
    every_field = sorted({name for form in forms.values() for name in form})
    tried = post_routes(app)
    assert len(tried) > 30, tried
    for template in tried:
        path = PARAMETER.sub(lambda m: values[m.group(1)], template)
        client: TestClient[Any] = ctx["admin" if path.startswith("/admin") else "coordinator"]
        base = forms.get(path)
        names = sorted(base) if base else every_field
        try_route(app, client, path, completed(base or {}), names, values["case_id"])


def try_route(
    app: Litestar,
    client: TestClient[Any],
    path: str,
    base: dict[str, Any],
    names: list[str],
    case_id: str,
) -> None:
    store = app.state.services.cases.store

    @settings(
        max_examples=10,
        deadline=None,
        phases=(Phase.explicit, Phase.generate),  # the failing example as found: fast
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.dictionaries(st.sampled_from(names), NASTY, min_size=1, max_size=3))
    def post_generated(changes: dict[str, Any]) -> None:
        before = state_of(app)
        # the case as it is now, so that the input, not a stale version, is what is judged
        version = str(store.stream_version(case_stream(case_id))) if "/arenden/" in path else ""
        data = {**base, **({"version": version} if version else {}), **changes, **csrf(client)}
        response = client.post(path, data=data, follow_redirects=False)
        assert response.status_code < 500, (path, sorted(changes), response.text[:300])
        if 400 <= response.status_code < 500:
            assert state_of(app) == before, (path, sorted(changes), response.status_code)

    post_generated()
    for name in names:
        for edge in EDGES:
            post_generated.hypothesis.inner_test({name: edge})  # type: ignore[attr-defined]
