"""Many users at once on PostgreSQL, on one and then on two instances of the real server.

1. Starts a throwaway PostgreSQL server (`bench/postgres.py`, as `.ci/run` starts one) and
   seeds it with `--cases` cases (default 5,000) through the bulk path of
   `coordination demo --cases`, the cases shared among 16 coordinators.
2. Starts `coordination serve` once, then twice, on that database (the same secrets in each
   instance's environment, as Compose gives them), each on a port of its own.
3. Drives `--users` virtual users (default 50) for `--seconds` per configuration, each with a
   session of its own (the 16 coordinators logged in several times), each request sent when
   the previous one is answered: with no pause (`--think 0`, the default) that measures the
   server's capacity; with `--think S` each user reads a page for a random time of S seconds
   on average before the next request, as people do. With two instances every user sends
   each request to the next instance in turn, as a round-robin proxy would, without the
   proxy's own cost on this small machine.
   The mix, by weight: the team page (25), its 30-second refresh with the ETag it was given
   (25; a 304 when nothing changed, but the posts below change it), a case page (25),
   Mina påminnelser (10), a new referral posted through the form (10; it appends an event and
   redirects) and Statistik (5). The users run in `--processes` load processes (default 2)
   so that the load generator is not one Python thread. With `--think`, each user's first
   request also comes after such a pause, so that they arrive spread out, not all at once.
   The first `--warmup` seconds (default 10) load the new instances without being measured:
   their first requests compile templates and statements and fill Statistik's cache.

The last line of stdout is one JSON object: per configuration and page, the median and 95th
percentile in ms, the errors, and the throughput (answered requests per second), with the
two-instance ÷ one-instance throughput ratio and the goals it is held against.

    uv run python bench/load.py [--cases 5000] [--users 50] [--seconds 60] [--think 0]
                                [--warmup 10] [--processes 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

import events
from bench.concurrency import Tally, free_port, machine, percentile, say, server
from bench.pages import COORDINATOR_EMAIL, PASSWORD, seed
from bench.postgres import throwaway_postgres
from coordination.app import build_services
from coordination.cases.tables import cases
from coordination.config import load_settings
from coordination.shared import database as db

COORDINATORS = 16
GOAL = {"p95_ms_max": 300, "throughput_ratio_min": 1.6, "errors": 0}
# (name, weight)
MIX = (
    ("team", 25),
    ("refresh", 25),
    ("case", 25),
    ("reminders", 10),
    ("referral", 10),
    ("statistics", 5),
)
TIMEOUT_S = 120.0


def prepare(url: str, data_dir: Path, count: int, secrets_env: dict[str, str]) -> dict[str, Any]:
    """Seed the database; returns the case ids to open and what the seeding took."""
    settings = load_settings(
        {
            "SAMORDNA_DATA_DIR": str(data_dir),
            "SAMORDNA_DATABASE_URL": url,
            "SAMORDNA_SWEEP_SECONDS": "0",
            **secrets_env,
        }
    )
    engine = db.connect(url)
    try:
        db.migrate(engine)
        started = time.perf_counter()
        appended = seed(build_services(settings, engine), count, coordinators=COORDINATORS)
        seconds = time.perf_counter() - started
        with engine.connect() as conn:
            active = list(
                conn.execute(sa.select(cases.c.case_id).where(cases.c.closed_on.is_(None)))
                .scalars()
                .all()
            )
    finally:
        engine.dispose()
    return {"events": appended, "seconds": seconds, "active_case_ids": active}


async def _log_in(client: httpx.AsyncClient, base_url: str, email: str) -> None:
    (await client.get(f"{base_url}/logga-in")).raise_for_status()
    answer = await client.post(
        f"{base_url}/logga-in",
        data={
            "email": email,
            "password": PASSWORD,
            "_csrf_token": client.cookies.get("csrftoken") or "",
        },
    )
    if answer.status_code not in (302, 303):
        raise RuntimeError(f"logging in as {email}: {answer.status_code}")


async def _user(
    number: int,
    base_urls: Sequence[str],
    case_ids: Sequence[str],
    start: float,
    measured_from: float,
    stop: float,
    think_s: float,
) -> Tally:
    rng = random.Random(number)
    names = [name for name, _ in MIX]
    weights = [weight for _, weight in MIX]
    tally = Tally()
    turn = number
    etag = ""
    async with httpx.AsyncClient(timeout=TIMEOUT_S, follow_redirects=False) as client:
        await _log_in(client, base_urls[0], COORDINATOR_EMAIL.format(number % COORDINATORS))
        await asyncio.sleep(max(0.0, start - time.time()))
        if think_s:  # people do not all click at the same instant: each arrives mid-read
            await asyncio.sleep(rng.expovariate(1 / think_s))
        while time.time() < stop:
            name = rng.choices(names, weights)[0]
            base = base_urls[turn % len(base_urls)]
            turn += 1
            began = time.perf_counter()
            measured = time.time() >= measured_from  # not while the instances warm up
            try:
                answer, ok = await _request(client, base, name, rng, case_ids, etag)
            except httpx.HTTPError as error:
                tally.errors[f"{name}: {type(error).__name__}"] += 1
                continue
            elapsed_ms = (time.perf_counter() - began) * 1000
            if not ok:
                tally.errors[f"{name}: status {answer.status_code}"] += 1
                continue
            if name in ("team", "refresh") and answer.headers.get("etag"):
                etag = answer.headers["etag"]
            if measured:
                tally.latencies_ms.setdefault(name, []).append(elapsed_ms)
                if time.time() <= stop:
                    tally.completed += 1
            if think_s:  # a person reads the page before the next click
                await asyncio.sleep(rng.expovariate(1 / think_s))
    return tally


async def _request(
    client: httpx.AsyncClient,
    base: str,
    name: str,
    rng: random.Random,
    case_ids: Sequence[str],
    etag: str,
) -> tuple[httpx.Response, bool]:
    if name == "team":
        answer = await client.get(f"{base}/")
        return answer, answer.status_code == 200
    if name == "refresh":
        headers = {"HX-Request": "true", "HX-Target": "arenden"}
        if etag:
            headers["If-None-Match"] = etag
        answer = await client.get(f"{base}/", headers=headers)
        return answer, answer.status_code in (200, 304)
    if name == "case":
        answer = await client.get(f"{base}/arenden/{rng.choice(case_ids)}")
        return answer, answer.status_code == 200
    if name == "reminders":
        answer = await client.get(f"{base}/paminnelser")
        return answer, answer.status_code == 200
    if name == "statistics":
        answer = await client.get(f"{base}/statistik")
        return answer, answer.status_code == 200
    answer = await client.post(
        f"{base}/remisser/ny", data=referral_form(client.cookies.get("csrftoken") or "")
    )
    return answer, answer.status_code in (302, 303)


def referral_form(csrf_token: str) -> dict[str, str]:
    """A new referral as the form sends it, with a one-time token of its own."""
    return {
        "from_part": "FK",
        "from_caseworker": "Remitterande handläggare",
        "reason": "Behöver samordnat stöd",
        "referral_date": date.today().isoformat(),
        "once": str(uuid.uuid4()),
        "_csrf_token": csrf_token,
    }


def _load_process(
    numbers: list[int],
    base_urls: list[str],
    case_ids: list[str],
    start: float,
    measured_from: float,
    stop: float,
    think_s: float,
) -> Tally:
    logging.getLogger("httpx").setLevel(logging.WARNING)

    async def run() -> Tally:
        tallies = await asyncio.gather(
            *(_user(n, base_urls, case_ids, start, measured_from, stop, think_s) for n in numbers)
        )
        total = Tally()
        for tally in tallies:
            total.merge(tally)
        return total

    return asyncio.run(run())


def run_configuration(
    base_urls: list[str], args: argparse.Namespace, case_ids: list[str], pool: ProcessPoolExecutor
) -> dict[str, Any]:
    start = time.time() + 5.0 + args.users * 0.05  # time for every user to log in first
    measured_from = start + args.warmup
    stop = measured_from + args.seconds
    groups = [list(range(args.users))[p :: args.processes] for p in range(args.processes)]
    futures = [
        pool.submit(
            _load_process, group, base_urls, case_ids, start, measured_from, stop, args.think
        )
        for group in groups
        if group
    ]
    total = Tally()
    for future in futures:
        total.merge(future.result())
    pages = {
        name: {
            "requests": len(times),
            "median_ms": round(statistics.median(times), 1) if times else None,
            "p95_ms": round(percentile(times, 0.95), 1) if times else None,
        }
        for name, times in sorted(total.latencies_ms.items())
    }
    return {
        "instances": len(base_urls),
        "pages": pages,
        "throughput_per_s": round(total.completed / args.seconds, 1),
        "errors": dict(total.errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument(
        "--warmup",
        type=float,
        default=10.0,
        help="seconds of load on new instances before anything is measured",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a user reads a page before the next request (0: none, capacity)",
    )
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    shared = {
        "SAMORDNA_SECRET_KEY": secrets.token_urlsafe(48),
        "SAMORDNA_MASTER_KEY": events.generate_master_key(),
    }
    with (
        tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as folder,
        throwaway_postgres(port=54343) as url,
        ProcessPoolExecutor(args.processes) as pool,
    ):
        say(f"seeding {args.cases} cases on PostgreSQL …")
        seeded = prepare(url, Path(folder) / "seed", args.cases, shared)
        say(f"seeded {seeded['events']} events in {seeded['seconds']:.0f} s")
        results = []
        for count in (1, 2):
            with ExitStack() as running:
                base_urls = [
                    running.enter_context(
                        server(
                            {
                                "SAMORDNA_DATA_DIR": str(Path(folder) / f"instance-{n}"),
                                "SAMORDNA_DATABASE_URL": url,
                                "SAMORDNA_HOST": "127.0.0.1",
                                "SAMORDNA_PORT": str(free_port()),
                                **shared,
                            },
                            Path(folder) / f"instance-{count}-{n}.log",
                        )
                    )
                    for n in range(count)
                ]
                say(f"{args.users} users on {count} instance(s) for {args.seconds:.0f} s …")
                results.append(run_configuration(base_urls, args, seeded["active_case_ids"], pool))
                say(json.dumps(results[-1]))
    one, two = results
    worst_p95 = max(page["p95_ms"] or 0 for page in two["pages"].values())
    ratio = two["throughput_per_s"] / one["throughput_per_s"] if one["throughput_per_s"] else None
    print(
        json.dumps(
            {
                "cases": args.cases,
                "events": seeded["events"],
                "seeding_s": round(seeded["seconds"], 1),
                "users": args.users,
                "think_s": args.think,
                "seconds": args.seconds,
                "warmup_s": args.warmup,
                "one_instance": one,
                "two_instances": two,
                "throughput_ratio": round(ratio, 2) if ratio else None,
                "worst_p95_ms_two_instances": worst_p95,
                "goal": GOAL,
                "met": {
                    "errors": not one["errors"] and not two["errors"],
                    "p95": worst_p95 < GOAL["p95_ms_max"],
                    "throughput_ratio": bool(ratio and ratio >= GOAL["throughput_ratio_min"]),
                },
                "machine": machine(),
            },
            ensure_ascii=False,
        )
    )
    if one["errors"] or two["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
