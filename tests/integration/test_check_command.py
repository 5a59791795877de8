"""`coordination check` asks the running service's `/healthz`, prints its report and exits
non-zero when the service is unhealthy or does not answer: the container's health check."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.serving import COMMAND, running_service, service_environment


def check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, "check", "--timeout", "5"], env=env, capture_output=True, text=True, timeout=60
    )


def test_check_prints_the_health_of_the_running_service(tmp_path: Path) -> None:
    env = service_environment(tmp_path)
    with running_service(env):
        healthy = check(env)
    assert healthy.returncode == 0, healthy.stderr
    report = json.loads(healthy.stdout)
    assert report["status"] == "ok"
    assert report["database"]["ok"] and report["migrations"]["ok"]
    assert report["reminder_clock"]["running"] and report["reminder_clock"]["ok"]
    assert report["outbox"]["undelivered"] >= 0
    stopped = check(env)
    assert stopped.returncode == 1
    assert "Samordna svarar inte" in stopped.stderr
