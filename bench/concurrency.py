"""Does one slow page stall everybody? Latency of a trivial page while 1 and then 16 users
load heavy pages of the real server, and the heavy pages' throughput at both levels.

A handler that does blocking work on the event loop (a synchronous SQLAlchemy query inside
an `async def`) holds up every other request of the process until it is done. This measures
that from the outside, against the server as `coordination serve` runs it:

1. Seeds a SQLite file with `--cases` cases (default 5,000) with the seeding of
   `bench/pages.py`, the cases shared among 16 coordinators. Seeding 5,000 cases takes
   about a minute; with `--database PATH` the file is kept and reused when it exists (its
   secrets, which the server needs to read it, are kept beside it in `PATH.data/`).
2. Starts `coordination serve` (the entry point `coordination.cli:main`) in a subprocess on
   a free port with SAMORDNA_SWEEP_SECONDS=0, waits until it answers, and stops it at the
   end, also on error.
3. Logs in 16 coordinators, each with its own session, through the login form and its CSRF
   token. Then, once per level (1 user, then 16 users), for `--seconds` seconds: every user
   loops over the team page `/`, a case page `/arenden/<id>` (a random active case),
   Mina påminnelser `/paminnelser` and Arbetsbelastning `/arbetsbelastning`, one request
   after the other. Meanwhile a probe in a separate process asks for the login form
   (`GET /logga-in`, no session, no database) every 100 ms, open loop: each probe is sent
   on schedule whether or not the earlier ones have been answered, so a stalled server
   shows as the latency a user arriving at that moment would see.

The last line of stdout is one JSON object: the probe's 95th percentile at each level, the
heavy pages' completed requests per second at each level, their ratios (16 users ÷ 1 user)
and the goals they are held against, the errors per level and the machine. A heavy page
counts as an error unless it answers 200 (a redirect would be to the login page); the probe
likewise. Any error makes the exit status 1: the figures of such a run do not count.

    uv run python bench/concurrency.py [--cases 5000] [--seconds 20] [--database PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import multiprocessing
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from bench.pages import COORDINATOR_EMAIL, PASSWORD, seed
from coordination.accounts.tables import users
from coordination.app import build_services
from coordination.cases.tables import cases
from coordination.config import load_settings
from coordination.shared import database as db

LEVELS = (1, 16)
PROBE_PATH = "/logga-in"
PROBE_INTERVAL_S = 0.1
GOAL = {"probe_p95_ratio_max": 5, "throughput_ratio_min": 1.5}
# The heavy pages, by a short name for the report; "case" is filled in per request.
PAGES = {
    "team": "/",
    "case": "/arenden/{}",
    "reminders": "/paminnelser",
    "caseload": "/arbetsbelastning",
}
TIMEOUT_S = 300.0
STARTUP_S = 120.0


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the database ----------------------------------------------------------------------------


def environment(database: Path, data_dir: Path, port: int) -> dict[str, str]:
    """The server's variables; none of the caller's SAMORDNA_* settings leak in."""
    return {
        "SAMORDNA_DATA_DIR": str(data_dir),
        "SAMORDNA_DATABASE_URL": f"sqlite:///{database}",
        "SAMORDNA_HOST": "127.0.0.1",
        "SAMORDNA_PORT": str(port),
        "SAMORDNA_SWEEP_SECONDS": "0",
    }


def prepare(database: Path, data_dir: Path, count: int) -> None:
    """Seed `database` unless it exists. The seeding goes to a side file that takes the
    database's name only when complete, so an interrupted seeding is never reused."""
    if database.exists():
        say(f"reusing {database}")
        return
    partial = database.with_name(database.name + ".partial")
    for leftover in (partial, *_sidecars(partial)):
        leftover.unlink(missing_ok=True)
    say(f"seeding {count} cases into {database} (5,000 take several minutes) …")
    settings = load_settings(environment(partial, data_dir, 0))
    engine = db.connect(settings.database_url)
    try:
        db.migrate(engine)
        started = time.perf_counter()
        appended = seed(build_services(settings, engine), count, coordinators=max(LEVELS))
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    for sidecar in _sidecars(partial):
        if sidecar.exists() and sidecar.stat().st_size > 0 and sidecar.name.endswith("-wal"):
            raise RuntimeError(f"{sidecar} still holds data after the checkpoint")
        sidecar.unlink(missing_ok=True)
    partial.rename(database)
    say(f"seeded {appended} events in {time.perf_counter() - started:.0f} s")


def _sidecars(database: Path) -> list[Path]:
    return [database.with_name(database.name + suffix) for suffix in ("-wal", "-shm")]


@dataclass(frozen=True)
class Team:
    cases: int
    active_case_ids: list[str]
    emails: list[str]


def team_of(database: Path) -> Team:
    """The seeded file's case count, active cases and the benchmark's coordinators."""
    engine = db.connect(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(cases)).scalar_one()
            active = (
                conn.execute(
                    sa.select(cases.c.case_id)
                    .where(cases.c.closed_on.is_(None))
                    .order_by(cases.c.case_code)
                )
                .scalars()
                .all()
            )
            wanted = [COORDINATOR_EMAIL.format(n) for n in range(max(LEVELS))]
            found = set(
                conn.execute(sa.select(users.c.email).where(users.c.email.in_(wanted))).scalars()
            )
    finally:
        engine.dispose()
    missing = [email for email in wanted if email not in found]
    if missing:
        raise SystemExit(
            f"{database} lacks the coordinators {', '.join(missing)}: it was not seeded by this "
            "benchmark. Remove it (and its .data folder) to seed it anew."
        )
    if not active:
        raise SystemExit(f"{database} has no active cases")
    return Team(int(total), list(active), wanted)


# -- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def server(variables: Mapping[str, str], log: Path) -> Iterator[str]:
    """`coordination serve` in a subprocess; yields its base URL, always stops it."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("SAMORDNA_")}
    env.update(variables)
    command = [
        sys.executable,
        "-c",
        "import sys; from coordination.cli import main; sys.argv[0] = 'coordination'; "
        "sys.exit(main(['serve']))",
    ]
    base_url = f"http://127.0.0.1:{variables['SAMORDNA_PORT']}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    say(f"started coordination serve (pid {process.pid}) on {base_url}")
    try:
        _wait_until_up(process, base_url)
        yield base_url
    except BaseException:
        say(f"the server's output:\n{_tail(log)}")
        raise
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        say(f"stopped the server (exit status {process.returncode})")


def _wait_until_up(process: subprocess.Popen[bytes], base_url: str) -> None:
    deadline = time.monotonic() + STARTUP_S
    with httpx.Client(base_url=base_url, timeout=5) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with status {process.returncode}")
            try:
                if client.get(PROBE_PATH).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {STARTUP_S:.0f} s")


def _tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no output)"


# -- users -----------------------------------------------------------------------------------


def log_in(base_url: str, email: str) -> httpx.Client:
    """A client with its own session, logged in as a user does: the form, then the post with
    the form's CSRF token."""
    client = httpx.Client(base_url=base_url, timeout=TIMEOUT_S)
    try:
        client.get("/logga-in").raise_for_status()
        response = client.post(
            "/logga-in",
            data={
                "email": email,
                "password": PASSWORD,
                "_csrf_token": client.cookies.get("csrftoken") or "",
            },
        )
        if response.status_code not in (302, 303) or not client.cookies.get("samordna_session"):
            raise RuntimeError(f"logging in as {email}: {response.status_code} {response.text}")
    except BaseException:
        client.close()
        raise
    return client


@dataclass
class Tally:
    """One virtual user's (or the probe's) requests during one level."""

    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    completed: int = 0  # answered 200 before the level's end
    errors: Counter[str] = field(default_factory=Counter)

    def merge(self, other: Tally) -> None:
        for name, times in other.latencies_ms.items():
            self.latencies_ms.setdefault(name, []).extend(times)
        self.completed += other.completed
        self.errors.update(other.errors)


def browse(
    client: httpx.Client, seed_: int, case_ids: Sequence[str], start: float, stop: float
) -> Tally:
    """One virtual user: the heavy pages in turn, each request after the previous answer."""
    rng = random.Random(seed_)
    names = list(PAGES)
    turn = seed_ % len(names)  # the users do not all start on the same page
    tally = Tally()
    time.sleep(max(0.0, start - time.time()))
    while time.time() < stop:
        name = names[turn % len(names)]
        turn += 1
        path = PAGES[name].format(rng.choice(case_ids)) if name == "case" else PAGES[name]
        started = time.perf_counter()
        try:
            response = client.get(path)
        except httpx.HTTPError as error:
            tally.errors[f"{name}: {type(error).__name__}"] += 1
            continue
        elapsed_ms = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            tally.errors[f"{name}: status {response.status_code}"] += 1
            continue
        tally.latencies_ms.setdefault(name, []).append(elapsed_ms)
        if time.time() <= stop:
            tally.completed += 1
    return tally


# -- the probe, in its own process -----------------------------------------------------------


def probe(base_url: str, start: float, stop: float) -> Tally:
    """The trivial page every PROBE_INTERVAL_S from `start` to `stop` (wall-clock times)."""
    return asyncio.run(_probe(base_url, start, stop))


async def _probe(base_url: str, start: float, stop: float) -> Tally:
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT_S, limits=limits) as client:

        async def once(tally: Tally) -> None:
            started = time.perf_counter()
            try:
                response = await client.get(PROBE_PATH)
            except httpx.HTTPError as error:
                tally.errors[f"probe: {type(error).__name__}"] += 1
                return
            if response.status_code != 200:
                tally.errors[f"probe: status {response.status_code}"] += 1
                return
            tally.latencies_ms.setdefault("probe", []).append(
                (time.perf_counter() - started) * 1000
            )
            tally.completed += 1

        await once(Tally())  # a connection and a first request outside the measurement
        tally = Tally()
        sent: list[asyncio.Task[None]] = []
        for n in range(math.ceil((stop - start) / PROBE_INTERVAL_S)):
            await asyncio.sleep(max(0.0, start + n * PROBE_INTERVAL_S - time.time()))
            sent.append(asyncio.create_task(once(tally)))
        await asyncio.gather(*sent)
    return tally


def warm_up() -> None:
    """Run in the probe's process before the levels: its imports are done by then."""


# -- one level -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    users: int
    seconds: float
    heavy: Tally
    probe: Tally

    def p95_ms(self) -> float:
        return percentile(self.probe.latencies_ms.get("probe", []), 0.95)

    def rps(self) -> float:
        return self.heavy.completed / self.seconds


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest rank; NaN without values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def run_level(
    clients: Sequence[httpx.Client],
    case_ids: Sequence[str],
    seconds: float,
    base_url: str,
    prober: ProcessPoolExecutor,
) -> Level:
    start = time.time() + 1.0  # the probe and every user begin together
    stop = start + seconds
    probed: Future[Tally] = prober.submit(probe, base_url, start, stop)
    heavy = Tally()
    with ThreadPoolExecutor(len(clients)) as pool:
        browsed = [
            pool.submit(browse, client, n, case_ids, start, stop)
            for n, client in enumerate(clients)
        ]
        _report_while_running(stop)
        for done in browsed:
            heavy.merge(done.result())
    return Level(len(clients), seconds, heavy, probed.result())


def _report_while_running(stop: float) -> None:
    while (left := stop - time.time()) > 0:
        time.sleep(min(5.0, left))
        if stop - time.time() > 0.5:
            say(f"  … {stop - time.time():.0f} s left")


# -- the report ------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": model or platform.processor(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def figure(value: float, digits: int = 1) -> float | None:
    """Rounded; None (null in the JSON) where there was nothing to measure."""
    return round(value, digits) if math.isfinite(value) else None


def ratio(numerator: float, denominator: float) -> float | None:
    return figure(numerator / denominator, 2) if denominator else None


def report(team: Team, seconds: float, levels: Sequence[Level]) -> dict[str, Any]:
    first, last = levels[0], levels[-1]
    by_level = {str(level.users): level for level in levels}
    return {
        "cases": team.cases,
        "active_cases": len(team.active_case_ids),
        "seconds": seconds,
        "users": [level.users for level in levels],
        "probe_p95_ms": {key: figure(level.p95_ms()) for key, level in by_level.items()},
        "throughput_rps": {key: figure(level.rps(), 2) for key, level in by_level.items()},
        "probe_p95_ratio": ratio(last.p95_ms(), first.p95_ms()),
        "throughput_ratio": ratio(last.rps(), first.rps()),
        "goal": GOAL,
        "errors": {
            key: {
                "heavy": level.heavy.errors.total(),
                "probe": level.probe.errors.total(),
                "kinds": dict(level.heavy.errors + level.probe.errors),
            }
            for key, level in by_level.items()
        },
        "probe_median_ms": {
            key: figure(statistics.median(level.probe.latencies_ms.get("probe", [math.nan])))
            for key, level in by_level.items()
        },
        "probe_requests": {
            key: level.probe.completed + level.probe.errors.total()
            for key, level in by_level.items()
        },
        "page_median_ms": {
            key: {
                name: round(statistics.median(times), 1)
                for name, times in sorted(level.heavy.latencies_ms.items())
            }
            for key, level in by_level.items()
        },
        "machine": machine(),
    }


# -- main ------------------------------------------------------------------------------------


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--cases", type=int, default=5000, help="cases to seed (default 5000)")
    parser.add_argument("--seconds", type=float, default=20.0, help="per level (default 20)")
    parser.add_argument(
        "--database",
        type=Path,
        help="a SQLite file to keep the seeded team in and reuse when it exists",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="samordna-bench-") as folder:
        database = (args.database or Path(folder) / "bench.db").resolve()
        data_dir = database.with_name(database.name + ".data")
        prepare(database, data_dir, args.cases)
        team = team_of(database)
        if team.cases != args.cases:
            say(f"note: {database} holds {team.cases} cases, not --cases {args.cases}")
        variables = environment(database, data_dir, free_port())
        spawn = multiprocessing.get_context("spawn")
        with (
            ProcessPoolExecutor(1, mp_context=spawn) as prober,
            server(variables, Path(folder) / "server.log") as base_url,
        ):
            prober.submit(warm_up).result()
            clients: list[httpx.Client] = []
            try:
                for email in team.emails[: max(LEVELS)]:
                    clients.append(log_in(base_url, email))
                say(f"logged in {len(clients)} coordinators; warming up each page once")
                for name, path in PAGES.items():
                    clients[0].get(path.format(team.active_case_ids[0])).raise_for_status()
                    say(f"  {name} answers")
                levels = []
                for users_ in LEVELS:
                    say(f"{users_} user(s) for {args.seconds:g} s, probing {PROBE_PATH} …")
                    level = run_level(
                        clients[:users_], team.active_case_ids, args.seconds, base_url, prober
                    )
                    say(
                        f"  {level.heavy.completed} heavy requests ({level.rps():.2f}/s), "
                        f"probe p95 {level.p95_ms():.1f} ms, "
                        f"errors {dict(level.heavy.errors + level.probe.errors) or 'none'}"
                    )
                    levels.append(level)
            finally:
                for client in clients:
                    client.close()
    result = report(team, args.seconds, levels)
    print(json.dumps(result, ensure_ascii=False))
    if any(level.heavy.errors or level.probe.errors for level in levels):
        say("errors occurred: these figures do not count")
        sys.exit(1)


if __name__ == "__main__":
    main()
