"""The reminder sweep on a large installation: a tick with nothing due at 1,000 and at
100,000 cases, the sweep that sends N due reminders, and a rebuild of the reminders
projection.

Seeds two databases, a small one (1,000 cases) and a large one (`--cases`, default
100,000), through the bulk path of the case service (`Cases.import_histories`: every
command decided by the real decider, appended with `EventStore.append_many` and the inline
read models, the reminders projection among them, 250 cases per transaction). The cases are
lighter than `seed_large`'s (3 to 5 events each instead of about 40) and made so that
nothing is due at the benchmark's moment, a clock fixed at the start of the run:

- three in five are open with a plan agreed in the last two months (reminders: the plan's
  review, its activity, what comes next, a stale case, the yearly consent review);
- one in five is open without a plan (a stale case, the consent review);
- one in five was closed in the last 50 days, not to work or studies (three follow-ups,
  the first over a month away).

Then, for each database:

1. **Nothing due**: `Reminders.sweep(now)` timed `--ticks` times (within a time budget),
   and `Reminders.tick()` (sweep, weekly mails, delivery) with the clock at the same moment.
   Before them, one tick of a new `Reminders`, as after a restart, is timed on its own
   (`first_tick_after_start_ms`): its weekly pass reads the week's due list for the digests
   and summaries. No SMTP server is configured, so delivery returns at once and mail stays
   in the outbox.
2. **N due** (the large database): N more cases closed 100 days ago are seeded, each with
   its 3-month follow-up due (8 or so days overdue), and sweeps run until one sends
   nothing; per N the milliseconds per reminder sent, the median of `--due-rounds`
   interleaved rounds (each with new cases). The small database gets the same share
   of sent reminders (N_total × small ÷ large), so that both are compared again in the same
   steady state: everything due was sent and stays in the due list, notified.
3. **Nothing due, after the sends**: the ticks again at both sizes.
4. **Rebuild** (the large database): `EventStore.rebuild` of the reminders projection, and
   a check that the due list comes out the same.
5. **What if**, when the due list has no index by day other than `ix_due_reminders_due_on`:
   a candidate index of the reminders still waiting (partial, `WHERE notified IS false`)
   created on the benchmark's databases only, and the ticks again. (Migration
   `service_0014` adds that index, `ix_due_reminders_waiting`; then this step is skipped.)

On PostgreSQL steps 1 and 3 are also run after an explicit ANALYZE of the tables the sweep
reads (the autovacuum daemon would do it in its own time); SQLite's statistics are never
gathered by the service, so none are there either.

The sweep's query is caught as it is executed and its plan printed (EXPLAIN QUERY PLAN on
SQLite, EXPLAIN ANALYZE on PostgreSQL) each time. Progress goes to stderr; the last line of
stdout is one JSON object with every figure.

    uv run python -m bench.sweep [--cases 100000] [--small 1000] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import math
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import sqlalchemy as sa
from sqlalchemy.engine import Engine

import events
from bench import concurrency
from bench.postgres import throwaway_postgres
from coordination.accounts.insatser import Insatser
from coordination.accounts.service import Accounts
from coordination.app import Services, build_services
from coordination.cases import domain as case
from coordination.cases.service import CaseHistory
from coordination.config import load_settings
from coordination.reminders.projection import ReminderViews
from coordination.reminders.service import Reminders
from coordination.reminders.tables import due_reminders, outbox
from coordination.shared import database as db
from coordination.shared.access import User
from coordination.shared.clock import TEAM_TIMEZONE, Clock
from coordination.shared.vocabulary import (
    AgeGroup,
    ClosureKind,
    ClosureReason,
    EducationLevel,
    Gender,
    InsatsType,
    Occupation,
    Part,
    RegistrationType,
    Role,
    SupportSource,
    TimeInSupport,
)
from events import rebuilding

PASSWORD = "ett-langt-losenord"
CASES_PER_TEAM = 10_000
COORDINATORS_PER_TEAM = 10
DUE_BATCHES = (100, 1_000, 5_000)
POSTGRES_PORT = 54342
STARTED = time.perf_counter()


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


class FixedClock(Clock):
    """The benchmark's moment: every service sees the same now."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


NOW = Clock().now()
TODAY = NOW.astimezone(TEAM_TIMEZONE).date()


@dataclass(frozen=True)
class Team:
    team_id: str
    coordinators: list[User]
    caseworker: User
    insats_id: str


@dataclass
class Installation:
    """One database with its services, its teams and the numbers its cases go by."""

    name: str
    engine: Engine
    services: Services
    teams: list[Team] = field(default_factory=list)
    cases: int = 0
    events: int = 0

    @property
    def reminders(self) -> Reminders:
        return self.services.reminders

    def next_team(self) -> Team:
        return self.teams[self.cases // CASES_PER_TEAM % len(self.teams)]


def create_team(engine: Engine, number: int) -> Team:
    accounts = Accounts(engine)
    team = accounts.create_team(f"Svepteamet {number}")
    coordinators = [
        accounts.create_user(
            team,
            f"Samordnare {number}.{n}",
            f"samordnare{number}.{n}@sweep",
            Part.KOMMUN,
            Role.COORDINATOR,
            PASSWORD,
        )
        for n in range(COORDINATORS_PER_TEAM)
    ]
    caseworker = accounts.create_user(
        team, f"Handläggare {number}", f"p{number}@sweep", Part.AF, Role.CASEWORKER, PASSWORD
    )
    accounts.create_user(
        team, f"Ledare {number}", f"ledare{number}@sweep", Part.FK, Role.TEAM_LEADER, PASSWORD
    )
    insats = Insatser(engine).add_insats(
        team, "Insats", InsatsType.REHABILITATION, TODAY - timedelta(days=900), None
    )
    return Team(team, coordinators, caseworker, insats)


# -- the cases ---------------------------------------------------------------------------

PARTS = (Part.FK, Part.KOMMUN, Part.AF)
Steps = list[tuple[date, case.Command]]


def _start(number: int, team: Team, lead: User, start: date, rng: random.Random) -> Steps:
    """Referral, acceptance and enrolment on `start`."""
    steps: Steps = [
        (
            start,
            case.RegisterReferral(
                f"S-{number:07d}", team.team_id, Part.FK, "Remittent", "Skäl", start
            ),
        ),
        (start, case.AcceptReferral(start)),
        (
            start,
            case.Enrol(
                RegistrationType.PERSONAL,
                rng.choice(list(Gender)),
                start,
                team.insats_id,
                lead.id,
                PARTS,
                "",
                case.Participant(f"Svep {number}", "19800101-0019"),
                rng.choice(list(AgeGroup)),
                rng.choice(list(EducationLevel)),
                (SupportSource.NONE,),
                rng.choice(list(TimeInSupport)),
                rng.choice([Occupation.JOBSEEKER, Occupation.NONE]),
            ),
        ),
    ]
    return steps


def _closure(closed_on: date, rng: random.Random) -> case.CloseCase:
    # Not to work or studies: that would start after-support, due on the day of closure.
    return case.CloseCase(
        ClosureKind.COMPLETED,
        ClosureReason.OTHER,
        rng.choice([Occupation.JOBSEEKER, Occupation.NONE]),
        (SupportSource.NONE,),
        "Efterstöd",
        False,
        closed_on,
    )


def quiet_history(number: int, team: Team, rng: random.Random) -> Steps:
    """A case none of whose reminders is due before TODAY + 30 days or so."""
    lead = team.coordinators[number % len(team.coordinators)]
    shape = rng.random()
    if shape < 0.6:  # open, with a plan agreed in the last two months
        start = TODAY - timedelta(days=rng.randrange(10, 60))
        agreed = start + timedelta(days=7)
        activity = case.Activity(
            str(uuid.UUID(int=rng.getrandbits(128))),
            "Praktik",
            Part.KOMMUN,
            team.caseworker.id,
            agreed,
            TODAY + timedelta(days=rng.randrange(45, 200)),
        )
        plan = case.Plan(
            "m", "l", "o", "", (activity,), (lead.id,), True, agreed, case.default_review_on(agreed)
        )
        steps = _start(number, team, lead, start, rng)
        steps.append((start, case.RecordAssessment("s", "f", "i", "in", "o", "m", "p", start)))
        steps.append((agreed, case.AgreePlan(plan)))
        return steps
    if shape < 0.8:  # open, enrolled in the last ten months, no plan yet
        start = TODAY - timedelta(days=rng.randrange(0, 300))
        return _start(number, team, lead, start, rng)
    closed = TODAY - timedelta(days=rng.randrange(0, 50))  # closed lately
    steps = _start(number, team, lead, closed - timedelta(days=rng.randrange(30, 300)), rng)
    steps.append((closed, _closure(closed, rng)))
    return steps


def due_history(number: int, team: Team, rng: random.Random) -> Steps:
    """A case closed 100 days ago: its 3-month follow-up is due, nothing else."""
    lead = team.coordinators[number % len(team.coordinators)]
    closed = TODAY - timedelta(days=100)
    steps = _start(number, team, lead, closed - timedelta(days=rng.randrange(30, 300)), rng)
    steps.append((closed, _closure(closed, rng)))
    return steps


def seed(
    place: Installation,
    count: int,
    make: Callable[[int, Team, random.Random], Steps],
    rng: random.Random,
) -> float:
    """`count` cases through the bulk path; returns the seconds it took."""

    def histories() -> Iterator[CaseHistory]:
        for _ in range(count):
            team = place.next_team()
            number = place.cases
            place.cases += 1
            steps = make(number, team, rng)
            lead = team.coordinators[number % len(team.coordinators)]
            yield CaseHistory(str(uuid.uuid4()), [(on, lead, command) for on, command in steps])

    started = time.perf_counter()
    place.events += place.services.cases.import_histories(histories())
    return time.perf_counter() - started


# -- the databases -----------------------------------------------------------------------


@contextmanager
def installation(
    name: str, url: str, folder: Path, cases: int, rng: random.Random
) -> Iterator[tuple[Installation, float]]:
    """A migrated database with its teams and `cases` quiet cases, and the seconds the cases
    took to seed."""
    data = folder / name
    settings = load_settings(
        {
            "SAMORDNA_DATA_DIR": str(data),
            "SAMORDNA_DATABASE_URL": url,
            "SAMORDNA_SWEEP_SECONDS": "0",  # no clock thread: the benchmark ticks itself
        }
    )
    assert settings.smtp is None  # mail stays in the outbox
    engine = db.connect(url)
    try:
        db.migrate(engine)
        services = build_services(settings, engine, FixedClock(NOW))
        teams = max(1, math.ceil(cases / CASES_PER_TEAM))
        place = Installation(name, engine, services, [create_team(engine, n) for n in range(teams)])
        progress(f"{name}: {teams} team(s), seeding {cases:,} cases …")
        seconds = seed(place, cases, quiet_history, rng)
        progress(
            f"{name}: {place.cases:,} cases, {place.events:,} events in {seconds:.1f} s "
            f"({place.events / seconds:,.0f} events/s), {count_rows(engine):,} due reminders"
        )
        yield place, seconds
    finally:
        engine.dispose()


def count_rows(engine: Engine, where: Any = None) -> int:
    query = sa.select(sa.func.count()).select_from(due_reminders)
    if where is not None:
        query = query.where(where)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


@contextmanager
def databases(kind: str, folder: Path) -> Iterator[tuple[str, str]]:
    """The URLs of two empty databases, small and large."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'small.db'}", f"sqlite:///{folder / 'large.db'}"
        return
    with throwaway_postgres(port=POSTGRES_PORT) as url:
        base = sa.engine.make_url(url)
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in ("sweep_small", "sweep_large"):
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
                conn.execute(sa.text(f"CREATE DATABASE {name}"))
        admin.dispose()
        yield (
            base.set(database="sweep_small").render_as_string(hide_password=False),
            base.set(database="sweep_large").render_as_string(hide_password=False),
        )


# -- what is measured --------------------------------------------------------------------


def median_ms(times: list[float]) -> float:
    return round(statistics.median(times) * 1000, 3)


def time_nothing_due(place: Installation, rounds: int, budget_s: float) -> dict[str, Any]:
    """`sweep(now)` and `tick()` with nothing due: each `rounds` times or until the budget
    is spent (at least 11 each). Before them one tick of a new `Reminders`, as after a
    restart: its weekly pass reads the week's due list for the digests (the outbox already
    holds them after the first time, so it writes nothing new)."""
    reminders = place.reminders
    restarted = Reminders(
        place.services.cases.store, place.services.settings, clock=FixedClock(NOW).now
    )
    gc.collect()
    first = time.perf_counter()
    restarted.tick()
    first_s = time.perf_counter() - first
    reminders.tick()  # this process's weekly pass, done before the rounds
    started = time.perf_counter()
    sweeps: list[float] = []
    ticks: list[float] = []
    for turn in range(rounds):
        if turn >= 11 and time.perf_counter() - started > budget_s:
            break
        before = time.perf_counter()
        sent = reminders.sweep(NOW)
        sweeps.append(time.perf_counter() - before)
        assert sent == 0, f"{sent} reminders were due"
        before = time.perf_counter()
        reminders.tick()
        ticks.append(time.perf_counter() - before)
    figures = {
        "sweep_median_ms": median_ms(sweeps),
        "sweep_min_ms": round(min(sweeps) * 1000, 3),
        "tick_median_ms": median_ms(ticks),
        "first_tick_after_start_ms": round(first_s * 1000, 1),
        "rounds": len(sweeps),
    }
    progress(f"{place.name}: nothing due, {figures}")
    return figures


def send_due(place: Installation, count: int, rng: random.Random) -> dict[str, Any]:
    """Seed `count` cases with one due reminder each, then sweep until nothing is sent."""
    outboxed = count_outbox(place.engine)
    seed(place, count, due_history, rng)
    waiting = count_rows(
        place.engine, sa.and_(due_reminders.c.due_on <= TODAY, due_reminders.c.notified.is_(False))
    )
    assert waiting == count, f"{waiting} due, {count} expected"
    gc.collect()
    sent, sweeps, each = 0, 0, []
    started = time.perf_counter()
    while True:
        sweeps += 1
        before = time.perf_counter()
        now_sent = place.reminders.sweep(NOW)
        if not now_sent:
            break
        each.append(round((time.perf_counter() - before) * 1000 / now_sent, 2))
        sent += now_sent
    seconds = time.perf_counter() - started
    assert sent == count, f"{sent} sent, {count} due"
    assert count_outbox(place.engine) - outboxed == count
    figures = {
        "n": count,
        "seconds": round(seconds, 2),
        "ms_per_reminder": round(seconds * 1000 / count, 3),
        "per_s": round(count / seconds, 1),
        "sweeps": sweeps,
        "ms_per_reminder_by_sweep": each,  # up to 500 each: does the cost grow within N?
    }
    progress(f"{place.name}: {figures}")
    return figures


def due_figures(n: int, rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The median round of N due, and every round's cost per reminder."""
    costs = [r["ms_per_reminder"] for r in rounds]
    middle = sorted(rounds, key=lambda r: float(r["ms_per_reminder"]))[(len(rounds) - 1) // 2]
    return {
        "n": n,
        "ms_per_reminder": round(statistics.median(costs), 3),
        "per_s": round(1000 / statistics.median(costs), 1),
        "rounds_ms_per_reminder": costs,
        "median_round_ms_per_reminder_by_sweep": middle["ms_per_reminder_by_sweep"],
    }


def count_outbox(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(outbox)).scalar_one())


def due_list_digest(engine: Engine) -> tuple[int, str]:
    """The number of rows of the due list and a hash of them all, in key order."""
    digest = hashlib.sha256()
    rows = 0
    query = sa.select(due_reminders).order_by(due_reminders.c.case_id, due_reminders.c.key)
    with engine.connect() as conn:
        for row in conn.execute(query):
            digest.update(repr(tuple(row)).encode())
            rows += 1
    return rows, digest.hexdigest()


@contextmanager
def timed_swap(seconds: list[float]) -> Iterator[None]:
    """Times the swap of a rebuild built beside the live read model (events/rebuilding.py),
    the only part that holds the writer lock; nothing when the kernel has no such swap."""
    swap = getattr(rebuilding, "_swap", None)
    if swap is None:
        yield
        return

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return swap(*args, **kwargs)
        finally:
            seconds.append(time.perf_counter() - started)

    with mock.patch.object(rebuilding, "_swap", timed):
        yield


def rebuild(place: Installation) -> dict[str, Any]:
    store = place.services.cases.store
    projection = next(p for p in store.inline_projections if isinstance(p, ReminderViews))
    before = due_list_digest(place.engine)
    swaps: list[float] = []
    gc.collect()
    with timed_swap(swaps):
        started = time.perf_counter()
        replayed = store.rebuild(projection)
        seconds = time.perf_counter() - started
    after = due_list_digest(place.engine)
    figures = {
        "seconds": round(seconds, 1),
        "events_replayed": replayed,
        "events_per_s": round(replayed / seconds),
        # the part under the writer lock, when the rebuild is built beside and swapped in
        "swap_seconds": round(sum(swaps), 2) if swaps else None,
        "due_rows": after[0],
        "same_due_list": before == after,
    }
    progress(f"{place.name}: rebuild {figures}")
    return figures


@contextmanager
def caught_statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The statements executed on `engine` inside the block, with their parameters."""
    caught: list[tuple[str, Any]] = []

    def catch(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        caught.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", catch)
    try:
        yield caught
    finally:
        sa.event.remove(engine, "before_cursor_execute", catch)


def sweep_plan(place: Installation) -> list[str]:
    """The plan of the sweep's query (its first statement), as the database explains it."""
    with caught_statements(place.engine) as caught:
        place.reminders.sweep(NOW)
    statement, parameters = caught[0]
    assert "due_reminders" in statement
    with place.engine.connect() as conn:
        driver = conn.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()
        if place.engine.dialect.name == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            lines = [str(r[3]) for r in cursor.fetchall()]
        else:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            lines = [str(r[0]) for r in cursor.fetchall()]
            cursor.execute(
                "SELECT n_live_tup, n_mod_since_analyze, last_analyze, last_autoanalyze"
                " FROM pg_stat_user_tables WHERE relname = 'due_reminders'"
            )
            live, changed, analyzed, autoanalyzed = cursor.fetchone()
            lines.append(
                f"statistics of due_reminders: {live} rows, {changed} changed since analysed;"
                f" last ANALYZE {analyzed}, last autoanalyze {autoanalyzed}"
            )
        cursor.close()
    progress(f"{place.name}: the sweep's query plan\n    " + "\n    ".join(lines))
    return lines


def analyze(place: Installation) -> None:
    """PostgreSQL's statistics of the tables the sweep reads, brought up to date now (the
    autovacuum daemon does it in its own time)."""
    with place.engine.begin() as conn:
        conn.execute(sa.text("ANALYZE due_reminders, users, cases"))
    progress(f"{place.name}: ANALYZE due_reminders, users, cases")


def nothing_due(
    both: tuple[Installation, Installation],
    label: str,
    plans: dict[str, list[str]],
    rounds: int,
    budget_s: float,
) -> dict[str, Any]:
    """Ticks with nothing due at both sizes, their ratio, and the plans (into `plans`)."""
    figures = {}
    for place in both:
        plans[f"{place.name}_{label}"] = sweep_plan(place)
        figures[place.name] = time_nothing_due(place, rounds, budget_s)
    return {
        **figures,
        "ratio_sweep": ratio(figures["large"], figures["small"], "sweep_median_ms"),
        "ratio_tick": ratio(figures["large"], figures["small"], "tick_median_ms"),
    }


CANDIDATE_INDEX = "ix_bench_due_reminders_waiting"


def add_candidate_index(place: Installation) -> str:
    """What if (on the benchmark's own database only): the due list indexed by day among
    the reminders not yet notified, a partial index, as a migration would add it."""
    waiting = sa.column("notified", sa.Boolean).is_(False)
    where = waiting.compile(dialect=place.engine.dialect, compile_kwargs={"literal_binds": True})
    ddl = f"CREATE INDEX {CANDIDATE_INDEX} ON due_reminders (due_on) WHERE {where}"
    with events.write_transaction(place.engine) as conn:
        conn.execute(sa.text(ddl))
    progress(f"{place.name}: {ddl}")
    return ddl


def due_list_indexes(engine: Engine) -> list[str]:
    """The indexes of the due list that begin with its day."""
    return sorted(
        str(index["name"])
        for index in sa.inspect(engine).get_indexes("due_reminders")
        if index["column_names"][:1] == ["due_on"]
    )


def ratio(large: dict[str, Any], small: dict[str, Any], key: str) -> float:
    return round(float(large[key]) / float(small[key]), 2)


# -- the run -----------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    return {
        **concurrency.machine(),
        "sqlite": sqlite3.sqlite_version,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="the large installation")
    parser.add_argument("--small", type=int, default=1_000, help="the small installation")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--ticks", type=int, default=200, help="rounds of nothing-due ticks")
    parser.add_argument("--tick-budget", type=float, default=20.0, help="seconds per size")
    parser.add_argument(
        "--due",
        default=",".join(str(n) for n in DUE_BATCHES),
        help="the N of the due batches, comma-separated",
    )
    parser.add_argument("--due-rounds", type=int, default=3, help="rounds of each N due")
    parser.add_argument("--skip-rebuild", action="store_true")
    parser.add_argument(
        "--skip-what-if", action="store_true", help="no run with the candidate index"
    )
    args = parser.parse_args()
    batches = [int(n) for n in args.due.split(",") if n]
    rng = random.Random(11)
    result: dict[str, Any] = {
        "database": args.database,
        "now": NOW.isoformat(timespec="seconds"),
        "machine": machine(),
    }
    progress(f"now is {result['now']}; {args.database}; machine {result['machine']}")
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sweep-bench-")))
        small_url, large_url = stack.enter_context(databases(args.database, folder))
        small, small_seed_s = stack.enter_context(
            installation("small", small_url, folder, args.small, rng)
        )
        large, large_seed_s = stack.enter_context(
            installation("large", large_url, folder, args.cases, rng)
        )
        both = (small, large)
        result["seeded"] = {
            place.name: {
                "cases": place.cases,
                "events": place.events,
                "due_rows": count_rows(place.engine),
                "seconds": round(seconds, 1),
                "events_per_s": round(place.events / seconds),
            }
            for place, seconds in ((small, small_seed_s), (large, large_seed_s))
        }
        plans: dict[str, list[str]] = {}
        postgres = args.database == "postgresql"
        ticks = (args.ticks, args.tick_budget)

        # 1. nothing due, nothing ever sent
        result["nothing_due"] = nothing_due(both, "before", plans, *ticks)
        if postgres:  # and with the statistics up to date
            for place in both:
                analyze(place)
            result["nothing_due_analyzed"] = nothing_due(both, "before_analyzed", plans, *ticks)

        # 2. N due, at the large size, in interleaved rounds (the median kept); the small
        # one gets the same share sent
        rounds: dict[int, list[dict[str, Any]]] = {n: [] for n in batches}
        for turn in range(args.due_rounds):
            progress(f"due reminders, round {turn + 1} of {args.due_rounds}")
            for n in batches:
                rounds[n].append(send_due(large, n, rng))
        sends = [due_figures(n, rounds[n]) for n in batches]
        sent = sum(batches) * args.due_rounds
        share = max(1, round(sent * args.small / args.cases)) if batches else 0
        per_reminder = [s["ms_per_reminder"] for s in sends]
        result["due"] = {
            "rounds": args.due_rounds,
            "large": sends,
            "small": [send_due(small, share, rng)] if share else [],
            "ms_per_reminder_max_over_min": (
                round(max(per_reminder) / min(per_reminder), 2) if per_reminder else None
            ),
        }

        # 3. nothing due again: what was sent stays in the due list, overdue and notified
        after = nothing_due(both, "after_sends", plans, *ticks)
        overdue = {p.name: count_rows(p.engine, due_reminders.c.due_on <= TODAY) for p in both}
        extra_rows = overdue["large"] - overdue["small"]
        extra_ms = after["large"]["sweep_median_ms"] - after["small"]["sweep_median_ms"]
        after["overdue_notified_rows"] = overdue
        after["sweep_us_per_overdue_row"] = (
            round(extra_ms * 1000 / extra_rows, 2) if extra_rows > 0 else None
        )
        result["nothing_due_after_sends"] = after
        if postgres:
            for place in both:
                analyze(place)
            result["nothing_due_after_sends_analyzed"] = nothing_due(
                both, "after_sends_analyzed", plans, *ticks
            )

        # 4. the reminders projection rebuilt at the large size
        result["rebuild_reminders"] = None if args.skip_rebuild else rebuild(large)

        # 5. what if the due list had an index of the reminders still waiting
        indexes = due_list_indexes(large.engine)
        result["due_list_indexes"] = indexes
        waiting = [name for name in indexes if name != "ix_due_reminders_due_on"]
        if waiting:
            progress(f"the due list has an index by day besides ix_due_reminders_due_on: {waiting}")
            result["what_if_candidate_index"] = f"not run: {', '.join(waiting)} exists"
        elif not args.skip_what_if:
            ddl = ""
            for place in both:
                ddl = add_candidate_index(place)
            result["what_if_candidate_index"] = {
                "ddl": ddl,
                **nothing_due(both, "candidate_index", plans, *ticks),
            }
        result["plans"] = plans
        result["cases"] = {p.name: p.cases for p in both}
        result["events"] = {p.name: p.events for p in both}
    result["total_s"] = round(time.perf_counter() - STARTED, 1)
    progress(f"done in {result['total_s']} s")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
