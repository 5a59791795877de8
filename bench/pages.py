"""Server time of the team page, its unchanged refresh, the caseload and the statistics pages
on a large team, against a trivial page of the app measured in the same run.

Seeds a SQLite file with N cases (default 5,000, about four in five open) of about 40
events each (about 200,000 events) through the bulk path `coordination demo --cases` uses:
every case decided by the real decider and appended through the event store with its inline
read models, many cases per transaction. Then requests each page with Litestar's test
client: the caseload and statistics as the teamledare; the team page as the teamledare, a
samordnare and a handläggare ("mina ärenden"), each also as its 30-second refresh when
nothing changed (htmx, with the ETag it was given: 304). Prints, as the last line, one JSON
object: per page the median and 95th percentile in milliseconds, and their ratio to the
trivial page (the login form).

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

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient

from coordination.app import Services, create_app
from coordination.cases.tables import cases
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


def measure(
    client: TestClient[Any],
    path: str,
    requests: int,
    headers: dict[str, str] | None = None,
    status: int = 200,
) -> dict[str, float]:
    client.get(path, headers=headers)  # warm
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == status, (path, response.status_code)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
    }


def team_page(app: Litestar, email: str, requests: int) -> dict[str, dict[str, float]]:
    """The team page as `email` sees it first, and its 30-second refresh (htmx, with the
    ETag of the list it has) when nothing changed: answered 304 with no body."""
    with TestClient(app) as client:
        log_in(client, email)
        page = measure(client, "/", requests)
        tag = client.get("/", headers={"HX-Request": "true"}).headers["etag"]
        refresh = measure(
            client, "/", requests, headers={"HX-Request": "true", "If-None-Match": tag}, status=304
        )
    return {"page": page, "unchanged_refresh": refresh}


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
        app = create_app(settings, engine, freeze_startup_objects=True)  # as `serve` does
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
    logging.getLogger("samordna.access").setLevel(logging.WARNING)  # a line per request
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
        # the teamledare and the samordnare see the whole team; a handläggare of a part in
        # every case's consent sees them all under "mina ärenden"
        for who, email in (
            ("team_page_teamledare", "ledare@bench"),
            ("team_page_samordnare", COORDINATOR_EMAIL.format(0)),
            ("team_page_handlaggare", "p4@bench"),
        ):
            for kind, figures in team_page(app, email, args.requests).items():
                pages[f"{who}_{kind}"] = figures
        with app.state.services.engine.connect() as conn:
            seeded["open_cases"] = conn.execute(
                sa.select(sa.func.count()).select_from(cases).where(cases.c.closed_on.is_(None))
            ).scalar_one()
    result: dict[str, Any] = {**seeded, "baseline": baseline}
    for path, figures in pages.items():
        figures["ratio_median"] = round(figures["median_ms"] / baseline["median_ms"], 1)
        result[path] = figures
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
