"""Rebuilding every read model of a large store while the service serves: how long it takes,
and whether pages and forms keep answering meanwhile.

1. Seeds a SQLite file with `--cases` cases (default 25,000: about 1,000,000 events) through
   the bulk path, as `concurrency.py` does (`--database PATH` keeps the file for the next run).
   With `--postgresql` the same goes into a throwaway PostgreSQL server (`bench/postgres.py`).
2. Starts `coordination serve` on it and logs in a coordinator.
3. For `--baseline` seconds, then during `coordination rebuild` (a process of its own, as an
   operator runs it), a probe sends every 250 ms, in turn, a case page (`GET /arenden/<id>`)
   and a new referral through its form (`POST /remisser/ny`, which appends an event), each
   when the previous one is answered.

The last line of stdout is one JSON object: the rebuild's seconds and the events it replayed,
and per phase (before, during) the probe's reads and writes: count, errors, median, p95 and
the slowest, in ms. The goal: no errors during the rebuild, and no write held for the length
of the rebuild (the slowest write far below the rebuild's time).

    uv run python bench/rebuild.py [--cases 25000] [--database PATH] [--postgresql]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

import events
from bench.concurrency import (
    environment,
    free_port,
    log_in,
    machine,
    percentile,
    prepare,
    say,
    server,
)
from bench.load import referral_form
from bench.pages import COORDINATOR_EMAIL, seed
from bench.postgres import throwaway_postgres
from coordination.app import build_services
from coordination.cases.tables import cases
from coordination.config import load_settings
from coordination.shared import database as db

PROBE_INTERVAL_S = 0.25


def probe(
    client: httpx.Client, case_ids: Sequence[str], stop: threading.Event
) -> dict[str, list[Any]]:
    """Reads and writes in turn until `stop`; their latencies and errors."""
    found: dict[str, list[Any]] = {"read": [], "write": [], "errors": []}
    turn = 0
    while not stop.is_set():
        began = time.perf_counter()
        try:
            if turn % 2 == 0:
                kind = "read"
                answer = client.get(f"/arenden/{case_ids[turn % len(case_ids)]}")
                ok = answer.status_code == 200
            else:
                kind = "write"
                answer = client.post(
                    "/remisser/ny", data=referral_form(client.cookies.get("csrftoken") or "")
                )
                ok = answer.status_code in (302, 303)
        except httpx.HTTPError as error:
            found["errors"].append(f"{type(error).__name__}")
        else:
            if ok:
                found[kind].append((time.perf_counter() - began) * 1000)
            else:
                found["errors"].append(f"{kind}: status {answer.status_code}")
        turn += 1
        time.sleep(max(0.0, PROBE_INTERVAL_S - (time.perf_counter() - began)))
    return found


def summary(found: dict[str, list[Any]]) -> dict[str, Any]:
    def figures(times: list[float]) -> dict[str, Any]:
        if not times:
            return {"count": 0}
        return {
            "count": len(times),
            "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "max_ms": round(max(times), 1),
        }

    return {
        "reads": figures(found["read"]),
        "writes": figures(found["write"]),
        "errors": found["errors"],
    }


def phase(client: httpx.Client, case_ids: Sequence[str], run: Any) -> tuple[Any, dict[str, Any]]:
    """`run()` while the probe runs beside it; its result and the probe's summary."""
    stop = threading.Event()
    result: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: result.update(probe(client, case_ids, stop)))
    worker.start()
    try:
        outcome = run()
    finally:
        stop.set()
        worker.join()
    return outcome, summary(result)


def seed_postgresql(url: str, data_dir: Path, count: int, shared: dict[str, str]) -> None:
    settings = load_settings(
        {"SAMORDNA_DATA_DIR": str(data_dir), "SAMORDNA_DATABASE_URL": url, **shared}
    )
    engine = db.connect(url)
    try:
        db.migrate(engine)
        seed(build_services(settings, engine), count, coordinators=16)
    finally:
        engine.dispose()


def measure(variables: dict[str, str], log: Path, baseline_s: float) -> dict[str, Any]:
    url = variables["SAMORDNA_DATABASE_URL"]
    engine = db.connect(url)
    with engine.connect() as conn:
        case_ids = list(conn.execute(sa.select(cases.c.case_id).limit(2000)).scalars())
        before_events = int(conn.exec_driver_sql("SELECT max(position) FROM events").scalar_one())
    engine.dispose()
    with server(variables, log) as base_url:
        client = log_in(base_url, COORDINATOR_EMAIL.format(0))
        _, before = phase(client, case_ids, lambda: time.sleep(baseline_s))

        def rebuild() -> float:
            began = time.perf_counter()
            env = {k: v for k, v in os.environ.items() if not k.startswith("SAMORDNA_")}
            done = subprocess.run(
                [sys.executable, "-c", "from coordination.cli import main; main(['rebuild'])"],
                env={**env, **variables},
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise RuntimeError(f"coordination rebuild failed: {done.stderr}")
            return time.perf_counter() - began

        seconds, during = phase(client, case_ids, rebuild)
        client.close()
    return {
        "events": before_events,
        "rebuild_s": round(seconds, 1),
        "before": before,
        "during": during,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=25_000)
    parser.add_argument("--database", type=Path, help="SQLite file to keep and reuse")
    parser.add_argument("--postgresql", action="store_true")
    parser.add_argument("--baseline", type=float, default=10.0)
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as folder:
        if args.postgresql:
            shared = {
                "SAMORDNA_SECRET_KEY": secrets.token_urlsafe(48),
                "SAMORDNA_MASTER_KEY": events.generate_master_key(),
            }
            with throwaway_postgres(port=54344) as url:
                say(f"seeding {args.cases} cases on PostgreSQL …")
                started = time.perf_counter()
                seed_postgresql(url, Path(folder) / "seed", args.cases, shared)
                say(f"seeded in {time.perf_counter() - started:.0f} s")
                variables = {
                    "SAMORDNA_DATA_DIR": str(Path(folder) / "serve"),
                    "SAMORDNA_DATABASE_URL": url,
                    "SAMORDNA_HOST": "127.0.0.1",
                    "SAMORDNA_PORT": str(free_port()),
                    "SAMORDNA_SWEEP_SECONDS": "0",
                    **shared,
                }
                result = measure(variables, Path(folder) / "serve.log", args.baseline)
        else:
            database = args.database or Path(folder) / "rebuild.db"
            data_dir = database.with_name(database.name + ".data")
            prepare(database, data_dir, args.cases)
            variables = environment(database, data_dir, free_port())
            result = measure(variables, Path(folder) / "serve.log", args.baseline)
    result.update(
        {
            "cases": args.cases,
            "backend": "postgresql" if args.postgresql else "sqlite",
            "machine": machine(),
        }
    )
    print(json.dumps(result, ensure_ascii=False))
    if result["during"]["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
