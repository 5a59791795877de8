"""Inställningar: access tokens (made, shown once, listed, revoked), their rate limit on the
API, `coordination create-token`, and the calendar feed of one's network meetings."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
import time_machine
import vobject
from litestar import Litestar, Request, get
from litestar.testing import TestClient

from coordination import cli
from coordination.accounts.tables import api_tokens, users
from coordination.accounts.tokens import TOKEN_PREFIX
from coordination.app import create_app
from coordination.cases.tables import read_audit
from coordination.config import ConfigurationError, load_settings
from coordination.shared.access import User
from coordination.shared.clock import TEAM_TIMEZONE
from coordination.shared.vocabulary import TokenScope
from tests.web.support import (
    NOW,
    PERSONNUMMER,
    TODAY,
    client_for,
    csrf,
    enrolled_case,
    team_of,
)
from tests.web.test_case_journey import schedule

TOKENS = "/installningar/atkomsttokens"


def days_ahead(days: int) -> str:
    return (TODAY + timedelta(days=days)).isoformat()


def once_of(page: str) -> str:
    found = re.search(r'name="once" value="([^"]+)"', page)
    assert found
    return found.group(1)


def token_form(client: TestClient[Any], **fields: str) -> dict[str, str]:
    """The token form as Inställningar draws it, filled in."""
    page = client.get("/installningar").text
    return {
        "once": once_of(page),
        "name": "Rapportskript",
        "scope": "read",
        "expires_on": days_ahead(30),
        **fields,
        **csrf(client),
    }


def new_token(client: TestClient[Any], **fields: str) -> Any:
    return client.post(TOKENS, data=token_form(client, **fields))


def token_in(page: str) -> str:
    found = re.search(rf'value="({TOKEN_PREFIX}[^"]+)"', page)
    assert found, page
    return found.group(1)


def user_of(app: Litestar, email: str) -> User:
    services = app.state.services
    found: User = next(
        u for u in services.accounts.team_users(team_of(app, email)) if u.email == email
    )
    return found


def token_ids(app: Litestar, email: str) -> list[str]:
    """The user's tokens (their account open or closed)."""
    with app.state.services.engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(api_tokens.c.id)
                .join(users, users.c.id == api_tokens.c.user_id)
                .where(users.c.email == email)
            ).scalars()
        )


# -- tokens on Inställningar ---------------------------------------------------------------


def test_a_token_is_shown_once_and_then_listed_without_it(app: Litestar) -> None:
    client = client_for(app, "analytiker@test")  # every role may have tokens
    made = new_token(client)
    assert made.status_code == 200, made.text
    token = token_in(made.text)
    assert token.startswith(TOKEN_PREFIX)
    assert "Kopiera den nu: den visas bara den här gången." in made.text
    listed = client.get("/installningar").text
    assert token not in listed
    row = re.search(r"<td>Rapportskript</td>.*?</tr>", listed, re.S)
    assert row, listed
    for shown in ("Läsa", NOW.strftime("%Y-%m-%d"), days_ahead(30), "Aldrig använd", "Gäller"):
        assert shown in row.group(0), shown
    found = app.state.services.tokens.authenticate(token, datetime.now(TEAM_TIMEZONE))
    assert found is not None and found[0].email == "analytiker@test"
    assert found[1].scope.value == "read"


WRONG_FIELDS = [
    ({"expires_on": days_ahead(-1)}, "expires_on", "Välj ett datum efter i dag"),
    ({"expires_on": TODAY.isoformat()}, "expires_on", "Välj ett datum efter i dag"),
    ({"expires_on": days_ahead(366)}, "expires_on", "En token får gälla högst ett år"),
    ({"expires_on": "9999-12-31"}, "expires_on", "En token får gälla högst ett år"),
    ({"expires_on": "2026-02-30"}, "expires_on", "Ange ett datum som ÅÅÅÅ-MM-DD."),
    ({"name": "  "}, "name", "Ge token ett namn"),
    ({"name": "x" * 201}, "name", "Skriv högst 200 tecken"),
    ({"scope": "admin"}, "scope", "Välj ett av alternativen."),
]


def test_a_wrong_field_comes_back_with_its_message_and_the_input_kept(app: Litestar) -> None:
    client = client_for(app, "fk@test")
    for fields, field, message in WRONG_FIELDS:
        answer = new_token(client, **{"name": "Mitt skript", **fields})
        assert answer.status_code == 422, fields
        assert f'<p class="error" id="{field}-fel">{message}' in answer.text, fields
        if field != "name":
            assert 'value="Mitt skript"' in answer.text
        if field == "expires_on":
            assert f'value="{fields["expires_on"]}"' in answer.text
        assert TOKEN_PREFIX not in answer.text
    assert token_ids(app, "fk@test") == []


def test_a_year_ahead_is_the_longest_and_the_default_is_ninety_days(app: Litestar) -> None:
    client = client_for(app, "fk@test")
    assert f'value="{days_ahead(90)}"' in client.get("/installningar").text
    assert new_token(client, expires_on=days_ahead(365)).status_code == 200


def test_the_same_form_sent_twice_makes_one_token(app: Litestar) -> None:
    client = client_for(app, "fk@test")
    data = token_form(client, scope="write")
    first = client.post(TOKENS, data=data)
    second = client.post(TOKENS, data=data)
    assert first.status_code == second.status_code == 200
    assert TOKEN_PREFIX in first.text and TOKEN_PREFIX not in second.text
    assert "Token skapades redan" in second.text
    assert len(token_ids(app, "fk@test")) == 1


def test_revoking_ends_the_token_and_a_second_click_changes_nothing(app: Litestar) -> None:
    client = client_for(app, "ledare@test")
    token = token_in(new_token(client).text)
    (token_id,) = token_ids(app, "ledare@test")
    revoke = f"{TOKENS}/{token_id}/aterkalla"
    first = client.post(revoke, data=csrf(client))
    assert first.status_code == 200
    assert "Token «Rapportskript» är återkallad" in first.text
    assert "Återkallad " in first.text
    assert app.state.services.tokens.authenticate(token, datetime.now(TEAM_TIMEZONE)) is None
    again = client.post(revoke, data=csrf(client))
    assert again.status_code == 200
    assert "Token «Rapportskript» var redan återkallad." in again.text


def test_another_users_token_is_not_found_and_stays(app: Litestar) -> None:
    owner = client_for(app, "fk@test")
    token = token_in(new_token(owner).text)
    (token_id,) = token_ids(app, "fk@test")
    stranger = client_for(app, "af@test")
    for token_path in (token_id, "finns-inte"):
        answer = stranger.post(f"{TOKENS}/{token_path}/aterkalla", data=csrf(stranger))
        assert answer.status_code == 404
        assert "Du har ingen sådan åtkomsttoken." in answer.text
    assert app.state.services.tokens.authenticate(token, datetime.now(TEAM_TIMEZONE))


def test_revoking_needs_the_forms_csrf_token(app: Litestar) -> None:
    client = client_for(app, "fk@test")
    token = token_in(new_token(client).text)
    (token_id,) = token_ids(app, "fk@test")
    answer = client.post(f"{TOKENS}/{token_id}/aterkalla")
    assert answer.status_code == 403
    assert app.state.services.tokens.authenticate(token, datetime.now(TEAM_TIMEZONE))


def test_with_htmx_the_forms_answer_with_the_section_to_swap(app: Litestar) -> None:
    client = client_for(app, "fk@test")
    client.headers["HX-Request"] = "true"
    made = new_token(client)
    assert made.status_code == 200
    assert "<html" not in made.text and 'id="atkomsttokens"' in made.text
    assert TOKEN_PREFIX in made.text
    wrong = new_token(client, expires_on=days_ahead(-3))
    assert wrong.status_code == 422
    assert "<html" not in wrong.text and "Välj ett datum efter i dag" in wrong.text
    (token_id,) = token_ids(app, "fk@test")
    revoked = client.post(f"{TOKENS}/{token_id}/aterkalla", data=csrf(client))
    assert revoked.status_code == 200 and "<html" not in revoked.text
    assert "är återkallad" in revoked.text


# -- the token on the API, and its rate limit ----------------------------------------------


@get("/api/test/vem", sync_to_thread=False)
def whoami(request: Request[User, Any, Any]) -> dict[str, str]:
    """A stand-in for the API (built on another branch): who the token is."""
    return {"email": request.user.email}


@pytest.fixture
def limited(app: Litestar) -> Litestar:
    """The app again on the same database, 3 requests a minute per token, with an API route."""
    services = app.state.services
    settings = replace(services.settings, api_rate_per_minute=3)
    again = create_app(settings, services.engine)
    again.register(whoami)
    return again


def api_token(app: Litestar, email: str) -> str:
    services = app.state.services
    life = NOW + timedelta(days=30)
    token: str = services.tokens.create(user_of(app, email), "Skript", TokenScope.READ, life, NOW)
    return token


def test_a_token_opens_the_api_and_its_use_is_shown(limited: Litestar) -> None:
    token = api_token(limited, "fk@test")
    with TestClient(limited) as anyone:
        answer = anyone.get("/api/test/vem", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.json() == {"email": "fk@test"}
    listed = client_for(limited, "fk@test").get("/installningar").text
    assert "Aldrig använd" not in listed


def test_too_many_requests_are_refused_until_the_minute_has_passed(limited: Litestar) -> None:
    token, other = api_token(limited, "fk@test"), api_token(limited, "af@test")
    with TestClient(limited) as anyone:

        def ask(which: str) -> Any:
            return anyone.get("/api/test/vem", headers={"Authorization": f"Bearer {which}"})

        with time_machine.travel(NOW, tick=False) as traveller:
            for _ in range(3):
                assert ask(token).status_code == 200
                traveller.shift(timedelta(seconds=10))
            refused = ask(token)
            assert refused.status_code == 429
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert refused.headers["retry-after"] == "30"  # the first is a minute old then
            problem = refused.json()
            assert problem["status"] == 429
            assert problem["title"] == "För många förfrågningar"
            assert problem["detail"].startswith("För många förfrågningar")
            assert "högst 3 i minuten" in problem["detail"]
            assert ask(other).status_code == 200  # per token: another is not held up
            traveller.shift(timedelta(seconds=30))
            assert ask(token).status_code == 200  # the first request left the window
            assert ask(token).status_code == 429  # the second has not yet


def test_the_rate_is_configured_in_the_environment(tmp_path: Any) -> None:
    base = {"SAMORDNA_DATA_DIR": str(tmp_path)}
    assert load_settings(base).api_rate_per_minute == 120
    found = load_settings({**base, "SAMORDNA_API_RATE_PER_MINUTE": "30"})
    assert found.api_rate_per_minute == 30
    with pytest.raises(ConfigurationError):
        load_settings({**base, "SAMORDNA_API_RATE_PER_MINUTE": "0"})


# -- the command line ----------------------------------------------------------------------


@pytest.fixture
def command_line(app: Litestar, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = app.state.services.settings
    monkeypatch.setenv("SAMORDNA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SAMORDNA_DATABASE_URL", str(settings.database_url))


def test_create_token_prints_the_token_once_for_a_script(
    app: Litestar, command_line: None, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.main(["create-token", "--email", "FK@test", "--scope", "write", "--name", "Export"])
    out, err = capsys.readouterr()
    token = out.strip()
    assert token.startswith(TOKEN_PREFIX) and "\n" not in token
    assert "«Export»" in err and days_ahead(90) in err and token not in err
    found = app.state.services.tokens.authenticate(token, datetime.now(TEAM_TIMEZONE))
    assert found is not None and found[1].may_write
    (listed,) = app.state.services.tokens.tokens_of(user_of(app, "fk@test"))
    assert listed.name == "Export"


def test_create_token_refuses_unknown_and_closed_accounts(
    app: Litestar, command_line: None
) -> None:
    with pytest.raises(SystemExit, match=r"Ingen användare har e-postadressen ingen@test\."):
        cli.main(["create-token", "--email", "ingen@test", "--scope", "read"])
    services = app.state.services
    with services.engine.begin() as conn:
        conn.execute(sa.update(users).where(users.c.email == "af@test").values(active=False))
    with pytest.raises(SystemExit, match="Kontot af@test är stängt"):
        cli.main(["create-token", "--email", "af@test", "--scope", "read"])
    assert token_ids(app, "af@test") == []


def test_create_token_refuses_a_bad_scope_lifetime_or_name(
    app: Litestar, command_line: None, capsys: pytest.CaptureFixture[str]
) -> None:
    for arguments in (
        ["--scope", "admin"],
        ["--scope", "read", "--days", "366"],
        ["--scope", "read", "--days", "0"],
        ["--scope", "read", "--name", " "],
    ):
        with pytest.raises(SystemExit) as refused:
            cli.main(["create-token", "--email", "fk@test", *arguments])
        assert refused.value.code == 2
        assert "create-token: error: argument" in capsys.readouterr().err
    assert token_ids(app, "fk@test") == []


# -- the calendar feed ---------------------------------------------------------------------


def subscribe(client: TestClient[Any]) -> str:
    """The feed's address (its path) as Inställningar shows it, once."""
    answer = client.post("/installningar/kalender", data=csrf(client))
    assert answer.status_code == 200, answer.text
    found = re.search(r'value="https?://[^/"]+(/kalender/[^"]+\.ics)"', answer.text)
    assert found, answer.text
    return found.group(1)


def reads(app: Litestar) -> int:
    with app.state.services.engine.connect() as conn:
        found: int = conn.execute(sa.select(sa.func.count()).select_from(read_audit)).scalar_one()
    return found


def at(days: int, hour: int) -> datetime:
    return datetime.combine(TODAY + timedelta(days=days), time(hour))


def test_the_feed_holds_the_meetings_one_is_invited_to_and_nothing_personal(
    app: Litestar,
) -> None:
    """Seen 35 days on: the meetings of the last 30 days and those to come to which the
    user is invited, each with its case code, times, form and link, nothing personal."""
    coordinator = client_for(app, "samordnare@test")
    case_id = enrolled_case(coordinator)
    me, colleague = user_of(app, "samordnare@test"), user_of(app, "kommun@test")
    for starts, invitee in (
        (at(1, 9), me),  # 34 days before the feed is read: too long ago
        (at(20, 10), me),
        (at(3, 13), colleague),
        (at(50, 14), me),
    ):
        answer = schedule(coordinator, case_id, starts, invitee_ids=[invitee.id], mode="video")
        assert answer.status_code == 200, answer.text
    path = subscribe(coordinator)
    read_before = reads(app)
    with time_machine.travel(NOW + timedelta(days=35)), TestClient(app) as calendar_program:
        feed = calendar_program.get(path)  # no session
    assert feed.status_code == 200, feed.text
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    code = app.state.services.cases.case(case_id).case_code
    parsed = vobject.readOne(feed.text)
    events = sorted(parsed.vevent_list, key=lambda e: e.dtstart.value)
    assert [e.dtstart.value.astimezone(TEAM_TIMEZONE).replace(tzinfo=None) for e in events] == [
        at(20, 10),
        at(50, 14),
    ]
    for event in events:
        assert event.summary.value == f"Nätverksmöte {code}"
        assert f"/arenden/{case_id}/moten/" in event.description.value
        assert "video" in event.description.value
    for personal in ("Testa Deltagarsson", PERSONNUMMER, "Rum 3", "Planen"):
        assert personal not in feed.text
    assert reads(app) == read_before  # nothing personal shown: no Läslogg entry


def test_the_feed_leaves_out_cases_the_user_no_longer_sees(app: Litestar) -> None:
    coordinator = client_for(app, "samordnare@test")
    case_id = enrolled_case(coordinator)
    worker = user_of(app, "kommun@test")
    schedule(coordinator, case_id, at(3, 10), invitee_ids=[worker.id])
    path = subscribe(client_for(app, "kommun@test"))
    with TestClient(app) as calendar_program:
        assert "SUMMARY:Nätverksmöte" in calendar_program.get(path).text
        # moved to another team: the case is no longer theirs to see
        with app.state.services.engine.begin() as conn:
            conn.execute(
                sa.update(users)
                .where(users.c.id == worker.id)
                .values(team_id=team_of(app, "granne@test"))
            )
        answer = calendar_program.get(path)
    assert answer.status_code == 200
    assert "SUMMARY:" not in answer.text


def test_an_unknown_replaced_or_revoked_address_is_not_found(app: Litestar) -> None:
    client = client_for(app, "fk@test")
    first = subscribe(client)
    settings = client.get("/installningar").text
    assert first not in settings and "Du har en kalenderadress sedan" in settings
    second = subscribe(client)
    with TestClient(app) as calendar_program:
        assert calendar_program.get(first).status_code == 404  # replaced
        assert calendar_program.get(second).status_code == 200
        assert calendar_program.get(second.removesuffix(".ics")).status_code == 404
        assert calendar_program.get("/kalender/okand.ics").status_code == 404
        # nothing else under /kalender/ opens without a session
        assert calendar_program.get(second + "/mer", follow_redirects=False).status_code in (
            302,
            404,
        )
        gone = client.post("/installningar/kalender/aterkalla", data=csrf(client))
        assert "Kalenderadressen är borttagen." in gone.text
        assert calendar_program.get(second).status_code == 404
    again = client.post("/installningar/kalender/aterkalla", data=csrf(client))
    assert again.status_code == 200 and "Du har ingen kalenderadress." in again.text


def test_the_feeds_secret_is_never_in_the_log(
    app: Litestar, caplog: pytest.LogCaptureFixture
) -> None:
    path = subscribe(client_for(app, "fk@test"))
    secret = path.removeprefix("/kalender/").removesuffix(".ics")
    with caplog.at_level(logging.INFO), TestClient(app) as calendar_program:
        assert calendar_program.get(path).status_code == 200
        assert calendar_program.get("/kalender/okand.ics").status_code == 404
    ours = [r for r in caplog.records if r.name.startswith("samordna")]
    assert ours
    for record in ours:
        assert secret not in record.getMessage() and secret not in str(record.__dict__)
    routes = [getattr(r, "fields", {}).get("route") for r in ours]
    assert "/kalender/{feed}" in routes
