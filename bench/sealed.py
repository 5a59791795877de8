"""What sealing the participant's personal data in the read models costs the pages.

Seeds a SQLite file as `pages.py` does (N active cases of about 40 events each, appended
through the store, so every read model is written sealed) and gives 50 of them a network
meeting this week (the team page lists the week's meetings), then measures in one run:

- one sealed field opened (its subject's key already looked up) against the same text read
  as plain JSON, and one subject's key looked up and unwrapped;
- the time a request of each page below spends looking up keys and opening fields;
- the case page and the team page as the samordnare, and the caseload page as the
  teamledare, each with its sealed fields opened as usual and as if they were plain (the
  same values, recorded from one request, handed back with no key looked up and nothing
  decrypted): the ratio is what opening costs the page. The login page of the same app is
  the baseline of every page.

    uv run python bench/sealed.py [--cases 5000] [--requests 30] [--meetings 50]

The last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from datetime import time as dt_time
from typing import Any
from unittest import mock

import sqlalchemy as sa
from litestar.testing import TestClient

import events
from bench.pages import COORDINATOR_EMAIL, log_in, measure, seeded_app
from coordination.accounts.service import Accounts
from coordination.accounts.tables import users
from coordination.app import Services
from coordination.cases import domain as case
from coordination.cases.contract import case_stream, participant_subject
from coordination.cases.tables import cases
from coordination.shared.vocabulary import MeetingMode

TEXT = "Deltagaren har varit på praktik två dagar i veckan och vill fortsätta inom handeln."


def _per_call_us(function: Any, calls: int) -> float:
    """The median over five rounds of one call's time, in microseconds."""
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(calls):
            function()
        rounds.append((time.perf_counter() - started) / calls * 1e6)
    return round(statistics.median(rounds), 2)


def field_costs(services: Services, case_id: str) -> dict[str, float]:
    """Opening one sealed field against reading it as plain JSON; one key's look-up."""
    store, subject = services.cases.store, participant_subject(case_id)
    with store.engine.connect() as conn:
        values = events.SealedValues(store.keyring, conn)
        sealed = values.seal(subject, TEXT)  # the case's key exists: nothing is written
        plain = json.dumps(TEXT).encode()
        values.load([subject])
        open_us = _per_call_us(lambda: values.open(subject, sealed), 20_000)
        plain_us = _per_call_us(lambda: json.loads(plain), 20_000)
        key_us = _per_call_us(
            lambda: events.SealedValues(store.keyring, conn).load([subject]), 1_000
        )
    return {
        "open_field_us": open_us,
        "plain_field_us": plain_us,
        "open_vs_plain": round(open_us / plain_us, 1),
        "key_lookup_us": key_us,
    }


@contextmanager
def recording_opened(opened: dict[bytes, Any]) -> Iterator[None]:
    """Keeps in `opened` every sealed field opened meanwhile, with its value."""
    open_sealed = events.SealedValues.open

    def recording(values: events.SealedValues, subject: str, sealed: bytes | None) -> Any:
        value = open_sealed(values, subject, sealed)
        if sealed is not None:
            opened[sealed] = value
        return value

    with mock.patch.object(events.SealedValues, "open", recording):
        yield


@contextmanager
def timing_opening(spent: list[float]) -> Iterator[None]:
    """Adds to `spent` the seconds spent looking up keys and opening fields meanwhile."""
    load, open_sealed = events.SealedValues.load, events.SealedValues.open

    def timed(method: Any) -> Any:
        def call(*args: Any) -> Any:
            started = time.perf_counter()
            try:
                return method(*args)
            finally:
                spent.append(time.perf_counter() - started)

        return call

    with (
        mock.patch.object(events.SealedValues, "load", timed(load)),
        mock.patch.object(events.SealedValues, "open", timed(open_sealed)),
    ):
        yield


@contextmanager
def as_if_plain(opened: dict[bytes, Any]) -> Iterator[None]:
    """The read models as if they held `opened` in plaintext: the same values read, with
    no key looked up and nothing decrypted."""
    with (
        mock.patch.object(events.SealedValues, "load", lambda self, subjects: None),
        mock.patch.object(
            events.SealedValues,
            "open",
            lambda self, subject, sealed: None if sealed is None else opened[sealed],
        ),
    ):
        yield


def meetings_this_week(services: Services, count: int) -> list[str]:
    """`count` open cases each get a network meeting late today, so that the team page's
    list of the week's meetings has sealed fields to open. Returns those cases' ids."""
    engine, cases_ = services.engine, services.cases
    with engine.connect() as conn:
        team_id = conn.execute(
            sa.select(users.c.team_id).where(users.c.email == COORDINATOR_EMAIL.format(0))
        ).scalar_one()
        case_ids = list(
            conn.execute(
                sa.select(cases.c.case_id)
                .where(cases.c.closed_on.is_(None))
                .order_by(cases.c.case_code)
                .limit(count)
            ).scalars()
        )
    coordinator = next(
        user
        for user in Accounts(engine).team_users(team_id)
        if user.email == COORDINATOR_EMAIL.format(0)
    )
    starts_at = datetime.combine(services.clock.today(), dt_time(23))
    for case_id in case_ids:
        meeting = case.MeetingScheduled(
            str(uuid.uuid4()),
            starts_at,
            60,
            MeetingMode.IN_PERSON,
            "Rum",
            (coordinator.id,),
            True,
            "Arbetsgivaren",
            "Planen",
        )
        version = cases_.store.stream_version(case_stream(case_id))
        cases_.execute(coordinator, case_id, version, case.ScheduleMeeting(meeting))
    return case_ids


def _request_ms(client: TestClient[Any], path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return (time.perf_counter() - started) * 1000


def sealed_and_plain(client: TestClient[Any], path: str, requests: int) -> dict[str, Any]:
    """The page as it is and as if its fields were plain, request by request in turn, so
    that both see the same moments of a busy machine."""
    opened: dict[bytes, Any] = {}
    with recording_opened(opened):
        client.get(path)  # also the warm-up
    sealed, plain = [], []
    for _ in range(requests):
        sealed.append(_request_ms(client, path))
        with as_if_plain(opened):
            plain.append(_request_ms(client, path))
    opening = []
    for _ in range(requests):
        spent: list[float] = []
        with timing_opening(spent):
            client.get(path)
        opening.append(sum(spent) * 1e6)
    median_sealed, median_plain = statistics.median(sealed), statistics.median(plain)
    return {
        "opening_us": round(statistics.median(opening)),
        "sealed_median_ms": round(median_sealed, 2),
        "plain_median_ms": round(median_plain, 2),
        "sealed_vs_plain": round(median_sealed / median_plain, 3),
        "fields_opened": len(opened),
    }


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--meetings", type=int, default=50, help="meetings this week")
    args = parser.parse_args()
    with seeded_app(args.cases) as (app, seeded):
        services: Services = app.state.services
        case_id = meetings_this_week(services, args.meetings)[0]
        with TestClient(app) as anonymous:
            baseline = measure(anonymous, "/logga-in", args.requests)
        with TestClient(app) as coordinator, TestClient(app) as leader:
            log_in(coordinator, COORDINATOR_EMAIL.format(0))
            log_in(leader, "ledare@bench")
            pages = {
                "case_page": sealed_and_plain(coordinator, f"/arenden/{case_id}", args.requests),
                "team_page": sealed_and_plain(coordinator, "/", args.requests),
                "caseload_page": sealed_and_plain(leader, "/arbetsbelastning", args.requests),
            }
        for figures in pages.values():
            figures["sealed_vs_baseline"] = round(
                figures["sealed_median_ms"] / baseline["median_ms"], 1
            )
        result = {**seeded, "baseline": baseline, **field_costs(services, case_id), **pages}
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
