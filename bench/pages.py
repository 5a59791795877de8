"""Server time of the caseload and statistics pages on a large team, against a trivial page
of the app measured in the same run.

Seeds a SQLite file with N active cases (default 5,000) of about 40 events each (about
200,000 events), every case's history decided by the real decider and appended in one batch
through the event store with its inline read models. Then requests each page with
Litestar's test client and prints, as the last line, one JSON object: per page the median
and 95th percentile in milliseconds, and their ratio to the trivial page (the login form).

    uv run python bench/pages.py [--cases 5000] [--requests 30]
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from coordination.app import Services, create_app
from coordination.config import load_settings
from coordination.demo import seed_large
from coordination.demo.large import COORDINATOR_EMAIL, PASSWORD
from coordination.shared import database as db
from coordination.shared.clock import Clock

__all__ = ["COORDINATOR_EMAIL", "PASSWORD", "seed"]

TODAY = Clock().today()


def seed(services: Services, count: int, coordinators: int = 1) -> int:
    """The team "Bänkteamet" with `count` cases shared in turn among `coordinators`
    coordinators (samordnare0@bench, …), twelve caseworkers and the teamledare ledare@bench,
    all with the password PASSWORD, through the bulk path `coordination demo --cases`
    uses. Returns the events appended."""
    return seed_large(services.engine, services.cases, TODAY, count, coordinators)


def measure(client: TestClient[Any], path: str, requests: int) -> dict[str, float]:
    client.get(path)  # warm
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
    }


@contextmanager
def seeded_app(cases: int) -> Iterator[tuple[Litestar, dict[str, Any]]]:
    """The app on a SQLite file in a temporary folder, seeded with `cases` cases, and what
    the seeding made and took."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        settings = load_settings(
            {
                "SAMORDNA_DATA_DIR": folder,
                "SAMORDNA_DATABASE_URL": url,
                "SAMORDNA_SWEEP_SECONDS": "0",
            }
        )
        engine = db.connect(url)
        db.migrate(engine)
        app = create_app(settings, engine)
        started = time.perf_counter()
        appended = seed(app.state.services, cases)
        seeded_s = time.perf_counter() - started
        yield app, {"cases": cases, "events": appended, "seed_s": round(seeded_s, 1)}
        engine.dispose()


def log_in(client: TestClient[Any], email: str) -> None:
    client.get("/logga-in")  # the CSRF cookie
    client.post(
        "/logga-in",
        data={
            "email": email,
            "password": PASSWORD,
            "_csrf_token": client.cookies.get("csrftoken", ""),
        },
    )


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    with seeded_app(args.cases) as (app, seeded), TestClient(app) as client:
        baseline = measure(client, "/logga-in", args.requests)
        log_in(client, "ledare@bench")
        pages = {
            path: measure(client, path, args.requests)
            for path in ("/arbetsbelastning", f"/statistik?ar={TODAY.year}")
        }
    result: dict[str, Any] = {**seeded, "baseline": baseline}
    for path, figures in pages.items():
        figures["ratio_median"] = round(figures["median_ms"] / baseline["median_ms"], 1)
        result[path] = figures
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
