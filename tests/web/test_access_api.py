"""The JSON API's routes against the same matrix as the pages (test_access_routes.py): every
role, the handläggare of each part, users of another team and no token at all; on a case's
routes every consent state. Each user asks with a personal access token of their own.

The decisions are the same as the pages': a case another team holds is not found (404), a
command the gate refuses is 403, and no token is 401, each as problem details. Of every
answer the tests check the status; that a refused request changed nothing and showed
nothing of the participant; that the participant's data shows only where the gate opens
it, and that exactly those answers wrote a Läslogg entry. A command let through comes back
422 with the Swedish message on bad input and 409 on an old version, changing nothing; a
read-only token is refused every command; valid input runs. A revoked or expired token is
401.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from coordination.cases import domain as case
from coordination.shared import access
from coordination.shared.vocabulary import TokenScope
from tests.web.support import NOW, TODAY
from tests.web.test_access_routes import (
    ASKERS,
    BAD_DATE,
    CHANGED,
    COORDINATOR,
    FK_CASEWORKER,
    NEIGHBOUR,
    OTHER_PERSONNUMMER,
    SIGNED_OUT,
    STAGES,
    Answer,
    Asker,
    CaseUnderTest,
    Context,
    Finding,
    Opener,
    Verdict,
    World,
    assert_as_decided,
    at,
    case_verdict,
    cases_for,
    filled,
    judge,
    noted,
    route_table,
    snapshot,
    today,
    world,  # noqa: F401  (the same world, built for this module)
)

API = "/api/v1"
CASES = API + "/cases"
CASE = CASES + "/{case_id:str}"
MEETING = CASE + "/meetings/{meeting_id:str}"
NO_TOKEN = Verdict(401)
READ_ONLY = "Token får bara läsa."
PROBLEM_JSON = "application/problem+json"

Body = Callable[[Context], dict[str, Any]]


def moment(days: int, hour: int) -> str:
    """A time as RFC 3339 has it (with seconds), in the team's local time."""
    return at(days, hour) + ":00"


def body(**values: Any) -> Body:
    return lambda ctx: values


@dataclass(frozen=True)
class Bad:
    """Input the command refuses, with the Swedish message and the status of its answer."""

    body: Body
    message: str
    status: int = 422
    stale: bool = False


def bad_date(name: str, valid: Body) -> Bad:
    return Bad(lambda ctx: {**valid(ctx), name: BAD_DATE}, "Ange ett datum som ÅÅÅÅ-MM-DD.")


@dataclass(frozen=True)
class ApiRead:
    """One case: to those who see it; its personal data where the gate opens it."""

    opened_by: Opener = "sees"


@dataclass(frozen=True)
class ApiCommand:
    command: type
    valid: Body
    invalid: Bad
    stage: str
    enrolled_only: bool = False
    askers: tuple[Asker, ...] = (COORDINATOR, FK_CASEWORKER)


@dataclass(frozen=True)
class ApiPage:
    """Outside one case: to those its access rule lets in; `valid` a body to post."""

    rule: access.Rule
    valid: Body | None = None
    invalid: Bad | None = None
    found: bool = True  # False: a path that is not there, for anyone


@dataclass(frozen=True)
class ApiOwnReminder:
    """One's own reminders only (those tried are the samordnare's)."""

    valid: Body
    invalid: Bad | None = None


ApiDecision = ApiRead | ApiCommand | ApiPage | ApiOwnReminder


def enrolment(ctx: Context) -> dict[str, Any]:
    return {
        "registration_type": "personal",
        "gender": "woman",
        "start_date": today(),
        "insats_id": ctx.world.insats_id,
        "coordinator_id": ctx.world.id_of(COORDINATOR),
        "consent_parts": ["FK", "KOMMUN"],
        "participant": {"name": "Annan Deltagare", "personnummer": OTHER_PERSONNUMMER},
        "age_group": "45-59",
        "education": "upper_secondary",
        "support_sources": ["social_assistance"],
        "time_in_support": "3-6",
        "occupation": "jobseeker",
        "duplicate_reason": "Testvärlden: samma deltagare i flera ärenden",
    }


def plan(ctx: Context) -> dict[str, Any]:
    assert ctx.case is not None
    part = sorted(ctx.case.parts)[0]
    team = ctx.world.users[COORDINATOR.email].team_id
    of_part = [u for u in ctx.world.users.values() if u.part is part and u.team_id == team]
    return {
        "goals_short": "Praktik två dagar i veckan",
        "activities": [
            {
                "what": "Söka praktikplats",
                "part": part.value,
                "responsible_id": of_part[0].id,
                "start_on": today(),
                "due_on": (TODAY + timedelta(days=30)).isoformat(),
            }
        ],
        "agreed_by": [ctx.world.id_of(COORDINATOR)],
        "participant_agreed": True,
        "agreed_on": today(),
        "reason": "Ny praktik",
    }


def meeting(ctx: Context) -> dict[str, Any]:
    return {
        "meeting": {
            "starts_at": moment(2, 10),
            "minutes": 60,
            "mode": "in_person",
            "place": "Rum 4",
            "invitee_ids": [ctx.world.id_of(COORDINATOR)],
            "agenda": "Planen",
        }
    }


def handover(ctx: Context) -> dict[str, Any]:
    return {"part": "FK", "to_id": ctx.world.id_of(FK_CASEWORKER), "reason": "Ny handläggare"}


def foreign(ctx: Context) -> str:
    return ctx.world.id_of(NEIGHBOUR)


def dated(
    command: type, valid: Body, date: str, stage: str, enrolled_only: bool = False
) -> ApiCommand:
    return ApiCommand(command, valid, bad_date(date, valid), stage, enrolled_only)


def reminder(kind: str) -> Body:
    return lambda ctx: {"case_id": ctx.world.reminder_case, "key": ctx.world.reminder_key(kind)}


REFERRAL = body(
    from_part="FK", from_caseworker="Remitterande", reason="Behöver stöd", referral_date=today()
)
CLOSURE = body(
    kind="completed",
    reason="work",
    occupation="work",
    support_sources=["none"],
    next_step="Efterstöd",
    closed_on=today(),
)
WITHDRAWAL = body(reason="Vill inte längre")

API_DECISIONS: dict[tuple[str, str], ApiDecision] = {
    # The schema: anyone with a token.
    ("GET", API): ApiPage(access.anyone),
    ("GET", API + "/openapi.json"): ApiPage(access.anyone),
    ("GET", API + "/openapi.yaml"): ApiPage(access.anyone),
    ("GET", API + "/openapi.yml"): ApiPage(access.anyone),
    # Litestar's answer under the schema's path to anything else: not found.
    ("GET", API + "/{path:str}"): ApiPage(access.anyone, found=False),
    ("GET", CASES): ApiPage(access.can_see_case_list),
    ("POST", CASES): ApiPage(
        access.can_register_referrals, REFERRAL, bad_date("referral_date", REFERRAL)
    ),
    ("GET", CASES + "/{case_ref:str}"): ApiRead(),
    ("POST", CASE + "/accept-referral"): dated(
        case.AcceptReferral, body(accepted_on=today()), "accepted_on", "remiss"
    ),
    ("POST", CASE + "/decline-referral"): dated(
        case.DeclineReferral,
        body(reason="Annat stöd passar", declined_on=today()),
        "declined_on",
        "remiss",
    ),
    ("POST", CASE + "/enrol"): ApiCommand(
        case.Enrol,
        enrolment,
        Bad(
            lambda ctx: {**enrolment(ctx), "coordinator_id": foreign(ctx)},
            "Välj en av teamets samordnare.",
        ),
        "godtagen remiss",
    ),
    ("POST", CASE + "/consent/withdraw"): ApiCommand(
        case.WithdrawConsent, WITHDRAWAL, Bad(WITHDRAWAL, CHANGED, 409, stale=True), "pågående"
    ),
    ("POST", CASE + "/consent/renew"): ApiCommand(
        case.RenewConsent,
        body(consent_parts=["FK"]),
        Bad(body(consent_parts=["XX"]), "Välj ett av alternativen."),
        "återkallat",
    ),
    ("POST", CASE + "/assessment"): dated(
        case.RecordAssessment,
        body(situation="Söker arbete", recorded_on=today()),
        "recorded_on",
        "pågående",
    ),
    ("POST", CASE + "/plan"): ApiCommand(
        case.AgreePlan,
        plan,
        Bad(lambda ctx: {**plan(ctx), "agreed_by": [foreign(ctx)]}, "Välj någon i teamet."),
        "pågående",
    ),
    ("POST", CASE + "/activities/{activity_id:str}"): ApiCommand(
        case.ChangeActivity,
        body(status="done"),
        Bad(body(status="dropped", reason=""), "Ange varför aktiviteten avbryts."),
        "pågående",
        enrolled_only=True,
    ),
    ("POST", CASE + "/meetings"): ApiCommand(
        case.ScheduleMeeting,
        meeting,
        Bad(
            lambda ctx: {"meeting": {**meeting(ctx)["meeting"], "invitee_ids": [foreign(ctx)]}},
            "Välj någon i teamet.",
        ),
        "pågående",
    ),
    ("POST", MEETING + "/record"): dated(
        case.RecordMeeting,
        body(held_on=today(), attended_parts=["FK"], decisions="Fortsätt enligt planen"),
        "held_on",
        "pågående",
        enrolled_only=True,
    ),
    ("POST", MEETING + "/move"): ApiCommand(
        case.MoveMeeting,
        body(starts_at=moment(1, 10), place="Rum 5", reason="Krock"),
        Bad(
            body(starts_at=BAD_DATE + "T10:00:00", place="Rum 5", reason="Krock"),
            "Ange datum och tid",
        ),
        "pågående",
        enrolled_only=True,
    ),
    ("POST", MEETING + "/cancel"): ApiCommand(
        case.CancelMeeting,
        body(reason="Sjukdom"),
        Bad(body(reason=""), "Ange varför mötet ställs in."),
        "pågående",
        enrolled_only=True,
    ),
    ("POST", CASE + "/steps"): dated(
        case.RecordStep,
        body(to_level=2, recorded_on=today(), evidence="Praktik"),
        "recorded_on",
        "pågående",
    ),
    ("POST", CASE + "/self-assessments"): ApiCommand(
        case.RecordSelfAssessment,
        body(recorded_on=today(), phase="during", score=3),
        Bad(body(recorded_on=today(), phase="during", score=0), "Ange ett heltal från 1 till"),
        "pågående",
    ),
    ("POST", CASE + "/handover"): ApiCommand(
        case.HandOver,
        handover,
        Bad(lambda ctx: {**handover(ctx), "to_id": foreign(ctx)}, "Välj någon i teamet."),
        "pågående",
    ),
    ("POST", CASE + "/close"): dated(case.CloseCase, CLOSURE, "closed_on", "pågående"),
    ("POST", CASE + "/reopen"): dated(
        case.ReopenCase,
        body(reason="Förlorade jobbet", consent_parts=["FK"], reopened_on=today()),
        "reopened_on",
        "avslutat",
    ),
    ("POST", CASE + "/follow-ups/{months:int}"): dated(
        case.RecordFollowUp,
        body(occupation="work", support_sources=["none"], obstacles="Inga", recorded_on=today()),
        "recorded_on",
        "avslutat",
    ),
    ("POST", CASE + "/after-support/start"): dated(
        case.StartAfterSupport, body(started_on=today()), "started_on", "avslutat"
    ),
    ("POST", CASE + "/after-support/contacts"): dated(
        case.LogAfterSupportContact,
        body(contacted_on=today(), note="Samtal"),
        "contacted_on",
        "efterstöd",
    ),
    ("POST", CASE + "/after-support/end"): dated(
        case.EndAfterSupport, body(ended_on=today()), "ended_on", "efterstöd"
    ),
    ("GET", API + "/reminders"): ApiPage(access.can_see_case_list),
    ("POST", API + "/reminders/done"): ApiOwnReminder(reminder("after_support_start")),
    ("POST", API + "/reminders/snooze"): ApiOwnReminder(
        lambda ctx: {**reminder("follow_up")(ctx), "until": at(5, 0)[:10]},
        Bad(
            lambda ctx: {**reminder("follow_up")(ctx), "until": BAD_DATE},
            "Ange ett datum som ÅÅÅÅ-MM-DD.",
        ),
    ),
    ("GET", API + "/caseload"): ApiPage(access.can_see_caseload),
    ("GET", API + "/statistics"): ApiPage(access.can_see_statistics),
}


# -- asking with a token ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def tokens(world: World) -> dict[str, dict[str, str]]:  # noqa: F811
    """A write token of each user's (nobody's for the signed out), and the samordnare's
    read-only one."""
    tokens = world.services.tokens
    now = NOW.astimezone()
    found = {}
    for asker in ASKERS:
        if asker.role is not None:
            user = world.users[asker.email]
            made = tokens.create(user, "matrix", TokenScope.WRITE, now + timedelta(days=30), now)
            found[asker.email] = {"Authorization": f"Bearer {made}"}
    made = tokens.create(
        world.users[COORDINATOR.email], "läsa", TokenScope.READ, now + timedelta(days=30), now
    )
    found["read-only"] = {"Authorization": f"Bearer {made}"}
    found[SIGNED_OUT.email] = {}
    return found


@pytest.fixture(scope="module")
def client(world: World) -> Iterator[TestClient[Litestar]]:  # noqa: F811
    with TestClient(world.app) as found:
        yield found


@dataclass
class Asking:
    world: World
    client: TestClient[Litestar]
    tokens: dict[str, dict[str, str]]

    def __call__(
        self, asker: Asker, method: str, url: str, data: Any = None, token: str = ""
    ) -> Answer:
        headers = self.tokens[token or asker.email]
        before = snapshot(self.world, asker)
        response = self.client.request(method, url, json=data, headers=headers)
        problem = response.status_code >= 400
        body = response.text
        if problem and not response.headers.get("content-type", "").startswith(PROBLEM_JSON):
            body += " [inte problem+json]"
        return Answer(response.status_code, "", body, before, snapshot(self.world, asker))


@pytest.fixture(scope="module")
def asking(
    world: World,  # noqa: F811
    client: TestClient[Litestar],
    tokens: dict[str, dict[str, str]],
) -> Asking:
    return Asking(world, client, tokens)


def api(verdict: Verdict) -> Verdict:
    """The pages' verdict on the API: no token is 401, not a redirect to the login page."""
    return NO_TOKEN if verdict.refusal == 302 else verdict


def values(world: World, case_: CaseUnderTest | None = None) -> dict[str, str]:  # noqa: F811
    found = world.values(case_)
    return {**found, "case_ref": found.get("case_id", ""), "path": "ingenting"}


def not_problem_json(answer: Answer) -> list[tuple[str, str]]:
    if "[inte problem+json]" in answer.body:
        return [("format", f"{answer.status} utan application/problem+json")]
    return []


def decided(world: World) -> list[tuple[str, str, ApiDecision]]:  # noqa: F811
    table = sorted(p for p in route_table(world.app) if p[1].startswith("/api/"))
    return [(m, p, API_DECISIONS[(m, p)]) for m, p in table if (m, p) in API_DECISIONS]


# -- the tests --------------------------------------------------------------------------------


def test_every_api_route_has_an_access_decision(world: World) -> None:  # noqa: F811
    table = {p for p in route_table(world.app) if p[1].startswith("/api/")}
    missing = sorted(table - API_DECISIONS.keys())
    gone = sorted(API_DECISIONS.keys() - table)
    assert not missing, f"API routes without a decision in API_DECISIONS: {missing}"
    assert not gone, f"API_DECISIONS names routes the app no longer has: {gone}"


def test_the_api_routes_of_a_case_follow_the_gate(world: World, asking: Asking) -> None:  # noqa: F811
    """Every user against every case, as on the pages: one case is shown or not found, its
    personal data only where the gate opens it (and then logged); a command is refused
    with valid and invalid input alike, or let through, which bad input (422) and an old
    version (409) show without changing the case; a read-only token runs no command."""
    findings: list[Finding] = []
    routes = [(m, p, d) for m, p, d in decided(world) if isinstance(d, ApiRead | ApiCommand)]
    for method, path, decision in routes:
        enrolled_only = isinstance(decision, ApiCommand) and decision.enrolled_only
        for asker in ASKERS:
            for case_ in cases_for(world, asker, enrolled_only):
                url = filled(path, values(world, case_))
                where = (method, path, asker, case_.state_for(asker))
                if isinstance(decision, ApiRead):
                    verdict = api(case_verdict(asker, case_, decision.opened_by))
                    answer = asking(asker, "GET", url)
                    problems = judge(answer, verdict, (200,), shows=True, page=False)
                    findings += noted(where, "läsning", problems + not_problem_json(answer))
                    continue
                verdict = api(case_verdict(asker, case_, decision.command))
                current = world.version(case_.case_id)
                if verdict.refusal is None:
                    # the answer to a command shows nothing of the participant's
                    shown = Verdict()
                    stale = Bad(decision.valid, CHANGED, 409, stale=True)
                    for probe, bad in (("ogiltig", decision.invalid), ("gammal version", stale)):
                        ctx = Context(world, case_, current - 1 if bad.stale else current)
                        data = {"expected_version": ctx.version, **bad.body(ctx)}
                        answer = asking(asker, method, url, data)
                        problems = judge(
                            answer, shown, (bad.status,), bad.message, check_log=False, page=False
                        )
                        findings += noted(where, probe, problems + not_problem_json(answer))
                    if asker is COORDINATOR:
                        data = {
                            "expected_version": current,
                            **decision.valid(Context(world, case_)),
                        }
                        answer = asking(asker, method, url, data, token="read-only")
                        problems = judge(answer, Verdict(403), (), page=False)
                        if READ_ONLY not in answer.body:
                            problems.append(("meddelande", f"saknar «{READ_ONLY}»"))
                        findings += noted(where, "läsbehörig token", problems)
                    continue
                for probe, make in (("giltig", decision.valid), ("ogiltig", decision.invalid.body)):
                    data = {"expected_version": current, **make(Context(world, case_, current))}
                    answer = asking(asker, method, url, data)
                    problems = judge(answer, verdict, (), page=False)
                    findings += noted(where, probe, problems + not_problem_json(answer))
    assert_as_decided(findings, set())


def test_each_api_command_runs_for_those_the_gate_lets(
    world: World,  # noqa: F811
    asking: Asking,
) -> None:
    """A samordnare and a handläggare of a covered part post each command on a fresh case
    at the stage where it applies: it runs, the case's version moves on, and the answer
    gives the new version."""
    findings: list[Finding] = []
    routes = [(m, p, d) for m, p, d in decided(world) if isinstance(d, ApiCommand)]
    for method, path, decision in routes:
        for asker in decision.askers:
            fresh = STAGES[decision.stage](world)
            if api(case_verdict(asker, fresh, decision.command)).refusal is not None:
                continue
            url = filled(path, values(world, fresh))
            where = (method, path, asker, fresh.label)
            version = world.version(fresh.case_id)
            data = {"expected_version": version, **decision.valid(Context(world, fresh, version))}
            answer = asking(asker, method, url, data)
            problems = judge(answer, Verdict(), (200,), may_write=True, check_log=False, page=False)
            now = world.version(fresh.case_id)
            if now == version or f'"version":{now}' not in answer.body:
                problems.append(("skrivning", f"ärendet ändrades inte rätt: {answer.body[:200]}"))
            findings += noted(where, "giltig", problems)
    assert_as_decided(findings, set())


def api_page_verdict(world: World, asker: Asker, decision: ApiPage | ApiOwnReminder) -> Verdict:  # noqa: F811
    if asker.role is None:
        return NO_TOKEN
    user = world.users[asker.email]
    if isinstance(decision, ApiOwnReminder):
        if not access.can_see_case_list(user):
            return Verdict(403)
        return Verdict() if asker is COORDINATOR else Verdict(404)
    if not decision.rule(user):
        return Verdict(403)
    return Verdict() if decision.found else Verdict(404)


def test_the_api_outside_the_cases_follows_its_rules(world: World, asking: Asking) -> None:  # noqa: F811
    """Lists, reminders, caseload, statistics and the schema: to those the pages' rules let
    in, with no personal data; a body posted by them is taken, or refused with its message
    (422); anyone else is refused, changing nothing."""
    findings: list[Finding] = []
    routes = [(m, p, d) for m, p, d in decided(world) if isinstance(d, ApiPage | ApiOwnReminder)]
    for method, path, decision in routes:
        url = filled(path, values(world))
        for asker in ASKERS:
            verdict = api_page_verdict(world, asker, decision)
            where = (method, path, asker, "")
            if method == "GET":
                answer = asking(asker, method, url)
                problems = judge(answer, verdict, (200,), page=False)
                findings += noted(where, "läsning", problems + not_problem_json(answer))
                continue
            invalid = decision.invalid
            # a body that does not parse is 422 whoever sends it: tried on those let in
            if invalid is not None and verdict.refusal is None:
                answer = asking(asker, method, url, invalid.body(Context(world)))
                problems = judge(answer, verdict, (invalid.status,), invalid.message, page=False)
                findings += noted(where, "ogiltig", problems + not_problem_json(answer))
            assert decision.valid is not None
            answer = asking(asker, method, url, decision.valid(Context(world)))
            statuses = (200, 201)
            problems = judge(answer, verdict, statuses, may_write=True, page=False)
            findings += noted(where, "giltig", problems + not_problem_json(answer))
    assert_as_decided(findings, set())


def test_a_revoked_or_expired_token_opens_nothing(
    world: World,  # noqa: F811
    client: TestClient[Litestar],
) -> None:
    tokens, coordinator = world.services.tokens, world.users[COORDINATOR.email]
    now = NOW.astimezone()
    revoked = tokens.create(
        coordinator, "återkallad", TokenScope.WRITE, now + timedelta(days=1), now
    )
    found = tokens.tokens_of(coordinator)
    assert tokens.revoke(coordinator, next(t.id for t in found if t.name == "återkallad"), now)
    expired = tokens.create(
        coordinator,
        "utgången",
        TokenScope.WRITE,
        now - timedelta(minutes=1),
        now - timedelta(days=1),
    )
    for token in (revoked, expired, "samordna_pahittad", ""):
        response = client.get(CASES, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, response.text
        assert response.headers["content-type"].startswith(PROBLEM_JSON)
        assert response.json()["status"] == 401
        assert "token" in response.json()["detail"]
    # the session cookie opens no door of the API's
    assert client.get(CASES).status_code == 401
