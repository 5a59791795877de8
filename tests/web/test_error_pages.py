"""Every response carries the security headers, and refusals and failures are Swedish pages:
403, 404, 405, the CSRF refusal and an unexpected error alike."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient

from tests.web.support import client_for


def assert_secured(response: Any, status: int, title: str) -> None:
    assert response.status_code == status, response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert f"<h1>{title}</h1>" in response.text


def test_error_pages_are_swedish_and_carry_the_security_headers(app: Litestar) -> None:
    analyst = client_for(app, "analytiker@test")
    assert_secured(analyst.get("/sidan-finns-inte"), 404, "Sidan finns inte")
    assert_secured(analyst.get("/admin/utkorg"), 403, "Ingen åtkomst")
    assert_secured(analyst.delete("/logga-in"), 405, "Det går inte")
    no_token = analyst.post("/installningar", data={"delivery": "digest"})
    assert_secured(no_token, 403, "Ingen åtkomst")
    assert "Formuläret kunde inte tas emot. Ladda om sidan" in no_token.text
    assert "CSRF" not in no_token.text
    with TestClient(app) as stranger:
        assert "content-security-policy" in stranger.get("/", follow_redirects=False).headers


def test_an_unexpected_error_is_a_swedish_page_with_an_id_that_is_logged(
    app: Litestar, caplog: pytest.LogCaptureFixture
) -> None:
    admin = client_for(app, "admin@test")
    with app.state.services.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE outbox"))  # the database lost a table
    with caplog.at_level(logging.ERROR, logger="samordna.web"):
        failed = admin.get("/admin/utkorg")
    assert_secured(failed, 500, "Något gick fel")
    request_id = re.search(r"felkod ([0-9a-f]{12})", failed.text)
    assert request_id
    assert "outbox" not in failed.text
    logged = [r.getMessage() for r in caplog.records if r.name == "samordna.web"]
    assert any(request_id.group(1) in line and "/admin/utkorg" in line for line in logged)


def test_a_body_that_is_no_form_comes_back_as_the_form_in_swedish(app: Litestar) -> None:
    coordinator = client_for(app, "samordnare@test")
    token = {"x-csrftoken": coordinator.cookies.get("csrftoken") or ""}
    broken = coordinator.post(
        "/remisser/ny",
        content=b"\x00\xff{",
        headers={**token, "content-type": "application/json"},
    )
    assert_secured(broken, 422, "Registrera remiss")
    assert "Välj ett av alternativen." in broken.text
    assert "Validation" not in broken.text
