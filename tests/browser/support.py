"""What the browser tests do on every page: log in, and ask axe-core for violations."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from coordination.demo import DEMO_PASSWORD


def log_in(page: Page, service: str, email: str) -> None:
    page.goto(f"{service}/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{service}/")


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical findings on the page as it is now."""
    results = Axe().run(page)
    violations: list[dict[str, Any]] = results.response["violations"]
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
