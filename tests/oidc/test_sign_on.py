"""Signing on with the organisation's account, against the real provider of conftest.py: the
app in-process (Litestar's test client at http://samordna.test), the provider's pages driven
over HTTP as a browser would (its login form, its redirects, its logout confirmation)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import httpx
import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient

from coordination.accounts import service as accounts_service
from coordination.accounts import sign_on
from coordination.accounts.tables import sessions, users
from coordination.accounts.web import auth
from coordination.shared.vocabulary import Part, Role
from tests.oidc.conftest import IN_PROCESS_BASE, sign_on_environment
from tests.web.support import PASSWORD, build_app, csrf, team_of

Client = TestClient[Litestar]
Response = Any


@pytest.fixture
def make_app(
    provider: str, tmp_path: Path, migrated_sqlite_file: Path
) -> Iterator[Callable[..., Litestar]]:
    """An app (the web tests' team, on a SQLite file of its own, copied from one migrated for
    the run) signing on at the provider, with more configuration as given."""
    made: list[Iterator[Litestar]] = []

    def make(**environment: str) -> Litestar:
        folder = tmp_path / f"app{len(made)}"
        folder.mkdir()
        shutil.copyfile(migrated_sqlite_file, folder / "store.db")
        apps = build_app(
            f"sqlite:///{folder / 'store.db'}",
            folder,
            {
                "SAMORDNA_BASE_URL": IN_PROCESS_BASE,
                **sign_on_environment(provider, **environment),
            },
        )
        made.append(apps)
        return next(apps)

    yield make
    for apps in made:
        next(apps, None)


@pytest.fixture
def app(make_app: Callable[..., Litestar]) -> Litestar:
    return make_app()


@pytest.fixture
def client(app: Litestar) -> Iterator[Client]:
    with TestClient(app, base_url=IN_PROCESS_BASE) as opened:
        yield opened


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    """The browser's side at the provider: its cookies (the provider's session)."""
    with httpx.Client(timeout=10) as opened:
        yield opened


def at_provider(browser: httpx.Client, url: str, login: str) -> str:
    """Through the provider's pages, logging in as `login` when it asks: the address it
    sends the browser back to."""
    response = browser.get(url)
    for _ in range(12):
        if response.is_redirect:
            location = urljoin(str(response.url), response.headers["location"])
            if location.startswith(IN_PROCESS_BASE):
                return location
            response = browser.get(location)
            continue
        form = re.search(r'<form[^>]*action="([^"]+)"', response.text)
        assert form, response.text
        fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', response.text))
        fields.update(login=login, password="vilket-som-helst")
        response = browser.post(urljoin(str(response.url), form.group(1)), data=fields)
    raise AssertionError("the provider never sent the browser back")


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("", "", parts.path, parts.query, ""))


def begin(client: Client, next_page: str = "/") -> str:
    """The provider's authorization address the login button leads to."""
    start = client.get(f"/logga-in/oidc?nasta={next_page}", follow_redirects=False)
    assert start.status_code in (302, 303), start.text
    location: str = start.headers["location"]
    return location


def sign_on_as(
    client: Client,
    browser: httpx.Client,
    login: str,
    tamper: Callable[[str], str] = lambda url: url,
) -> Response:
    """The whole sign-on: the login button, the provider, the callback (not followed)."""
    callback = at_provider(browser, tamper(begin(client)), login)
    return client.get(path_of(callback), follow_redirects=False)


def signed_in(client: Client) -> bool:
    return client.get("/", follow_redirects=False).status_code == 200


def account(app: Litestar, email: str) -> Any:
    with app.state.services.engine.connect() as conn:
        return conn.execute(sa.select(users).where(users.c.email == email)).one()


def test_the_login_page_offers_the_organisations_account(client: Client) -> None:
    page = client.get("/logga-in").text
    assert "Logga in med organisationens konto" in page
    assert 'name="password"' in page  # passwords are on until an administrator says


def test_the_first_sign_on_binds_the_subject_to_the_account_with_the_email(
    app: Litestar, client: Client, browser: httpx.Client
) -> None:
    authorization = urlsplit(begin(client))
    query = parse_qs(authorization.query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    assert "samordnare" not in authorization.query  # no personal data in the address

    answer = sign_on_as(client, browser, "samordnare")
    assert answer.status_code in (302, 303) and answer.headers["location"] == "/"
    assert signed_in(client)
    bound = account(app, "samordnare@test")
    assert (bound.sign_on_issuer, bound.sign_on_subject) == (
        app.state.services.settings.sign_on.issuer,
        "sub-samordnare",
    )

    # Afterwards the subject finds the account, whatever its email has become.
    with app.state.services.engine.begin() as conn:
        conn.execute(
            users.update().where(users.c.id == bound.id).values(email="bytt@test", version=5)
        )
    with TestClient(app, base_url=IN_PROCESS_BASE) as again:
        assert sign_on_as(again, browser, "samordnare").status_code in (302, 303)
        assert signed_in(again)
    with app.state.services.engine.connect() as conn:
        assert (
            conn.execute(
                sa.select(sa.func.count())
                .select_from(sessions)
                .where(sessions.c.user_id == bound.id)
            ).scalar()
            == 2
        )


def test_an_unverified_email_is_not_matched_and_an_unknown_person_is_refused(
    app: Litestar, client: Client, browser: httpx.Client
) -> None:
    for login in ("overifierad", "okand"):
        with httpx.Client(timeout=10) as other_browser:
            answer = sign_on_as(client, other_browser, login)
        assert answer.status_code == 403
        assert accounts_service.NO_ACCOUNT in answer.text
        assert not signed_in(client)
    assert account(app, "af@test").sign_on_subject is None
    with app.state.services.engine.connect() as conn:
        assert conn.execute(sa.select(users).where(users.c.email == "okand@test")).first() is None


def test_a_closed_account_is_refused(app: Litestar, client: Client, browser: httpx.Client) -> None:
    with app.state.services.engine.begin() as conn:
        conn.execute(users.update().where(users.c.email == "kommun@test").values(active=False))
    answer = sign_on_as(client, browser, "kommun")
    assert answer.status_code == 403 and accounts_service.ACCOUNT_CLOSED in answer.text
    assert not signed_in(client)


def test_an_unknown_person_waits_for_a_role_under_the_pending_policy(
    make_app: Callable[..., Litestar], browser: httpx.Client
) -> None:
    app = make_app(SAMORDNA_OIDC_UNKNOWN_USERS="pending", SAMORDNA_OIDC_PENDING_TEAM="Testteamet")
    with TestClient(app, base_url=IN_PROCESS_BASE) as client:
        answer = sign_on_as(client, browser, "okand")
        assert answer.status_code == 403
        assert "Ditt konto väntar på att en administratör ger dig en roll" in answer.text
        assert not signed_in(client)
        made = account(app, "okand@test")
        assert (made.active, made.awaiting_role, made.team_id) == (
            False,
            True,
            team_of(app, "samordnare@test"),
        )
        # Still waiting on the next sign-on, with nothing opened anywhere.
        assert "väntar" in sign_on_as(client, browser, "okand").text
        assert client.get("/admin/anvandare", follow_redirects=False).status_code == 302

    # The administrator sees the account waiting and gives it a part and a role.
    with TestClient(app, base_url=IN_PROCESS_BASE) as admin:
        admin.get("/logga-in")
        admin.post("/logga-in", data={"email": "admin@test", "password": PASSWORD, **csrf(admin)})
        assert "Väntar på roll" in admin.get("/admin/anvandare").text
        saved = admin.post(
            f"/admin/anvandare/{made.id}",
            data={
                "name": made.name,
                "email": made.email,
                "part": "AF",
                "role": "caseworker",
                "active": "on",
                "version": str(made.version),
                **csrf(admin),
            },
            follow_redirects=False,
        )
        assert saved.status_code in (302, 303), saved.text
    with TestClient(app, base_url=IN_PROCESS_BASE) as client:
        assert sign_on_as(client, browser, "okand").status_code in (302, 303)
        assert signed_in(client)


def test_the_groups_claim_gives_team_part_and_role(
    make_app: Callable[..., Litestar], browser: httpx.Client, tmp_path: Path
) -> None:
    mapping = tmp_path / "grupper.json"
    mapping.write_text(
        json.dumps(
            {
                "sg-ledare": {"role": "team_leader"},
                "sg-fk": {"part": "FK"},
                "sg-testteamet": {"team": "Testteamet"},
            }
        )
    )
    app = make_app(SAMORDNA_OIDC_GROUPS_CLAIM="groups", SAMORDNA_OIDC_GROUPS_FILE=str(mapping))
    with TestClient(app, base_url=IN_PROCESS_BASE) as client:
        assert sign_on_as(client, browser, "gruppad").status_code in (302, 303)
        made = account(app, "gruppad@test")
        assert (made.team_id, made.part, made.role, made.active) == (
            team_of(app, "samordnare@test"),
            Part.FK.value,
            Role.TEAM_LEADER.value,
            True,
        )
        assert client.get("/arbetsbelastning").status_code == 200  # a teamledare's page

    # An account whose groups give no role is not let in, whatever it had.
    with TestClient(app, base_url=IN_PROCESS_BASE) as client, httpx.Client() as other:
        answer = sign_on_as(client, other, "samordnare")
        assert answer.status_code == 403 and accounts_service.NO_ROLE in answer.text
        assert not signed_in(client)


def test_a_forged_or_replayed_callback_opens_no_session(
    client: Client, browser: httpx.Client
) -> None:
    # The state changed on the way back.
    callback = at_provider(browser, begin(client), "samordnare")
    forged = callback.replace("state=", "state=x")
    answer = client.get(path_of(forged), follow_redirects=False)
    assert answer.status_code == 400 and sign_on.START_AGAIN in answer.text
    assert not signed_in(client)

    # Another nonce than the one the attempt sent.
    def other_nonce(url: str) -> str:
        parts = urlsplit(url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        query["nonce"] = "en-annan-nonce"
        return urlunsplit(parts._replace(query=urlencode(query)))

    answer = sign_on_as(client, browser, "samordnare", tamper=other_nonce)
    assert answer.status_code == 400 and sign_on.NOT_ACCEPTED in answer.text
    assert not signed_in(client)

    # A good callback works once; the same again does not, even with its cookie back.
    callback = at_provider(browser, begin(client), "samordnare")
    attempt_cookie = client.cookies.get("samordna_sign_on")
    assert client.get(path_of(callback), follow_redirects=False).status_code in (302, 303)
    with TestClient(client.app, base_url=IN_PROCESS_BASE) as thief:
        answer = thief.get(path_of(callback), follow_redirects=False)
        assert answer.status_code == 400 and sign_on.START_AGAIN in answer.text
        thief.cookies.set(
            "samordna_sign_on",
            attempt_cookie or "",
            domain="samordna.test",
            path=sign_on.CALLBACK_PATH,
        )
        answer = thief.get(path_of(callback), follow_redirects=False)
        assert answer.status_code == 400 and sign_on.START_AGAIN in answer.text
        assert not signed_in(thief)


def test_an_administrator_switches_password_login_off(app: Litestar) -> None:
    with TestClient(app, base_url=IN_PROCESS_BASE) as admin:
        admin.get("/logga-in")
        admin.post("/logga-in", data={"email": "admin@test", "password": PASSWORD, **csrf(admin)})
        saved = admin.post("/admin/inloggning", data=csrf(admin), follow_redirects=False)
        assert saved.status_code in (302, 303), saved.text
    with TestClient(app, base_url=IN_PROCESS_BASE) as client:
        page = client.get("/logga-in").text
        assert "Logga in med organisationens konto" in page and 'name="password"' not in page
        answer = client.post(
            "/logga-in", data={"email": "admin@test", "password": PASSWORD, **csrf(client)}
        )
        assert answer.status_code == 422 and auth.PASSWORDS_OFF in answer.text
        assert not signed_in(client)


def test_password_login_stays_on_without_sign_on(tmp_path: Path) -> None:
    apps = build_app(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    app = next(apps)
    app.state.services.accounts.set_local_login(False)  # left from a configuration since removed
    with TestClient(app) as client:
        assert 'name="password"' in client.get("/logga-in").text
        client.post("/logga-in", data={"email": "admin@test", "password": PASSWORD, **csrf(client)})
        assert signed_in(client)
        answer = client.post("/admin/inloggning", data=csrf(client))
        assert answer.status_code == 422 and "kan bara stängas av" in answer.text
    next(apps, None)


def test_logout_ends_the_session_and_goes_on_to_the_providers_logout(
    client: Client, browser: httpx.Client
) -> None:
    sign_on_as(client, browser, "samordnare")
    assert signed_in(client)
    answer = client.post("/logga-ut", data=csrf(client), follow_redirects=False)
    assert answer.status_code == 200
    assert not signed_in(client)
    found = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', answer.text)
    assert found, answer.text
    url = found.group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(client.app.state.services.sign_on.metadata()["end_session_endpoint"])
    assert query["post_logout_redirect_uri"] == [f"{IN_PROCESS_BASE}/logga-in"]
    assert "id_token_hint" not in query  # the ID token names the user: never in an address

    # The provider asks, and sends the browser back to the login page.
    confirm = browser.get(url)
    form = re.search(r'<form[^>]*action="([^"]+)"', confirm.text)
    assert form, confirm.text
    fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', confirm.text))
    back = browser.post(urljoin(str(confirm.url), form.group(1)), data={**fields, "logout": "yes"})
    while back.is_redirect and not back.headers["location"].startswith(IN_PROCESS_BASE):
        back = browser.get(urljoin(str(back.url), back.headers["location"]))
    assert back.headers["location"] == f"{IN_PROCESS_BASE}/logga-in"

    # A password session logs out as before.
    with TestClient(client.app, base_url=IN_PROCESS_BASE) as local:
        local.get("/logga-in")
        local.post("/logga-in", data={"email": "admin@test", "password": PASSWORD, **csrf(local)})
        answer = local.post("/logga-ut", data=csrf(local), follow_redirects=False)
        assert answer.status_code in (302, 303) and answer.headers["location"] == "/logga-in"
