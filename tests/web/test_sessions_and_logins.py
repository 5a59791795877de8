"""Logging in and staying signed in safely: password guesses are throttled per account and
per client address (for a while only), and a password change ends the user's other
sessions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from litestar import Litestar
from litestar.testing import TestClient

from coordination.accounts.service import LoginRefused
from coordination.accounts.throttle import (
    ACCOUNT_FAILURES,
    ACCOUNT_WINDOW,
    CLIENT_FAILURES,
    CLIENT_WINDOW,
)
from tests.web.support import NOW, PASSWORD, client_for, csrf

NEW_PASSWORD = "ett-helt-nytt-losenord"


def log_in(client: TestClient[Any], email: str, password: str) -> Any:
    client.get("/logga-in")
    return client.post(
        "/logga-in",
        data={"email": email, "password": password, **csrf(client)},
        follow_redirects=False,
    )


def change_password(client: TestClient[Any], current: str, new: str = NEW_PASSWORD) -> Any:
    return client.post("/losenord", data={"current": current, "new": new, **csrf(client)})


def later(delay: timedelta) -> Any:
    """The clock moved on from the tests' moment by `delay`."""
    return time_machine.travel(NOW + delay, tick=True)


def test_failed_logins_lock_the_account_for_a_few_minutes_only(app: Litestar) -> None:
    with TestClient(app) as client:
        for _ in range(ACCOUNT_FAILURES):
            assert log_in(client, "af@test", "fel").status_code == 422
        refused = log_in(client, "af@test", PASSWORD)
        assert refused.status_code == 422
        assert "För många felaktiga lösenord för kontot. Vänta 5 minuter" in refused.text
        assert 'value="af@test"' in refused.text
        # Someone else of the team, from another address, still logs in.
        other = app.state.services.accounts.log_in("fk@test", PASSWORD, NOW, "10.0.0.7")
        assert other.email == "fk@test"
    with later(ACCOUNT_WINDOW + timedelta(seconds=30)), TestClient(app) as client:
        assert log_in(client, "af@test", PASSWORD).status_code in (302, 303)


def test_one_password_tried_on_many_accounts_is_stopped_per_client(app: Litestar) -> None:
    with TestClient(app) as client:
        for n in range(CLIENT_FAILURES):
            assert log_in(client, f"person{n}@test", "Sommar2026!").status_code == 422
        refused = log_in(client, "kommun@test", PASSWORD)
        assert refused.status_code == 422
        assert "För många misslyckade inloggningar från din nätverksadress" in refused.text
        assert 'value="kommun@test"' in refused.text
    # The account itself is not locked: from another address its owner logs in.
    accounts = app.state.services.accounts
    assert accounts.log_in("kommun@test", PASSWORD, NOW, "10.0.0.8").email == "kommun@test"
    with pytest.raises(LoginRefused, match="nätverksadress"):
        accounts.log_in("kommun@test", PASSWORD, NOW, "testclient")
    with later(CLIENT_WINDOW + timedelta(seconds=30)), TestClient(app) as client:
        assert log_in(client, "kommun@test", PASSWORD).status_code in (302, 303)


def test_guessing_the_current_password_is_throttled_like_logins(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    for _ in range(ACCOUNT_FAILURES):
        wrong = change_password(client, "gissning-123")
        assert wrong.status_code == 422
        assert "Nuvarande lösenord stämmer inte." in wrong.text
    refused = change_password(client, PASSWORD)
    assert refused.status_code == 422
    assert "För många felaktiga lösenord för kontot. Vänta 5 minuter" in refused.text
    with later(ACCOUNT_WINDOW + timedelta(seconds=30)):
        changed = change_password(client, PASSWORD)
        assert changed.status_code == 200
        assert "Lösenordet är bytt." in changed.text


def test_changing_the_password_ends_the_other_sessions_only(app: Litestar) -> None:
    here = client_for(app, "samordnare@test")
    elsewhere = client_for(app, "samordnare@test")
    colleague = client_for(app, "af@test")
    changed = change_password(here, PASSWORD)
    assert "Lösenordet är bytt." in changed.text
    assert "på andra datorer och i andra webbläsare är du utloggad" in changed.text
    assert here.get("/").status_code == 200
    gone = elsewhere.get("/", follow_redirects=False)
    assert gone.status_code in (302, 303) and gone.headers["location"] == "/logga-in"
    assert colleague.get("/").status_code == 200
    with TestClient(app) as client:
        assert log_in(client, "samordnare@test", PASSWORD).status_code == 422
        assert log_in(client, "samordnare@test", NEW_PASSWORD).status_code in (302, 303)
