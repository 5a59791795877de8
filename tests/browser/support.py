"""What the browser tests do on every page: log in, ask axe-core for violations, and listen
for what the browser complains about."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import ConsoleMessage, Page, Request, Response

from coordination.demo import DEMO_PASSWORD


class BrowserProblems:
    """What the browser reports while a test runs: console errors, uncaught script errors,
    requests that failed and error responses (status 400 and above). A test that provokes an
    error response on purpose (a form sent wrong gets 422) says so with `expect_status`; the
    browser's console line about that response is then expected too."""

    def __init__(self, page: Page) -> None:
        self.found: list[str] = []
        self.expected: set[int] = set()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.found.append(f"script error: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)
        setattr(page, "browser_problems", self)  # noqa: B010 - for expect_status

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        text = message.text
        if any(f"status of {status} " in text for status in self.expected):
            return
        self.found.append(f"console error: {text} ({message.location.get('url', '')})")

    def _request_failed(self, request: Request) -> None:
        self.found.append(f"request failed: {request.method} {request.url} {request.failure}")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and response.status not in self.expected:
            self.found.append(f"{response.status}: {response.request.method} {response.url}")


def expect_status(page: Page, status: int) -> None:
    """The test provokes responses with this status on purpose."""
    problems: BrowserProblems = getattr(page, "browser_problems")  # noqa: B009
    problems.expected.add(status)


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


def enrol_new_case(page: Page, service: str, name: str) -> str:
    """As a logged-in samordnare: register, accept and enrol a referral; its case code."""
    page.goto(f"{service}/remisser/ny")
    page.get_by_label("Remitterande part").select_option(label="Kommun")
    page.get_by_label("Remitterande handläggare").fill("Demo Remittent")
    page.get_by_label("Anledning till remissen").fill("Demo: behöver samordnat stöd")
    page.get_by_role("button", name="Registrera remiss").click()
    code = page.get_by_role("heading", level=1).inner_text().split()[1]
    page.get_by_role("button", name="Godta remissen").click()
    page.get_by_label("Namn", exact=True).fill(name)
    page.get_by_label("Personnummer (ÅÅÅÅMMDD-NNNN)").fill("19800101-0019")
    page.get_by_label("Försäkringskassan").check()
    page.get_by_label("Kommun").check()
    page.get_by_label("Kön").select_option(label="Kvinna")
    page.get_by_label("Utbildningsnivå").select_option(label="Grundskola (inkl. särskola)")
    page.get_by_label("Försörjningsstöd").check()
    page.get_by_label("Tid i offentlig försörjning").select_option(label="1–3 år")
    page.get_by_label("Sysselsättning vid inskrivning").select_option(label="Ingen sysselsättning")
    page.get_by_label("Insats", exact=True).select_option(index=1)
    page.get_by_role("button", name="Skriv in").click()
    page.get_by_text("Deltagaren är inskriven.").wait_for()
    return code
