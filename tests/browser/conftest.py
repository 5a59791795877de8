"""Browser tests: the real service, started by its own command, driven by Debian's Chromium.

Chromium is looked for at SAMORDNA_TEST_CHROMIUM or /usr/bin/chromium (`apt install chromium`).
Without it these tests skip, except under CI, where a missing browser is a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = os.environ.get("SAMORDNA_TEST_CHROMIUM", "/usr/bin/chromium")
# As root in a container, and on a closed network: no sandbox, no background connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`coordination serve --demo` on a fresh SQLite file; yields its address."""
    port = _free_port()
    data_dir = tmp_path_factory.mktemp("service")
    env = {
        **os.environ,
        "SAMORDNA_DATA_DIR": str(data_dir),
        "SAMORDNA_PORT": str(port),
        "SAMORDNA_DATABASE_URL": f"sqlite:///{data_dir / 'samordna.db'}",
    }
    log = (data_dir / "service.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-c", "from coordination.cli import main; main()", "serve", "--demo"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    address = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(address, process, data_dir / "service.log")
        yield address
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _wait_until_up(address: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the service stopped: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"{address}/logga-in", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the service did not answer within a minute: {log.read_text()}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM}: apt install chromium, or set SAMORDNA_TEST_CHROMIUM"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="sv-SE")
    opened = context.new_page()
    yield opened
    context.close()
