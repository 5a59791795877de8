"""Pages of a case whose participant has been forgotten: they still draw, and say that the
personal data was erased instead of showing it."""

from __future__ import annotations

from datetime import datetime, time

from litestar import Litestar

from coordination.cases.contract import participant_subject
from coordination.cases.web.sections import SECTIONS
from tests.web.support import TODAY, client_for, enrolled_case, section
from tests.web.test_case_journey import agreed_plan, meeting_path, post, schedule

PAGES = (
    "",
    "/plan",
    "/plan/versioner",
    "/kartlaggning",
    *(f"/avsnitt/{s.slug}" for s in SECTIONS),
)


def test_the_pages_of_a_forgotten_participant_show_their_data_as_erased(app: Litestar) -> None:
    client = client_for(app, "samordnare@test")
    case_id = enrolled_case(client)
    agreed_plan(client, case_id)
    schedule(client, case_id, datetime.combine(TODAY, time(23)), place="Rum Hemlig")
    page = section(client, case_id, "steg")
    evidence = dict(to_level="2", step_on=TODAY.isoformat(), evidence="Praktik hos bagaren")
    post(client, f"/arenden/{case_id}/steg", page, **evidence)
    meeting = meeting_path(app, case_id)
    assert "Rum Hemlig" in client.get(meeting).text

    app.state.services.cases.store.forget(participant_subject(case_id))

    assert "Deltagarens personuppgifter är raderade." in section(client, case_id, "deltagare")
    assert "<td>Raderad</td>" in section(client, case_id, "steg")  # the step's evidence
    pages = [client.get(f"/arenden/{case_id}{path}") for path in PAGES] + [client.get(meeting)]
    assert [response.status_code for response in pages] == [200] * (len(PAGES) + 1)
    assert client.get(f"/arenden/{case_id}/plan/utskrift").status_code == 404  # no plan left
    shown = "".join(response.text for response in pages)
    for personal in ("Testa Deltagarsson", "19800101", "Praktik hos bagaren", "Söka praktikplats"):
        assert personal not in shown
    assert "Rum Hemlig" not in shown
