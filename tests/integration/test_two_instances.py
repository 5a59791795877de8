"""Two real `coordination serve` processes on one PostgreSQL database, as production runs them
behind a proxy: they start at the same moment on an empty database, and a user moved from one
to the other mid-session keeps their session, their form's CSRF token and its one-time token,
and meets the same login throttle; an API token's requests spread over both meet one rate
limit."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

import events
from coordination.accounts.insatser import Insatser
from coordination.accounts.service import Accounts
from coordination.accounts.throttle import ACCOUNT_LOCKED
from coordination.accounts.tokens import AccessTokens
from coordination.cases.tables import cases
from coordination.shared import database as db
from coordination.shared.vocabulary import InsatsType, Part, Role, TokenScope
from tests.serving import COMMAND, free_port, wait_until_up

PASSWORD = "ett-langt-losenord"
API_RATE = 4
REPOSITORY = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Instance:
    address: str
    process: subprocess.Popen[bytes]


@contextmanager
def instance(env: dict[str, str], data_dir: Path) -> Iterator[Instance]:
    """`coordination serve` in a process of its own."""
    data_dir.mkdir()
    port = free_port()
    log_path = data_dir / "service.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*COMMAND, "serve"],
            env={**env, "SAMORDNA_DATA_DIR": str(data_dir), "SAMORDNA_PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            address = f"http://127.0.0.1:{port}"
            wait_until_up(address, process, log_path)
            yield Instance(address, process)
        finally:
            process.terminate()
            process.wait(timeout=20)


@pytest.fixture
def two_instances(postgres_database_url: str, tmp_path: Path) -> Iterator[list[Instance]]:
    """Two instances on one database that was empty when they started, with the
    installation's shared secrets in their environment; then a team with a samordnare and an
    insats."""
    env = {
        **os.environ,
        "SAMORDNA_DATABASE_URL": postgres_database_url,
        "SAMORDNA_SECRET_KEY": secrets.token_urlsafe(48),
        "SAMORDNA_MASTER_KEY": events.generate_master_key(),
        "SAMORDNA_API_RATE_PER_MINUTE": str(API_RATE),
    }
    with ExitStack() as running:
        # `migrate` and the first instance start at the same moment on the empty database
        # (test_migrations.py starts three at once)
        first = subprocess.Popen([*COMMAND, "migrate"], env=env)
        instances = [
            running.enter_context(instance(env, tmp_path / "a")),
            running.enter_context(instance(env, tmp_path / "b")),
        ]
        assert first.wait(timeout=120) == 0
        engine = db.connect(postgres_database_url)
        team = Accounts(engine).create_team("Teamet")
        Accounts(engine).create_user(
            team, "Samordnaren", "samordnare@test", Part.KOMMUN, Role.COORDINATOR, PASSWORD
        )
        Insatser(engine).add_insats(
            team, "Steget", InsatsType.REHABILITATION, date.today() - timedelta(days=90), None
        )
        engine.dispose()
        yield instances


def log_in(client: httpx.Client, address: str, password: str = PASSWORD) -> httpx.Response:
    client.get(f"{address}/logga-in")
    return client.post(
        f"{address}/logga-in",
        data={
            "email": "samordnare@test",
            "password": password,
            "_csrf_token": client.cookies.get("csrftoken") or "",
        },
    )


def test_a_user_moves_between_two_instances_mid_session(
    two_instances: list[Instance], postgres_database_url: str
) -> None:
    a, b = (i.address for i in two_instances)
    with httpx.Client(timeout=30) as client:
        assert log_in(client, a).status_code in (302, 303)
        team_page = client.get(f"{b}/")  # the session made by A
        assert team_page.status_code == 200 and "Samordnaren" in team_page.text

        form = client.get(f"{b}/remisser/ny").text
        once = re.search(r'name="once" value="([^"]+)"', form)
        assert once
        referral = {
            "from_part": "FK",
            "from_caseworker": "Remitterande Handläggare",
            "reason": "Långvarig sjukskrivning",
            "referral_date": date.today().isoformat(),
            "once": once.group(1),
            "_csrf_token": client.cookies.get("csrftoken") or "",
        }
        # the form from B sent to A, then sent again to B (a double click across the proxy)
        sent_to_a = client.post(f"{a}/remisser/ny", data=referral)
        sent_to_b = client.post(f"{b}/remisser/ny", data=referral)
        assert sent_to_a.status_code == sent_to_b.status_code == 302
        assert sent_to_a.headers["location"] == sent_to_b.headers["location"]
        assert client.get(f"{a}{sent_to_b.headers['location']}").status_code == 200

        assert client.post(
            f"{b}/logga-ut", data={"_csrf_token": client.cookies.get("csrftoken") or ""}
        ).status_code in (302, 303)
        assert client.get(f"{a}/").headers.get("location", "").endswith("/logga-in")

    engine = db.connect(postgres_database_url)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(cases)).scalar_one() == 1
    engine.dispose()

    # wrong passwords spread over both instances count together
    with httpx.Client(timeout=30) as guesser:
        for attempt in range(5):
            refused = log_in(guesser, (a, b)[attempt % 2], password="fel-losenord-123")
            assert refused.status_code == 422
        locked = log_in(guesser, a)
        assert ACCOUNT_LOCKED in locked.text

    # an API token's requests spread over both instances count against one limit
    engine = db.connect(postgres_database_url)
    account = Accounts(engine).account_by_email("samordnare@test")
    assert account is not None
    coordinator = account.user
    now = datetime.now(UTC)
    token = AccessTokens(engine).create(
        coordinator, "Skript", TokenScope.READ, now + timedelta(days=1), now
    )
    engine.dispose()
    with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {token}"}) as script:
        answers = [script.get(f"{(a, b)[n % 2]}/api/v1/cases") for n in range(API_RATE + 2)]
    assert [answer.status_code for answer in answers] == [200] * API_RATE + [429, 429]
    assert int(answers[-1].headers["retry-after"]) >= 1


@contextmanager
def proxy(instances: list[Instance], home: Path) -> Iterator[str]:
    """The repository's Caddyfile, run by Caddy in front of the instances."""
    caddy = shutil.which("caddy")
    if caddy is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the proxy test: install Debian's caddy (.ci/run does)")
        pytest.skip("caddy is not installed (apt-get install caddy)")
    port = free_port()
    env = {
        **os.environ,
        "HOME": str(home),
        "PROXY_PORT": str(port),
        "SAMORDNA_INSTANCES": " ".join(i.address.removeprefix("http://") for i in instances),
    }
    log_path = home / "caddy.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [caddy, "run", "--config", str(REPOSITORY / "Caddyfile"), "--adapter", "caddyfile"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            address = f"http://127.0.0.1:{port}"
            wait_until_up(address, process, log_path)
            yield address
        finally:
            process.terminate()
            process.wait(timeout=20)


def test_behind_the_proxy_one_instance_may_stop(
    two_instances: list[Instance], tmp_path: Path
) -> None:
    with proxy(two_instances, tmp_path) as address, httpx.Client(timeout=30) as client:
        assert log_in(client, address).status_code in (302, 303)
        for _ in range(4):  # round robin: both instances answer in turn
            assert client.get(f"{address}/").status_code == 200
        two_instances[0].process.terminate()
        two_instances[0].process.wait(timeout=20)
        for _ in range(4):  # the proxy tries the other
            page = client.get(f"{address}/")
            assert page.status_code == 200 and "Samordnaren" in page.text
