"""Administrators manage the team's users and insatser; stale forms are conflicts."""

from __future__ import annotations

import re
from datetime import date, timedelta

from litestar import Litestar
from litestar.testing import TestClient

from coordination.shared.vocabulary import TokenScope
from tests.web.api_support import token_for
from tests.web.support import (
    PASSWORD,
    TODAY,
    accepted_case,
    client_for,
    csrf,
    enrol,
    version_of,
)


def user_link(page: str, name: str) -> str:
    found = re.search(rf'href="(/admin/anvandare/[0-9a-f-]+)">{name}<', page)
    assert found, name
    return found.group(1)


def new_user(**overrides: str) -> dict[str, str]:
    return {
        "name": "Ny Handläggare",
        "email": "ny@test",
        "part": "REGION",
        "role": "caseworker",
        "password": PASSWORD,
        **overrides,
    }


def test_an_administrator_adds_a_user_who_can_then_log_in(app: Litestar) -> None:
    admin = client_for(app, "admin@test")
    response = admin.post("/admin/anvandare", data={**new_user(), **csrf(admin)})
    assert response.status_code == 200
    assert "Ny Handläggare" in response.text
    assert client_for(app, "ny@test").get("/").status_code == 200


def test_bad_user_input_is_kept_with_messages_and_nothing_stored(app: Litestar) -> None:
    admin = client_for(app, "admin@test")
    response = admin.post(
        "/admin/anvandare",
        data={**new_user(email="inte-en-adress", part="XX", password="kort"), **csrf(admin)},
    )
    assert response.status_code == 422
    assert "Ange en e-postadress" in response.text
    assert "Välj part." in response.text
    assert "minst 10 tecken" in response.text
    assert 'value="inte-en-adress"' in response.text
    assert 'value="Ny Handläggare"' in response.text
    taken = admin.post("/admin/anvandare", data={**new_user(email="af@test"), **csrf(admin)})
    assert "E-postadressen används redan" in taken.text
    assert "Ny Handläggare" not in admin.get("/admin/anvandare").text.split("<h2")[0]


def test_a_team_administrator_gives_no_one_the_forbund_view(app: Litestar) -> None:
    """Analytiker and the förbund's tjänsteperson see every team's statistics: not a role a
    team's administratör may hand out, to a new account or an old one."""
    admin = client_for(app, "admin@test")
    for role in ("analyst", "forbund"):
        refused = admin.post("/admin/anvandare", data={**new_user(role=role), **csrf(admin)})
        assert refused.status_code == 422
        assert "driftansvariga" in refused.text
    link = user_link(admin.get("/admin/anvandare").text, "Af")
    data = {"name": "Af", "email": "af@test", "part": "AF", "active": "on"}
    promoted = admin.post(
        link,
        data={
            **data,
            "version": version_of(admin.get(link).text),
            "role": "forbund",
            **csrf(admin),
        },
    )
    assert promoted.status_code == 422 and "driftansvariga" in promoted.text
    # an analytiker the operator made stays one when the administratör edits the account
    analyst = user_link(admin.get("/admin/anvandare").text, "Analytiker")
    kept = admin.post(
        analyst,
        data={
            "name": "Analytiker",
            "email": "analytiker@test",
            "part": "KOMMUN",
            "role": "analyst",
            "active": "on",
            "version": version_of(admin.get(analyst).text),
            **csrf(admin),
        },
    )
    assert kept.status_code == 200
    assert "ny@test" not in admin.get("/admin/anvandare").text


def test_a_deactivated_user_is_logged_out_at_once(app: Litestar) -> None:
    admin = client_for(app, "admin@test")
    caseworker = client_for(app, "af@test")
    link = user_link(admin.get("/admin/anvandare").text, "Af")
    form = admin.get(link).text
    response = admin.post(
        link,
        data={
            "version": version_of(form),
            "name": "Af",
            "email": "af@test",
            "part": "AF",
            "role": "caseworker",
            **csrf(admin),
        },
    )
    assert response.status_code == 200
    assert "Avstängd" in response.text
    assert caseworker.get("/", follow_redirects=False).status_code in (302, 303)


def test_a_closed_account_keeps_no_token_when_it_is_opened_again(app: Litestar) -> None:
    admin = client_for(app, "admin@test")
    token = token_for(app, "af@test", TokenScope.READ)
    api = TestClient(app)
    assert api.get("/api/v1/cases", headers=token).status_code == 200
    link = user_link(admin.get("/admin/anvandare").text, "Af")
    account = {"name": "Af", "email": "af@test", "part": "AF", "role": "caseworker"}
    closed = admin.post(
        link, data={**account, "version": version_of(admin.get(link).text), **csrf(admin)}
    )
    assert "Avstängd" in closed.text
    opened = admin.post(
        link,
        data={
            **account,
            "active": "on",
            "version": version_of(admin.get(link).text),
            **csrf(admin),
        },
    )
    assert opened.status_code == 200 and "Avstängd" not in opened.text
    assert api.get("/api/v1/cases", headers=token).status_code == 401


def test_two_administrators_editing_one_user_conflict(app: Litestar) -> None:
    first = client_for(app, "admin@test")
    link = user_link(first.get("/admin/anvandare").text, "Fk")
    stale = version_of(first.get(link).text)
    data = {"name": "Fk", "email": "fk@test", "part": "FK", "active": "on"}
    first.post(link, data={**data, "version": stale, "role": "coordinator", **csrf(first)})

    response = first.post(
        link,
        data={**data, "version": stale, "role": "team_leader", "name": "Fk Nytt", **csrf(first)},
    )
    assert response.status_code == 422
    assert "ändrats av någon annan" in response.text
    assert 'value="Fk Nytt"' in response.text
    assert "Samordnare" in first.get("/admin/anvandare").text


def test_only_administrators_manage_users(app: Litestar) -> None:
    leader = client_for(app, "ledare@test")
    response = leader.post("/admin/anvandare", data={**new_user(), **csrf(leader)})
    assert response.status_code == 403
    assert "ny@test" not in client_for(app, "admin@test").get("/admin/anvandare").text


def insats(**overrides: str) -> dict[str, str]:
    return {
        "name": "Jobbspåret",
        "insats_type": "preparatory",
        "active_from": (TODAY - timedelta(days=30)).isoformat(),
        "active_to": "",
        **overrides,
    }


def test_insatser_are_added_checked_and_offered_at_enrolment(app: Litestar) -> None:
    admin = client_for(app, "admin@test")
    bad = admin.post(
        "/admin/insatser",
        data={**insats(name="", active_to="2000-01-01", insats_type="x"), **csrf(admin)},
    )
    assert bad.status_code == 422
    assert "Ange insatsens namn." in bad.text
    assert "Slutdatumet kan inte vara före startdatumet." in bad.text
    assert "Välj ett av alternativen." in bad.text
    assert 'value="2000-01-01"' in bad.text
    assert admin.post("/admin/insatser", data={**insats(), **csrf(admin)}).status_code == 200
    coordinator = client_for(app, "samordnare@test")
    case_id = accepted_case(coordinator)
    page = coordinator.get(f"/arenden/{case_id}").text
    assert "Jobbspåret (Förberedande insatser)" in page


def test_an_insats_must_run_on_the_start_date(app: Litestar) -> None:
    admin = client_for(app, "admin@test")
    later = (TODAY + timedelta(days=30)).isoformat()
    admin.post("/admin/insatser", data={**insats(name="Senare", active_from=later), **csrf(admin)})
    ended = insats(name="Avslutad", active_from="2024-01-01", active_to="2024-12-31")
    admin.post("/admin/insatser", data={**ended, **csrf(admin)})
    coordinator = client_for(app, "samordnare@test")
    case_id = accepted_case(coordinator)
    page = coordinator.get(f"/arenden/{case_id}").text
    # ended ones offered after those running today, with their period, for an earlier start
    # date; one that has not begun is not offered (a start date is never in the future)
    offered = re.findall(r'<option value="[^"]+"[^>]*>([^<]+)</option>', page)
    running = offered.index("Steget vidare (Rehabilitering till arbete/utbildning)")
    assert not [o for o in offered if o.startswith("Senare")]
    assert (
        offered.index("Avslutad (Förberedande insatser; pågick 2024-01-01 – 2024-12-31)") > running
    )
    listed = admin.get("/admin/insatser").text
    senare = re.search(r'href="/admin/insatser/([0-9a-f-]+)">Senare<', listed)
    avslutad = re.search(r'href="/admin/insatser/([0-9a-f-]+)">Avslutad<', listed)
    assert senare and avslutad
    response = enrol(coordinator, case_id, page, insats_id=senare.group(1))
    assert response.status_code == 422
    assert f"Insatsen pågår inte på startdatumet: den pågår {later} – tills vidare." in (
        response.text
    )
    earlier = accepted_case(coordinator, referred_on=date(2024, 5, 20))
    back_registered = enrol(
        coordinator, earlier, insats_id=avslutad.group(1), start_date="2024-06-03"
    )
    assert back_registered.status_code == 200, back_registered.text
    assert "<dt>Insats</dt><dd>Avslutad</dd>" in coordinator.get(f"/arenden/{earlier}").text
    unknown = enrol(coordinator, case_id, page, insats_id="finns-inte")
    assert "Välj en av teamets insatser." in unknown.text


def test_two_administrators_editing_one_insats_conflict(app: Litestar) -> None:
    admin = client_for(app, "admin@test")
    found = re.search(r'href="(/admin/insatser/[0-9a-f-]+)"', admin.get("/admin/insatser").text)
    assert found
    stale = version_of(admin.get(found.group(1)).text)
    data = {**insats(name="Steget vidare 2"), "version": stale, **csrf(admin)}
    assert admin.post(found.group(1), data=data).status_code == 200
    response = admin.post(found.group(1), data={**data, "name": "Steget vidare 3"})
    assert response.status_code == 422
    assert "ändrats av någon annan" in response.text
    assert 'value="Steget vidare 3"' in response.text
