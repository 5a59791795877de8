"""The README's screenshots, taken from the demo in Chromium at 1366×768.

    uv run python docs/screenshots.py

Starts `coordination serve --demo` on a fresh SQLite file in a temporary folder, signs in as
the demo's samordnare and teamledare, and writes `docs/screenshots/*.png`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from coordination.demo import DEMO_PASSWORD

HERE = Path(__file__).parent / "screenshots"
CHROMIUM = os.environ.get("SAMORDNA_TEST_CHROMIUM", "/usr/bin/chromium")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_up(address: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the service stopped")
        try:
            with urllib.request.urlopen(f"{address}/logga-in", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the service did not answer")


def log_in(page: Page, address: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{address}/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{address}/")


def main() -> None:
    HERE.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as data_dir:
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SAMORDNA_")},
            "SAMORDNA_DATA_DIR": data_dir,
            "SAMORDNA_PORT": str(port),
        }
        command = [sys.executable, "-c", "from coordination.cli import main; main()"]
        process = subprocess.Popen([*command, "serve", "--demo"], env=env)
        address = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(address, process)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
                )
                page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="sv-SE")
                log_in(page, address, "samordnare@demo.samordna")
                page.screenshot(path=HERE / "team-page.png")
                page.locator("details:has(#skede-ongoing) td.code a").first.click()
                page.get_by_role("navigation", name="Ärendets delar").wait_for()
                page.goto(page.url.split("?")[0].split("/avsnitt/")[0] + "/avsnitt/steg")
                page.screenshot(path=HERE / "case-page.png")
                log_in(page, address, "teamledare@demo.samordna")
                page.goto(f"{address}/statistik")
                page.screenshot(path=HERE / "statistics.png")
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=30)
    print(f"written to {HERE}")


if __name__ == "__main__":
    main()
