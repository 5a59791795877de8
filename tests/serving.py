"""The real service, started by its own command in a process of its own: for the browser
tests and the tests of the `coordination` command."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

COMMAND = [sys.executable, "-c", "from coordination.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def service_environment(data_dir: Path) -> dict[str, str]:
    """The environment of a service on a fresh SQLite file in `data_dir`, on a free port."""
    return {
        **os.environ,
        "SAMORDNA_DATA_DIR": str(data_dir),
        "SAMORDNA_PORT": str(free_port()),
        "SAMORDNA_DATABASE_URL": f"sqlite:///{data_dir / 'samordna.db'}",
    }


@contextmanager
def running_service(env: dict[str, str]) -> Iterator[str]:
    """`coordination serve --demo` with `env`; yields its address, its log in service.log."""
    log_path = Path(env["SAMORDNA_DATA_DIR"]) / "service.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*COMMAND, "serve", "--demo"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        address = f"http://127.0.0.1:{env['SAMORDNA_PORT']}"
        try:
            wait_until_up(address, process, log_path)
            yield address
        finally:
            process.terminate()
            process.wait(timeout=20)


def wait_until_up(
    address: str, process: subprocess.Popen[bytes], log: Path, path: str = "/logga-in"
) -> None:
    """Until `path` answers (the service's login page, or another server's `path`)."""
    deadline = time.monotonic() + 120  # the demo seeds three years of cases first
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the service stopped: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"{address}{path}", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the service did not answer within two minutes: {log.read_text()}")
