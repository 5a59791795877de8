"""`/healthz` says whether the service can do its work, without personal data; every request
is logged by its route, status and id, and an unexpected error by the same id the page and
the `X-Request-Id` header give."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient

from coordination.health import health
from coordination.reminders.schedule import ReminderClock
from coordination.shared import database as db
from coordination.shared.clock import Clock
from coordination.shared.observability import LogfmtFormatter
from tests.web.support import case_id_from, client_for, referral


def fields_of(record: logging.LogRecord) -> dict[str, Any]:
    found: dict[str, Any] = getattr(record, "fields", {})
    return found


def test_healthz_answers_anyone_with_figures_and_no_personal_data(app: Litestar) -> None:
    with TestClient(app) as anyone:
        answer = anyone.get("/healthz")
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["status"] == "ok"
    assert report["database"] == {"ok": True}
    assert report["migrations"]["ok"] and report["migrations"]["database"]
    assert report["reminder_clock"] == {
        "ok": True,
        "running": False,
        "note": "off (SAMORDNA_SWEEP_SECONDS=0)",
    }
    assert report["outbox"] == {"undelivered": 0, "oldest_undelivered_age_seconds": None}
    assert "@" not in answer.text


def test_healthz_is_503_when_the_migrations_are_behind(app: Litestar) -> None:
    with app.state.services.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM alembic_version"))
    with TestClient(app) as anyone:
        answer = anyone.get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["migrations"]["ok"] is False


def test_an_unreachable_database_is_unhealthy(tmp_path: Any) -> None:
    engine = db.connect(f"sqlite:///{tmp_path}/folder/samordna.db")
    (tmp_path / "folder").rmdir()  # nowhere to open the database
    report = health(engine, ReminderClock([], Clock(), 0))
    assert report["status"] == "unhealthy"
    assert report["database"] == {"ok": False, "error": "OperationalError"}


def test_a_reminder_clock_that_stopped_sweeping_is_unhealthy(app: Litestar) -> None:
    engine = app.state.services.engine
    schedule = ReminderClock([lambda: None], Clock(), 60)
    schedule.started_at = Clock().now() - timedelta(minutes=30)
    schedule._beat()
    fresh = health(engine, schedule)["reminder_clock"]
    assert fresh["ok"] and fresh["seconds_since_last_sweep"] == 0 and fresh["last_sweep"]
    schedule.last_sweep = Clock().now() - timedelta(minutes=4)
    assert health(engine, schedule)["status"] == "unhealthy"


def test_a_failing_beat_is_logged_and_the_sweep_not_counted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    name = "Anna " + "Andersson"  # an error's message may hold personal data

    def failing() -> None:
        raise RuntimeError(name)

    ran: list[str] = []
    schedule = ReminderClock([failing, lambda: ran.append("retention")], Clock(), 60)
    with caplog.at_level(logging.ERROR, logger="samordna.clock"):
        schedule._beat()
    assert ran == ["retention"] and schedule.last_sweep is None
    assert "RuntimeError" in caplog.text and name not in caplog.text


def test_every_request_is_logged_by_route_status_and_id(
    app: Litestar, caplog: pytest.LogCaptureFixture
) -> None:
    coordinator = client_for(app, "samordnare@test")
    case_id = case_id_from(referral(coordinator))
    with caplog.at_level(logging.INFO, logger="samordna.access"):
        page = coordinator.get(f"/arenden/{case_id}?flik=plan")
        missing = coordinator.get("/sidan-finns-inte")
    lines = [fields_of(r) for r in caplog.records if r.name == "samordna.access"]
    shown, unknown = lines[-2], lines[-1]
    assert shown["route"].startswith("/arenden/{case_id")
    assert shown["status"] == 200 and shown["method"] == "GET" and shown["ms"] >= 0
    assert shown["request_id"] == page.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{12}", shown["request_id"])
    assert shown["user_id"]
    assert unknown["route"] == "-" and unknown["status"] == 404
    assert unknown["request_id"] == missing.headers["x-request-id"]
    ours = [r for r in caplog.records if r.name.startswith("samordna")]  # not the test client's
    formatted = "\n".join(LogfmtFormatter().format(r) for r in ours)
    assert case_id not in formatted and "flik" not in formatted and "sidan-finns" not in formatted
    assert f"request_id={shown['request_id']}" in formatted


def test_an_unexpected_error_has_one_id_on_the_page_the_header_and_both_log_lines(
    app: Litestar, caplog: pytest.LogCaptureFixture
) -> None:
    admin = client_for(app, "admin@test")
    with app.state.services.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE outbox"))
    with caplog.at_level(logging.INFO, logger="samordna"):
        failed = admin.get("/admin/utkorg")
    assert failed.status_code == 500
    request_id = failed.headers["x-request-id"]
    assert f"felkod {request_id}" in failed.text
    error = next(r for r in caplog.records if r.name == "samordna.web")
    access = [fields_of(r) for r in caplog.records if r.name == "samordna.access"][-1]
    assert fields_of(error)["request_id"] == access["request_id"] == request_id
    assert fields_of(error)["route"] == access["route"] == "/admin/utkorg"
    assert fields_of(error)["user_id"] == access["user_id"] is not None
    assert access["status"] == 500
    assert "outbox" not in LogfmtFormatter().format(error).splitlines()[0]


def test_the_favicon_is_served_to_anyone_and_pages_name_it(app: Litestar) -> None:
    with TestClient(app) as anyone:
        icon = anyone.get("/favicon.ico")
        login = anyone.get("/logga-in")
    assert icon.status_code == 200 and icon.content.startswith(b"\x00\x00\x01\x00")
    assert '<link rel="icon" href="/static/favicon.ico">' in login.text
    # htmx adds no inline style, which the Content-Security-Policy would refuse
    assert '"includeIndicatorStyles":false' in login.text
