"""Sign-on tests against a real OpenID provider: `oidc-provider` (tests/oidc/provider.mjs),
run with Node.js, started once for the session on a free loopback port.

Without Node.js these tests skip, except under CI, where a missing Node is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.serving import free_port, service_environment, wait_until_up

HERE = Path(__file__).resolve().parent
HOW_TO_GET_NODE = (
    "no Node.js: install Node.js 20 or later with npm (apt install nodejs npm); "
    "the tests run `npm ci --prefix tests/oidc` themselves"
)

# The app driven in-process (Litestar's test client) answers at this address.
IN_PROCESS_BASE = "http://samordna.test"

# The provider's accounts: the login typed on its page → the claims it vouches for.
ACCOUNTS = {
    # has an account (tests/web/support.py STAFF) with this email
    "samordnare": {
        "sub": "sub-samordnare",
        "email": "samordnare@test",
        "email_verified": True,
        "name": "Samordnare",
        "groups": [],
    },
    "kommun": {
        "sub": "sub-kommun",
        "email": "kommun@test",
        "email_verified": True,
        "name": "Kommun",
        "groups": [],
    },
    # the email of an account, but not verified: not matched by it
    "overifierad": {
        "sub": "sub-overifierad",
        "email": "af@test",
        "email_verified": False,
        "name": "Overifierad",
        "groups": [],
    },
    # no account anywhere
    "okand": {
        "sub": "sub-okand",
        "email": "okand@test",
        "email_verified": True,
        "name": "Okänd Kollega",
        "groups": [],
    },
    "gruppad": {
        "sub": "sub-gruppad",
        "email": "gruppad@test",
        "email_verified": True,
        "name": "Gruppad Ledare",
        "groups": ["sg-ledare", "sg-fk", "sg-testteamet", "something-else"],
    },
    # the demo's samordnare, for the browser test on `coordination serve --demo`
    "demo": {
        "sub": "sub-demo",
        "email": "samordnare@demo.samordna",
        "email_verified": True,
        "name": "Demo Samordnare",
        "groups": [],
    },
}


def node() -> str:
    found = shutil.which("node")
    if found is None or shutil.which("npm") is None:
        if os.environ.get("CI"):
            pytest.fail(HOW_TO_GET_NODE)
        pytest.skip(HOW_TO_GET_NODE)
    return found


@pytest.fixture(scope="session")
def browser_service_environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Where the real service of the browser test will run: the provider must know it."""
    return service_environment(tmp_path_factory.mktemp("service"))


@pytest.fixture(scope="session")
def provider(
    browser_service_environment: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The provider's issuer address, for the in-process app and the real service."""
    executable = node()
    if not (HERE / "node_modules").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True)
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    real_base = f"http://127.0.0.1:{browser_service_environment['SAMORDNA_PORT']}"
    log_path = tmp_path_factory.mktemp("provider") / "provider.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [executable, str(HERE / "provider.mjs")],
            env={
                **os.environ,
                "PORT": str(port),
                "SAMORDNA_BASE_URL": f"{IN_PROCESS_BASE},{real_base}",
                "OIDC_TEST_ACCOUNTS": json.dumps(ACCOUNTS),
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(issuer, process, log_path, "/.well-known/openid-configuration")
            yield issuer
        finally:
            process.terminate()
            process.wait(timeout=20)


def sign_on_environment(issuer: str, **more: str) -> dict[str, str]:
    """The configuration of an app signing on at the test provider."""
    return {
        "SAMORDNA_OIDC_ISSUER": issuer,
        "SAMORDNA_OIDC_CLIENT_ID": "samordna",
        "SAMORDNA_OIDC_CLIENT_SECRET": "samordna-test-secret",
        "SAMORDNA_OIDC_SCOPES": "openid email profile groups",
        **more,
    }
