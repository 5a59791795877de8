"""Who may see and do what: every role × part against cases whose consent covers the user's
part, does not cover it, or was withdrawn. The expectations are written out, not derived."""

from __future__ import annotations

from litestar import Litestar

from coordination.accounts.service import Accounts
from coordination.shared.vocabulary import Part, Role
from tests.web.support import PASSWORD, client_for, csrf, enrolled_case, team_of, version_of

COVERED, NOT_COVERED, WITHDRAWN = "covered", "not covered", "withdrawn"

# role -> (team page, case page, personal data when covered, may work cases, read audit, admin)
EXPECTED = {
    Role.CASEWORKER: (200, 200, True, True, 403, 403),
    Role.COORDINATOR: (200, 200, True, True, 403, 403),
    Role.TEAM_LEADER: (200, 200, False, False, 200, 403),
    Role.ANALYST: (302, 404, False, False, 403, 403),
    Role.ADMINISTRATOR: (200, 200, False, False, 200, 200),
}


# role -> (caseload and its drill-down, statistics and its exports, the per-case SUS export)
REPORTS = {
    Role.CASEWORKER: (403, 403, 403),
    Role.COORDINATOR: (200, 200, 200),
    Role.TEAM_LEADER: (200, 200, 200),
    Role.ANALYST: (403, 200, 403),
    Role.ADMINISTRATOR: (200, 200, 200),
}


def sees_personal_data(role: Role, consent: str) -> bool:
    if consent == WITHDRAWN or not EXPECTED[role][2]:
        return False
    # The samordnare holds the thread of every case; a handläggare only as far as consent reaches.
    return role is Role.COORDINATOR or consent == COVERED


def test_every_role_and_part_against_every_consent_state(app: Litestar) -> None:
    engine = app.state.services.engine
    test_team = team_of(app, "samordnare@test")
    coordinator = client_for(app, "samordnare@test")
    for role in Role:
        for part in Part:
            Accounts(engine).create_user(
                test_team, f"{role} {part}", f"{role}.{part}@matrix", part, role, PASSWORD
            )

    for part in Part:
        others = tuple(p for p in Part if p is not part)
        cases = {
            COVERED: enrolled_case(coordinator, consent_parts=[part.value]),
            NOT_COVERED: enrolled_case(coordinator, consent_parts=[p.value for p in others]),
            WITHDRAWN: enrolled_case(coordinator, consent_parts=[p.value for p in Part]),
        }
        page = coordinator.get(f"/arenden/{cases[WITHDRAWN]}").text
        coordinator.post(
            f"/arenden/{cases[WITHDRAWN]}/samtycke/aterkalla",
            data={"version": version_of(page), **csrf(coordinator)},
        )
        for role in Role:
            team, case_page, _, may_work, audit, admin = EXPECTED[role]
            client = client_for(app, f"{role}.{part}@matrix")
            who = f"{role.label} ({part.value})"
            assert client.get("/", follow_redirects=False).status_code == team, who
            caseload, statistics, sus = REPORTS[role]
            assert client.get("/arbetsbelastning").status_code == caseload, who
            assert client.get("/statistik").status_code == statistics, who
            assert client.get("/statistik/arenden/csv").status_code == statistics, who
            assert client.get("/sus-export/csv").status_code == sus, who
            assert client.get("/granskning").status_code == audit, who
            assert client.get("/admin/anvandare").status_code == admin, who
            assert client.get("/admin/insatser").status_code == admin, who
            for consent, case_id in cases.items():
                response = client.get(f"/arenden/{case_id}")
                assert response.status_code == case_page, (who, consent)
                shown = "Testa Deltagarsson" in response.text
                assert shown == sees_personal_data(role, consent), (who, consent)
                # A stale version: workers within the consent (and the samordnare, who may
                # renew a withdrawn consent) get the conflict message, others are refused.
                attempt = client.post(
                    f"/arenden/{case_id}/samtycke/fornya",
                    data={"version": "0", "consent_parts": [part.value], **csrf(client)},
                )
                renews = may_work and (role is Role.COORDINATOR or consent == COVERED)
                expected_status = 422 if renews else (404 if case_page == 404 else 403)
                assert attempt.status_code == expected_status, (who, consent)


def test_another_teams_staff_see_nothing_of_the_case(app: Litestar) -> None:
    case_id = enrolled_case(client_for(app, "samordnare@test"))
    neighbour = client_for(app, "granne@test")
    assert neighbour.get(f"/arenden/{case_id}").status_code == 404
    assert "Testa Deltagarsson" not in neighbour.get("/").text
