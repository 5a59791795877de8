"""The team page that scales: counts per stage, stages that open and close, a bounded number
of rows per stage with "Visa fler", "mina ärenden" first for a handläggare, the earliest due
first, words instead of codes, and a refresh that costs nothing when nothing changed."""

from __future__ import annotations

import re
from datetime import timedelta

from litestar import Litestar
from litestar.testing import TestClient

from coordination.cases.web.team import PAGE_ROWS
from tests.web.support import (
    WALL_CLOCK,
    accepted_case,
    case_id_from,
    client_for,
    closed_case,
    csrf,
    enrol,
    enrolled_case,
    referral,
    team_of,
)
from tests.web.test_case_journey import schedule


def test_an_unchanged_refresh_is_answered_304_and_a_change_gives_the_new_page(
    app: Litestar,
) -> None:
    client = client_for(app, "samordnare@test")
    enrolled_case(client)
    first = client.get("/", headers={"HX-Request": "true"})
    tag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    again = client.get("/", headers={"HX-Request": "true", "If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    case_id = case_id_from(referral(client))  # something happens in the team
    changed = client.get("/", headers={"HX-Request": "true", "If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    assert case_id in changed.text
    other = client_for(app, "fk@test").get("/", headers={"If-None-Match": tag})
    assert other.status_code == 200  # the tag is the user's own
    # a tag of the user's own with a position no log reaches is drawn anew, not a 500
    _, drawn_as = changed.headers["etag"].strip('"').split(".")
    for position in ("9" * 5000, "9" * 19):
        forged = client.get(
            "/", headers={"HX-Request": "true", "If-None-Match": f'"{position}.{drawn_as}"'}
        )
        assert forged.status_code == 200 and case_id in forged.text


def test_the_refresh_moves_with_the_teams_own_changes_and_not_with_other_teams(
    app: Litestar,
) -> None:
    client = client_for(app, "samordnare@test")
    closed = closed_case(app)  # its reminders are on the page
    accepted = accepted_case(client)
    ongoing = enrolled_case(client)
    neighbour = client_for(app, "granne@test")
    tag = client.get("/", headers={"HX-Request": "true"}).headers["etag"]

    def refreshed(client: TestClient[Litestar], tag: str) -> str:
        """The ETag after a refresh that must draw the page anew."""
        answer = client.get("/", headers={"HX-Request": "true", "If-None-Match": tag})
        assert answer.status_code == 200 and answer.headers["etag"] != tag
        unchanged = client.get("/", headers={"HX-Request": "true", "If-None-Match": tag})
        assert unchanged.status_code == 200  # the old tag stays stale
        again = answer.headers["etag"]
        assert (
            client.get("/", headers={"HX-Request": "true", "If-None-Match": again}).status_code
            == 304
        )
        return str(again)

    case_id_from(referral(neighbour))  # another team's referral, and its reminders
    mine = client.get("/", headers={"HX-Request": "true", "If-None-Match": tag})
    assert mine.status_code == 304 and mine.headers["etag"] == tag
    theirs = neighbour.get("/", headers={"HX-Request": "true"}).headers["etag"]

    reminders = client.get("/paminnelser").text
    key = re.search(r'name="key" value="(after_support_start:[^"]+)"', reminders)
    assert key
    client.post("/paminnelser/klar", data={"case_id": closed, "key": key.group(1), **csrf(client)})
    tag = refreshed(client, tag)  # a reminder done

    enrolled = enrol(client, accepted, duplicate_reason="Testärende: samma deltagare igen")
    assert enrolled.status_code == 200, enrolled.text
    tag = refreshed(client, tag)  # a case moved on to the next stage

    booked = schedule(client, ongoing, WALL_CLOCK + timedelta(days=1))
    assert booked.status_code == 200, booked.text
    tag = refreshed(client, tag)  # a meeting booked

    # none of it was the neighbour's
    assert (
        neighbour.get("/", headers={"HX-Request": "true", "If-None-Match": theirs}).status_code
        == 304
    )


def test_a_colleague_renamed_is_a_change_the_refresh_shows(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    enrolled_case(client)
    tag = client.get("/", headers={"HX-Request": "true"}).headers["etag"]
    accounts = app.state.services.accounts
    user = client.get("/").text  # the samordnare responsible for the case is named on it
    me = next(
        a
        for a in accounts.team_accounts(team_of(app, "samordnare@test"))
        if a.user.email == "samordnare@test"
    )
    assert me.user.name in user
    assert not accounts.update_account(
        me.user.id,
        me.version,
        name="Omdöpt Samordnare",
        email=me.user.email,
        part=me.user.part,
        role=me.user.role,
        active=True,
    )
    changed = client.get("/", headers={"HX-Request": "true", "If-None-Match": tag})
    assert changed.status_code == 200 and "Omdöpt Samordnare" in changed.text


def test_counts_per_stage_words_for_parts_and_codes_that_do_not_wrap(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    enrolled_case(client)
    referral(client)
    page = client.get("/").text
    assert "2 ärenden: Remiss 1, Inskriven 1." in page
    assert re.search(
        r'<details class="stage-group" data-remember="skede-referral" open>\s*'
        r'<summary><h2 id="skede-referral">',
        page,
    )
    assert "Försäkringskassan, Kommun" in page and "FK, KOMMUN" not in page
    assert '<td class="code">' in page


def test_a_caseworker_starts_from_the_cases_of_their_part(app: Litestar) -> None:
    coordinator = client_for(app, "samordnare@test")
    enrolled_case(coordinator)  # consent for FK and KOMMUN
    outside = client_for(app, "af@test")
    mine = outside.get("/").text
    assert '<option value="mina" selected>' in mine and "0 ärenden som din part" in mine
    whole = outside.get("/", params={"vy": "alla"}).text
    assert "1 ärenden" in whole
    assert '<option value="alla" selected>' in coordinator.get("/").text


def test_a_stage_shows_its_first_rows_and_more_on_request(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    for _ in range(PAGE_ROWS + 2):
        referral(client)
    page = client.get("/").text
    assert page.count('<td class="code">') == PAGE_ROWS
    more = re.search(r'<a href="([^"]+)"[^>]*>Visa fler \(2 till i remiss\)', page)
    assert more
    everything = client.get(more.group(1).replace("&amp;", "&")).text
    assert everything.count('<td class="code">') == PAGE_ROWS + 2
    assert "Visa fler" not in everything
