"""Every route of the app, read from its route table, against every kind of user: each role,
the handläggare of each part, users of another team and no user at all; on a case's routes
against each consent state (covered, not covered, withdrawn, and a referral before
enrolment); every posted form with valid and with invalid input.

The expectations are the decisions as documented, not the code that makes them. `DECISIONS`
names the decision of every route; a route the app gains without one fails
`test_every_route_has_an_access_decision`. The rules of the one gate
(`coordination/cases/gate.py`) are restated below as small pure functions; the pages outside
the cases take the rule of their `PAGES` entry or guard (`coordination/shared/access.py`).

Of every answer the tests check the status; that a refused user changed nothing and saw
nothing of the participant; that the participant's data (the markers below) shows only to
those the gate opens it to; and that an answer that opens it wrote a Läslogg entry, and no
other answer did. Mismatches are collected and reported together; `KNOWN_GAPS` lists those
the application still has (each must still occur, or the test fails).
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from typing import Any, Literal

import pytest
import sqlalchemy as sa
import time_machine
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient
from openpyxl import load_workbook

from coordination.accounts.insatser import Insats
from coordination.accounts.service import Account
from coordination.accounts.tables import (
    api_tokens,
    calendar_feeds,
    insats_sessions,
    insatser,
    users,
)
from coordination.app import Services
from coordination.cases import contract as case_events
from coordination.cases import domain as case
from coordination.cases.tables import read_audit
from coordination.shared import access
from coordination.shared.access import PAGES, User
from coordination.shared.vocabulary import (
    AgeGroup,
    EducationLevel,
    ErasureReason,
    Gender,
    InsatsType,
    MeetingMode,
    Occupation,
    Part,
    RegistrationKind,
    RegistrationType,
    Role,
    SupportSource,
    TimeInSupport,
    TokenScope,
)
from events.schema import events_table
from tests.conftest import fresh_postgres_database
from tests.web.support import (
    NOW,
    PASSWORD,
    PERSONNUMMER,
    STAFF,
    TODAY,
    build_app,
    closed_case,
    csrf,
    team_of,
)

# -- the participant's data, as markers no other text of the app contains ------------------

NAME = "Markör Deltagarsson"
REASON = "Markörremiss: långvarig sjukskrivning"
SITUATION = "Markörsituation"
OBSTACLES = "Markörhinder"
GOAL = "Markörmål"
ACTIVITY = "Marköraktivitet"
PLACE = "Markörrummet"
AGENDA = "Markördagordning"
EVIDENCE = "Markörbevis"
MARKERS = (
    NAME,
    REASON,
    SITUATION,
    OBSTACLES,
    GOAL,
    ACTIVITY,
    PLACE,
    AGENDA,
    EVIDENCE,
    PERSONNUMMER,
)


def markers_in(body: str) -> list[str]:
    """The participant's data found in an answer (any other text beginning "Markör" too)."""
    found = [m for m in MARKERS if m in body]
    return found or (["Markör…"] if "Markör" in body else [])


# A personnummer posted in forms: valid, and not the participant's.
OTHER_PERSONNUMMER = "19851212-0018"
BAD_DATE = "2026-02-30"
DATE_MESSAGE = "Ange ett datum som ÅÅÅÅ-MM-DD."
CHANGED = "Ärendet har ändrats av någon annan"


# -- who asks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Asker:
    """A user of the test team, of another team, or nobody signed in (`role` None)."""

    email: str
    part: Part | None
    role: Role | None
    own_team: bool = True

    @property
    def label(self) -> str:
        if self.role is None or self.part is None:
            return "utloggad"
        where = "" if self.own_team else " i grannteamet"
        return f"{self.role.label} ({self.part.value}){where}"


SIGNED_OUT = Asker("", None, None)
NEIGHBOUR = Asker("granne@test", Part.AF, Role.COORDINATOR, own_team=False)
ASKERS = (
    *(Asker(email, part, role) for email, part, role in STAFF),
    NEIGHBOUR,
    Asker("grannadmin@test", Part.KOMMUN, Role.ADMINISTRATOR, own_team=False),
    SIGNED_OUT,
)
COORDINATOR = ASKERS[0]
assert COORDINATOR.role is Role.COORDINATOR
FK_CASEWORKER = next(t for t in ASKERS if t.role is Role.CASEWORKER and t.part is Part.FK)
ADMINISTRATOR = next(t for t in ASKERS if t.role is Role.ADMINISTRATOR and t.own_team)
TEAM_LEADER = next(t for t in ASKERS if t.role is Role.TEAM_LEADER)


# -- the cases -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseUnderTest:
    label: str
    case_id: str
    # The parts whose handläggare the gate opens it to: the consent's, or before enrolment
    # the part that sent the referral.
    parts: frozenset[Part]
    withdrawn: bool = False
    enrolled: bool = True
    erased: bool = False
    meeting_id: str = ""
    activity_id: str = ""

    def state_for(self, asker: Asker) -> str:
        if asker.role is not Role.CASEWORKER or self.withdrawn or self.erased:
            return self.label
        covered = "täcker" if asker.part in self.parts else "täcker inte"
        return f"{self.label} ({covered} {asker.part})"


# -- the rules of the gate, as gate.py's docstring words them --------------------------------

WORKERS = (Role.CASEWORKER, Role.COORDINATOR)
# "With withdrawn consent the samordnare may still renew the consent, close the case or
# reopen it with new consent; nothing else."
AFTER_WITHDRAWAL: tuple[type, ...] = (case.RenewConsent, case.CloseCase, case.ReopenCase)
# "Erasure is asked for, and retention held, by the team's administratör; a teamledare or
# another administratör confirms it."
ADMINISTRATORS_ASK: tuple[type, ...] = (
    case.RequestErasure,
    case.CancelErasure,
    case.HoldRetention,
    case.ReleaseRetention,
)
CONFIRMERS = (Role.ADMINISTRATOR, Role.TEAM_LEADER)


def sees(asker: Asker) -> bool:
    """The case's code, stage, dates and SUS categories: its own team's staff, the förbund's
    analytiker and tjänsteperson excepted. Anyone else is told the case does not exist."""
    return asker.own_team and asker.role not in (Role.ANALYST, Role.FORBUND)


def opens(asker: Asker, case_: CaseUnderTest) -> bool:
    """The participant's personal data: the team's samordnare, and handläggare whose part
    the consent covers (before enrolment: the referring part); withdrawn consent closes it
    for everyone, and erased data is gone."""
    if not sees(asker) or case_.withdrawn or case_.erased:
        return False
    if asker.role is Role.COORDINATOR:
        return True
    return asker.role is Role.CASEWORKER and asker.part in case_.parts


def runs(asker: Asker, case_: CaseUnderTest, command: type) -> bool:
    """A command, and the form it is posted from: the same as reading personal data, for
    the team's samordnare and handläggare; with withdrawn consent only what is left to the
    samordnare. Erasure and retention by their own roles. An erased case takes nothing."""
    if case_.erased:
        return False
    if command in ADMINISTRATORS_ASK:
        return asker.role is Role.ADMINISTRATOR
    if command is case.ConfirmErasure:
        return asker.role in CONFIRMERS
    if asker.role not in WORKERS:
        return False
    if case_.withdrawn:
        return asker.role is Role.COORDINATOR and command in AFTER_WITHDRAWAL
    return opens(asker, case_)


@dataclass(frozen=True)
class Verdict:
    """What a user must get from a route: let through (`refusal` None) or refused with
    `refusal` (a redirect to `to`), and whether the answer opens the participant's data."""

    refusal: int | None = None
    to: str = ""
    personal: bool = False


SIGN_IN = Verdict(302, "/logga-in")
NOT_FOUND = Verdict(404)
FORBIDDEN = Verdict(403)


# -- the decisions of the routes -------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What a form is filled in from: the test world, the case and its version."""

    world: World
    case: CaseUnderTest | None = None
    version: int = 0


Fields = Callable[[Context], dict[str, Any]]


@dataclass(frozen=True)
class Form:
    """A posted form; for bad input, the Swedish message the answer must show."""

    fields: Fields
    message: str = ""
    stale: bool = False  # sent with an older version of the case than the current one
    own_client: bool = False  # it changes who is signed in: sent from a client of its own


@dataclass(frozen=True)
class Public:
    """Open to anyone, signed in or not: the login page, the app's scripts, styles and icon,
    the health report."""

    valid: Form | None = None
    invalid: Form | None = None
    # What a read answers: the sign-on routes are "not found" where sign-on is not configured.
    answers: tuple[int, ...] = (200,)


@dataclass(frozen=True)
class Page:
    """A page outside the cases, open to those its access rule lets in: the rule of its
    `PAGES` entry or of its controller's guard."""

    rule: access.Rule
    valid: Form | None = None
    invalid: Form | None = None
    refused: Verdict = FORBIDDEN
    # The path names a person or insats of the team: another team's user does not find it.
    team_only: bool = False
    # The SUS export: the personnummer of the cases the gate opens to the reader.
    personnummer: bool = False
    # The registerutdrag: everything held about the participant, to their own team's reader.
    subject_access: bool = False


@dataclass(frozen=True)
class OwnReminder:
    """One's own reminders only: anyone else's is not found."""

    valid: Form
    invalid: Form | None = None


@dataclass(frozen=True)
class OwnToken:
    """One's own access tokens only: anyone else's is not found."""

    valid: Form


@dataclass(frozen=True)
class SecretAddress:
    """Open without a session to whoever has the address's secret (a calendar program):
    anyone, signed in or not, with an unknown secret is not found."""


Opener = Literal["sees", "personal"] | type


@dataclass(frozen=True)
class CaseRead:
    """A page of the case: open to those who see the case ("sees"), to those the gate opens
    the participant's data to ("personal"), or the form of a command (to those who may run it).
    """

    opened_by: Opener
    # What of the participant it shows to those it opens the data to: "participant" (name,
    # or before enrolment the referral's reason), "records" (stored assessment, plan or
    # meeting: on an enrolled case), or nothing of what is stored ("").
    shows: Literal["participant", "records", ""] = "records"
    # The answer carries the participant's data when the gate opens it (and so writes the
    # Läslogg); the calendar file carries none, whoever asks.
    carries: bool = True
    # It needs what only an enrolled case has (a plan, a meeting): not tried on a referral.
    enrolled_only: bool = False


@dataclass(frozen=True)
class CaseCommand:
    """A command posted on a case: run by those the gate lets run it. `stage` names the case
    on which valid input succeeds (see STAGES)."""

    command: type
    valid: Form
    invalid: Form
    stage: str
    enrolled_only: bool = False
    # Who posts it on a fresh case at that stage (those who run it).
    askers: tuple[Asker, ...] = (COORDINATOR, FK_CASEWORKER)


Decision = Public | Page | OwnReminder | OwnToken | SecretAddress | CaseRead | CaseCommand


def given(**values: str | list[str]) -> Fields:
    """Fields that do not depend on the world."""
    return lambda ctx: values


def bad_date(name: str, fields: Fields) -> Form:
    """The form with an impossible date (2026-02-30) in `name`."""
    return Form(lambda ctx: {**fields(ctx), name: BAD_DATE}, DATE_MESSAGE)


def case_form(fields: Fields, message: str = "", stale: bool = False) -> Form:
    """A form of the case: its fields and the version of the case it was opened on."""
    return Form(lambda ctx: {"version": str(ctx.version), **fields(ctx)}, message, stale)


def dated(
    command: type, fields: Fields, date: str, stage: str, enrolled_only: bool = False
) -> CaseCommand:
    """A command whose form is wrong with an impossible date in its field `date`."""
    invalid = bad_date(date, fields)
    return CaseCommand(
        command, case_form(fields), case_form(invalid.fields, invalid.message), stage, enrolled_only
    )


def today() -> str:
    return TODAY.isoformat()


def days_ahead(days: int) -> str:
    return (TODAY + timedelta(days=days)).isoformat()


def at(days: int, hour: int) -> str:
    return datetime.combine(TODAY + timedelta(days=days), time(hour)).isoformat(timespec="minutes")


def enrolment(ctx: Context) -> dict[str, Any]:
    return {
        "registration_type": "personal",
        "name": "Annan Deltagare",
        "personnummer": OTHER_PERSONNUMMER,
        "consent_parts": ["FK", "KOMMUN"],
        "gender": "woman",
        "age_group": "45-59",
        "education": "upper_secondary",
        "support_sources": ["social_assistance"],
        "time_in_support": "3-6",
        "occupation": "jobseeker",
        # each role allowed enrols the same person in a case of its own
        "duplicate_reason": "Testvärlden: samma deltagare i flera ärenden",
        "insats_id": ctx.world.insats_id,
        "coordinator_id": ctx.world.id_of(COORDINATOR),
        "start_date": today(),
    }


def plan(ctx: Context) -> dict[str, Any]:
    assert ctx.case is not None
    staff = ctx.world.id_of(COORDINATOR)
    part = sorted(ctx.case.parts)[0]
    team = ctx.world.users[COORDINATOR.email].team_id
    of_part = [u for u in ctx.world.users.values() if u.part is part and u.team_id == team]
    return {
        "goals_short": "Praktik två dagar i veckan",
        "activities.0.what": "Söka praktikplats",
        "activities.0.part": part.value,
        "activities.0.responsible_id": of_part[0].id,  # the activity's part's own staff
        "activities.0.start_on": today(),
        "activities.0.due_on": (TODAY + timedelta(days=30)).isoformat(),
        "agreed_by": [staff],
        "participant_agreed": "on",
        "agreed_on": today(),
        "reason": "Ny praktik",
    }


def meeting(ctx: Context) -> dict[str, Any]:
    return {
        "starts_at": at(2, 10),
        "minutes": "60",
        "mode": "in_person",
        "place": "Rum 4",
        "invitee_ids": [ctx.world.id_of(COORDINATOR)],
        "agenda": "Planen",
    }


def handover(ctx: Context) -> dict[str, Any]:
    return {
        "responsibility": "FK",
        "to_id": ctx.world.id_of(FK_CASEWORKER),
        "handover_reason": "Ny handläggare",
    }


def foreign(ctx: Context) -> str:
    """A person of another team, which no form of this team's cases may name."""
    return ctx.world.id_of(NEIGHBOUR)


def account(ctx: Context) -> dict[str, Any]:
    found = ctx.world.target_account()
    return {
        "name": found.user.name,
        "email": found.user.email,
        "part": found.user.part.value,
        "role": found.user.role.value,
        "active": "on",
        "version": str(found.version),
    }


def insats(ctx: Context) -> dict[str, Any]:
    found = ctx.world.target_insats()
    return {
        "name": found.name,
        "insats_type": found.insats_type.value,
        "active_from": found.active_from.isoformat(),
        "active_to": "",
        "version": str(found.version),
    }


def reminder(kind: str) -> Fields:
    return lambda ctx: {"case_id": ctx.world.reminder_case, "key": ctx.world.reminder_key(kind)}


NEW_REFERRAL = given(
    from_part="FK",
    from_caseworker="Remitterande handläggare",
    reason="Behöver samordnat stöd",
    referral_date=today(),
)
CLOSURE = given(
    kind="completed",
    reason="work",
    occupation="work",
    support_sources=["none"],
    next_step="Efterstöd",
    closed_on=today(),
    bekraftat="ja",
)


# twelve at a session of the team's volyminsats
SESSION = given(held_on=today(), gender_woman="7", gender_man="5")


NEW_INSATS = given(name="Ny insats", insats_type="other", active_from="2025-01-01", active_to="")

CASE = "/arenden/{case_id:str}"
MEETING = CASE + "/moten/{meeting_id:str}"
ADMIN = access.can_administer

DECISIONS: dict[tuple[str, str], Decision] = {
    # Open to anyone signed out.
    ("GET", "/logga-in"): Public(),
    ("POST", "/logga-in"): Public(
        valid=Form(lambda ctx: {"email": "analytiker@test", "password": PASSWORD}, own_client=True),
        invalid=Form(
            lambda ctx: {"email": "ingen@test", "password": "fel-losenord"},
            "Fel e-postadress eller lösenord.",
            own_client=True,
        ),
    ),
    # Signing on with the organisation's account: not configured in these tests.
    ("GET", "/logga-in/oidc"): Public(answers=(404,)),
    ("GET", "/logga-in/oidc/callback"): Public(answers=(404,)),
    ("GET", "/static/{file_path:path}"): Public(),
    ("HEAD", "/static/{file_path:path}"): Public(),
    ("GET", "/favicon.ico"): Public(),
    # Figures about the service, no personal data: for the container's health check.
    ("GET", "/healthz"): Public(),
    # Anyone signed in: their own password, delivery settings and session.
    ("GET", "/losenord"): Page(access.anyone),
    ("POST", "/losenord"): Page(
        access.anyone,
        valid=Form(lambda ctx: {"current": PASSWORD, "new": PASSWORD}),
        invalid=Form(
            lambda ctx: {"current": "fel-losenord", "new": PASSWORD},
            "Nuvarande lösenord stämmer inte.",
        ),
    ),
    # Logging out and the delivery setting take no input that could be wrong.
    ("POST", "/logga-ut"): Page(access.anyone, valid=Form(lambda ctx: {}, own_client=True)),
    ("GET", "/installningar"): Page(access.anyone),
    ("POST", "/installningar"): Page(access.anyone, valid=Form(lambda ctx: {"delivery": "single"})),
    # Every role may have access tokens (what a token reaches, the gate decides as for the
    # pages) and a calendar feed (of the meetings they are invited to in cases they see).
    ("POST", "/installningar/atkomsttokens"): Page(
        access.anyone,
        valid=Form(given(name="Skript", scope="read", expires_on=days_ahead(30))),
        invalid=Form(
            given(name="Skript", scope="read", expires_on=days_ahead(-1)),
            "Välj ett datum efter i dag",
        ),
    ),
    ("POST", "/installningar/atkomsttokens/{token_id:str}/aterkalla"): OwnToken(Form(given())),
    ("POST", "/installningar/kalender"): Page(access.anyone, valid=Form(given())),
    ("POST", "/installningar/kalender/aterkalla"): Page(access.anyone, valid=Form(given())),
    ("GET", "/kalender/{feed:str}"): SecretAddress(),
    # The team's pages: counts and case codes, no personal data.
    ("GET", "/"): Page(access.can_see_case_list, refused=Verdict(302, "/statistik")),
    ("GET", "/paminnelser"): Page(access.can_see_case_list),
    # Marking one's reminder done takes no input that could be wrong.
    ("POST", "/paminnelser/klar"): OwnReminder(Form(reminder("after_support_start"))),
    ("POST", "/paminnelser/vanta"): OwnReminder(
        Form(lambda ctx: {**reminder("follow_up")(ctx), "until": at(5, 0)[:10]}),
        Form(lambda ctx: {**reminder("follow_up")(ctx), "until": BAD_DATE}, DATE_MESSAGE),
    ),
    ("GET", "/remisser/ny"): Page(access.can_register_referrals),
    ("POST", "/remisser/ny"): Page(
        access.can_register_referrals,
        valid=Form(NEW_REFERRAL),
        invalid=bad_date("referral_date", NEW_REFERRAL),
    ),
    ("GET", "/granskning"): Page(access.can_review_audit),
    ("GET", "/arbetsbelastning"): Page(access.can_see_caseload),
    ("GET", "/arbetsbelastning/{user_id:str}"): Page(access.can_see_caseload, team_only=True),
    ("GET", "/statistik"): Page(access.can_see_statistics),
    ("GET", "/statistik/{key:str}/csv"): Page(access.can_see_statistics),
    ("GET", "/statistik/{key:str}/xlsx"): Page(access.can_see_statistics),
    ("GET", "/statistik/xlsx"): Page(access.can_see_statistics),
    ("GET", "/tillfallen"): Page(access.can_record_sessions),
    ("GET", "/tillfallen/{session_insats:str}"): Page(access.can_record_sessions, team_only=True),
    ("POST", "/tillfallen/{session_insats:str}"): Page(
        access.can_record_sessions,
        team_only=True,
        valid=Form(SESSION),
        invalid=bad_date("held_on", SESSION),
    ),
    ("GET", "/sus-export/csv"): Page(access.can_export_sus, personnummer=True),
    ("GET", "/sus-export/xlsx"): Page(access.can_export_sus, personnummer=True),
    # Administration of the team.
    # Whether the installation takes passwords: switched off only where sign-on is configured,
    # which it is not here.
    ("GET", "/admin/inloggning"): Page(ADMIN),
    ("POST", "/admin/inloggning"): Page(
        ADMIN,
        valid=Form(lambda ctx: {"local_login": "on"}),
        invalid=Form(lambda ctx: {}, "kan bara stängas av när inloggning med organisationens"),
    ),
    ("GET", "/admin/anvandare"): Page(ADMIN),
    ("POST", "/admin/anvandare"): Page(
        ADMIN,
        valid=Form(
            lambda ctx: {
                "name": "Ny Kollega",
                "email": f"ny-{uuid.uuid4().hex[:8]}@test",
                "part": "AF",
                "role": "caseworker",
                "password": PASSWORD,
            }
        ),
        invalid=Form(
            lambda ctx: {"name": "", "email": "tom@test", "part": "AF", "role": "caseworker"},
            "Ange namnet.",
        ),
    ),
    ("GET", "/admin/anvandare/{user_id:str}"): Page(ADMIN, team_only=True),
    ("POST", "/admin/anvandare/{user_id:str}"): Page(
        ADMIN,
        team_only=True,
        valid=Form(account),
        invalid=Form(lambda ctx: {**account(ctx), "name": ""}, "Ange namnet."),
    ),
    ("GET", "/admin/insatser"): Page(ADMIN),
    ("POST", "/admin/insatser"): Page(
        ADMIN, valid=Form(NEW_INSATS), invalid=bad_date("active_from", NEW_INSATS)
    ),
    ("GET", "/admin/insatser/{insats_id:str}"): Page(ADMIN, team_only=True),
    ("POST", "/admin/insatser/{insats_id:str}"): Page(
        ADMIN,
        team_only=True,
        valid=Form(insats),
        invalid=bad_date("active_from", insats),
    ),
    ("GET", "/admin/utkorg"): Page(ADMIN),
    ("GET", "/admin/import"): Page(ADMIN),
    ("GET", "/admin/import/mall.csv"): Page(ADMIN),
    # a file (multipart): tested in test_import_page.py
    ("POST", "/admin/import"): Page(ADMIN),
    ("GET", "/admin/gallring"): Page(ADMIN),
    ("GET", "/admin/registerutdrag"): Page(ADMIN),
    ("POST", "/admin/registerutdrag"): Page(
        ADMIN,
        valid=Form(given(personnummer=PERSONNUMMER)),
        invalid=Form(given(personnummer="1980"), "Skriv ett giltigt personnummer"),
        subject_access=True,
    ),
    # One case, through the gate.
    ("GET", CASE): CaseRead("sees", shows="participant"),
    ("GET", CASE + "/avsnitt/{section:str}"): CaseRead("sees", shows="participant"),
    ("POST", CASE + "/godta"): dated(
        case.AcceptReferral, given(accepted_on=today()), "accepted_on", "remiss"
    ),
    ("POST", CASE + "/avboj"): dated(
        case.DeclineReferral,
        given(decline_reason="Annat stöd passar", declined_on=today(), bekraftat="ja"),
        "declined_on",
        "remiss",
    ),
    ("POST", CASE + "/inskrivning"): CaseCommand(
        case.Enrol,
        case_form(enrolment),
        case_form(
            lambda ctx: {**enrolment(ctx), "coordinator_id": foreign(ctx)},
            "Välj en av teamets samordnare.",
        ),
        stage="godtagen remiss",
    ),
    ("POST", CASE + "/samtycke/aterkalla"): CaseCommand(
        case.WithdrawConsent,
        case_form(given(withdraw_reason="Vill inte längre", bekraftat="ja")),
        # Nothing in the form can be wrong: an old version is the bad input.
        case_form(given(withdraw_reason="Vill inte längre", bekraftat="ja"), CHANGED, stale=True),
        stage="pågående",
    ),
    ("POST", CASE + "/samtycke/fornya"): CaseCommand(
        case.RenewConsent,
        case_form(given(consent_parts=["FK"], consent_note="")),
        case_form(given(consent_parts=["XX"]), "Okänt alternativ."),
        stage="återkallat",
    ),
    ("GET", CASE + "/kartlaggning"): CaseRead(case.RecordAssessment),
    ("POST", CASE + "/kartlaggning"): dated(
        case.RecordAssessment,
        given(situation="Söker arbete", recorded_on=today()),
        "recorded_on",
        "pågående",
    ),
    ("GET", CASE + "/plan"): CaseRead(case.AgreePlan),
    ("POST", CASE + "/plan"): CaseCommand(
        case.AgreePlan,
        case_form(plan),
        case_form(lambda ctx: {**plan(ctx), "agreed_by": [foreign(ctx)]}, "Välj någon i teamet."),
        stage="pågående",
    ),
    # One version: the changes between versions are none, no text of the plan shows.
    # Form parts of the plan: one more activity row, and the staff of the part chosen in it.
    ("GET", CASE + "/plan/rad/{index:int}"): CaseRead(case.AgreePlan, shows=""),
    ("GET", CASE + "/plan/ansvarig"): CaseRead(case.AgreePlan, shows=""),
    ("GET", CASE + "/plan/versioner"): CaseRead("personal", shows="", enrolled_only=True),
    ("GET", CASE + "/plan/utskrift"): CaseRead("personal", enrolled_only=True),
    ("POST", CASE + "/aktiviteter/{activity_id:str}"): CaseCommand(
        case.ChangeActivity,
        case_form(given(status="done")),
        case_form(given(status="dropped", reason=""), "Ange varför aktiviteten avbryts."),
        stage="pågående",
        enrolled_only=True,
    ),
    ("GET", CASE + "/moten/nytt"): CaseRead(case.ScheduleMeeting, shows=""),
    ("POST", CASE + "/moten/nytt"): CaseCommand(
        case.ScheduleMeeting,
        case_form(meeting),
        case_form(
            lambda ctx: {**meeting(ctx), "invitee_ids": [foreign(ctx)]}, "Välj någon i teamet."
        ),
        stage="pågående",
    ),
    ("GET", MEETING): CaseRead("personal", enrolled_only=True),
    ("GET", MEETING + "/kalender.ics"): CaseRead(
        "sees", shows="", carries=False, enrolled_only=True
    ),
    ("POST", MEETING + "/hallet"): dated(
        case.RecordMeeting,
        given(held_on=today(), attended_parts=["FK"], decisions="Fortsätt enligt planen"),
        "held_on",
        "pågående",
        enrolled_only=True,
    ),
    ("POST", MEETING + "/flytta"): CaseCommand(
        case.MoveMeeting,
        case_form(given(starts_at=at(1, 10), place="Rum 5", reason="Krock")),
        case_form(
            given(starts_at=BAD_DATE + "T10:00", place="Rum 5", reason="Krock"),
            "Ange datum och tid",
        ),
        stage="pågående",
        enrolled_only=True,
    ),
    ("POST", MEETING + "/installt"): CaseCommand(
        case.CancelMeeting,
        case_form(given(cancel_reason="Sjukdom", bekraftat="ja")),
        case_form(given(cancel_reason=""), "Ange varför mötet ställs in."),
        stage="pågående",
        enrolled_only=True,
    ),
    ("POST", CASE + "/steg"): dated(
        case.RecordStep,
        given(to_level="2", step_on=today(), evidence="Praktik"),
        "step_on",
        "pågående",
    ),
    ("POST", CASE + "/sjalvskattning"): CaseCommand(
        case.RecordSelfAssessment,
        case_form(given(self_on=today(), phase="during", score="3")),
        case_form(given(self_on=today(), phase="during", score="0"), "Ange ett heltal från 1 till"),
        stage="pågående",
    ),
    ("POST", CASE + "/overlamning"): CaseCommand(
        case.HandOver,
        case_form(handover),
        case_form(lambda ctx: {**handover(ctx), "to_id": foreign(ctx)}, "Välj någon i teamet."),
        stage="pågående",
    ),
    ("GET", CASE + "/avslut"): CaseRead(case.CloseCase, shows=""),
    ("POST", CASE + "/avslut"): dated(case.CloseCase, CLOSURE, "closed_on", "pågående"),
    ("POST", CASE + "/ateroppna"): dated(
        case.ReopenCase,
        given(reopen_reason="Förlorade jobbet", consent_parts=["FK"], reopened_on=today()),
        "reopened_on",
        "avslutat",
    ),
    ("GET", CASE + "/uppfoljning/{months:int}"): CaseRead(case.RecordFollowUp, shows=""),
    ("POST", CASE + "/uppfoljning/{months:int}"): dated(
        case.RecordFollowUp,
        given(
            occupation="work",
            support_sources=["none"],
            obstacles="Inga",
            recorded_on=today(),
        ),
        "recorded_on",
        "avslutat",
    ),
    ("POST", CASE + "/efterstod/start"): dated(
        case.StartAfterSupport, given(started_on=today(), planned_end=""), "started_on", "avslutat"
    ),
    ("POST", CASE + "/efterstod/kontakt"): dated(
        case.LogAfterSupportContact,
        given(contacted_on=today(), note="Samtal"),
        "contacted_on",
        "efterstöd",
    ),
    ("POST", CASE + "/efterstod/slut"): dated(
        case.EndAfterSupport, given(ended_on=today()), "ended_on", "efterstöd"
    ),
    # Erasure and retention: the administratör asks and holds, someone else confirms.
    ("POST", CASE + "/radering"): CaseCommand(
        case.RequestErasure,
        case_form(given(erasure_reason="request")),
        case_form(given(erasure_reason=""), "Välj ett av alternativen."),
        stage="pågående",
        askers=(ADMINISTRATOR,),
    ),
    ("POST", CASE + "/radering/avbryt"): CaseCommand(
        case.CancelErasure,
        case_form(given()),
        case_form(given(), CHANGED, stale=True),
        stage="radering begärd",
        askers=(ADMINISTRATOR,),
    ),
    ("POST", CASE + "/radering/bekrafta"): CaseCommand(
        case.ConfirmErasure,
        case_form(given(understood="on")),
        case_form(given(), "Kryssa i att du förstår att raderingen inte kan ångras."),
        stage="radering begärd",
        askers=(TEAM_LEADER,),
    ),
    ("POST", CASE + "/gallring/undanta"): CaseCommand(
        case.HoldRetention,
        case_form(given(hold_reason="Begäran om utlämnande")),
        case_form(given(hold_reason=" "), "Skriv varför ärendet undantas från gallring."),
        stage="pågående",
        askers=(ADMINISTRATOR,),
    ),
    ("POST", CASE + "/gallring/slapp"): CaseCommand(
        case.ReleaseRetention,
        case_form(given()),
        case_form(given(), CHANGED, stale=True),
        stage="undantaget",
        askers=(ADMINISTRATOR,),
    ),
}


def route_table(app: Litestar) -> set[tuple[str, str]]:
    """(method, path template) of every handler the app routes to. OPTIONS is answered by
    Litestar itself on every path; anything but an HTTP route is listed by its kind."""
    table: set[tuple[str, str]] = set()
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            table |= {
                (str(method.upper()), route.path)
                for handler in route.route_handlers
                for method in handler.http_methods
                if method.upper() != "OPTIONS"
            }
        else:
            table.add((type(route).__name__, route.path))
    return table


PARAMETER = re.compile(r"\{(\w+):\w+\}")


def filled(path: str, values: Mapping[str, str]) -> str:
    """The route's path with its parameters filled in."""

    def value(found: re.Match[str]) -> str:
        name = found.group(1)
        assert name in values, f"{path}: give the test a value for {{{name}}} (World.values)"
        return values[name]

    return PARAMETER.sub(value, path)


# -- the world the tests run in: an app, its users and cases, signed-in clients -------------


@dataclass
class World:
    app: Litestar
    users: dict[str, User]
    insats_id: str
    target_insats_id: str
    volume_insats_id: str
    reminder_case: str = ""
    token_id: str = ""  # the samordnare's access token
    cases: list[CaseUnderTest] = field(default_factory=list)
    clients: dict[str, TestClient[Litestar]] = field(default_factory=dict)

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services

    def id_of(self, asker: Asker) -> str:
        return self.users[asker.email].id

    def target_account(self) -> Account:
        target = self.users[TARGET_EMAIL]
        accounts = self.services.accounts.team_accounts(target.team_id)
        return next(a for a in accounts if a.user.id == target.id)

    def target_insats(self) -> Insats:
        team = self.users[COORDINATOR.email].team_id
        found = self.services.insatser.team_insatser(team)
        return next(i for i in found if i.id == self.target_insats_id)

    def reminder_key(self, kind: str) -> str:
        mine = self.services.reminders.for_user(self.id_of(COORDINATOR))
        keys = [r.key for r in mine if r.case_id == self.reminder_case and r.key.startswith(kind)]
        return keys[0] if keys else f"{kind}:klar"  # done already: a key no one has

    def values(self, case_: CaseUnderTest | None = None) -> dict[str, str]:
        """What the routes' path parameters are filled in with."""
        found = {
            "user_id": self.users[TARGET_EMAIL].id,
            "insats_id": self.target_insats_id,
            "session_insats": self.volume_insats_id,
            "key": "arenden",
            "file_path": "samordna.css",
            "months": "3",
            "section": "deltagare",
            "index": "1",
            "token_id": self.token_id,
        }
        if case_ is not None:
            found.update(
                case_id=case_.case_id,
                meeting_id=case_.meeting_id,
                activity_id=case_.activity_id,
            )
        return found

    def version(self, case_id: str) -> int:
        return self.services.cases.store.stream_version(case_events.case_stream(case_id))

    def run(self, case_id: str, *commands: case.Command, by: Asker = COORDINATOR) -> None:
        """Commands of the samordnare (or `by`) through the case service (dates in the past
        allowed)."""
        actor = self.users[by.email]
        for command in commands:
            self.services.cases.execute(actor, case_id, self.version(case_id), command)


TARGET_EMAIL = "malperson@test"  # the user the administration pages are tried on


def referral(world: World) -> str:
    coordinator = world.users[COORDINATOR.email]
    return world.services.cases.register_referral(
        coordinator,
        lambda code: case.RegisterReferral(
            code,
            coordinator.team_id,
            Part.FK,
            "Remitterande handläggare",
            REASON,
            TODAY - timedelta(days=30),
        ),
    )


def received(world: World) -> CaseUnderTest:
    """A referral from FK, not yet decided: open to FK's handläggare and the samordnare."""
    return CaseUnderTest("remiss från FK", referral(world), frozenset({Part.FK}), enrolled=False)


def accepted(world: World) -> CaseUnderTest:
    case_id = referral(world)
    world.run(case_id, case.AcceptReferral(TODAY - timedelta(days=25)))
    return CaseUnderTest("godtagen remiss från FK", case_id, frozenset({Part.FK}), enrolled=False)


def open_case(world: World, parts: Sequence[Part], withdrawn: bool = False) -> CaseUnderTest:
    """An enrolled case with the participant's data in every kind of record: assessment,
    plan with an activity, a meeting later today, a step."""
    case_id, meeting_id, activity_id = referral(world), str(uuid.uuid4()), str(uuid.uuid4())
    coordinator = world.id_of(COORDINATOR)
    world.run(
        case_id,
        case.AcceptReferral(TODAY - timedelta(days=25)),
        case.Enrol(
            RegistrationType.PERSONAL,
            Gender.WOMAN,
            TODAY - timedelta(days=20),
            world.insats_id,
            coordinator,
            tuple(parts),
            "",
            case.Participant(NAME, PERSONNUMMER),
            AgeGroup.AGE_30_44,
            EducationLevel.UNKNOWN,
            (SupportSource.SOCIAL_ASSISTANCE,),
            TimeInSupport.FROM_1_TO_3,
            Occupation.JOBSEEKER,
            duplicate_reason="Testvärlden: samma deltagare i flera ärenden",
        ),
        case.RecordAssessment(SITUATION, "", "", "", OBSTACLES, "", "", TODAY - timedelta(days=15)),
        case.AgreePlan(
            case.Plan(
                GOAL,
                "",
                "",
                "",
                (
                    case.Activity(
                        activity_id,
                        ACTIVITY,
                        parts[0],
                        coordinator,
                        TODAY - timedelta(days=10),
                        TODAY + timedelta(days=30),
                    ),
                ),
                (coordinator,),
                True,
                TODAY - timedelta(days=10),
                TODAY + timedelta(days=80),
            )
        ),
        case.ScheduleMeeting(
            case.MeetingScheduled(
                meeting_id,
                datetime.combine(TODAY, time(23)),
                60,
                MeetingMode.IN_PERSON,
                PLACE,
                (coordinator,),
                True,
                "",
                AGENDA,
            )
        ),
        case.RecordStep(TODAY - timedelta(days=5), 1, EVIDENCE),
    )
    if withdrawn:
        world.run(case_id, case.WithdrawConsent("Vill inte längre", TODAY))
    label = "samtycket återkallat" if withdrawn else "samtycke " + "+".join(parts)
    return CaseUnderTest(
        label, case_id, frozenset(parts), withdrawn, meeting_id=meeting_id, activity_id=activity_id
    )


def closed(world: World) -> CaseUnderTest:
    return CaseUnderTest("avslutat", closed_case(world.app), frozenset({Part.FK, Part.KOMMUN}))


def in_after_support(world: World) -> CaseUnderTest:
    found = closed(world)
    world.run(
        found.case_id,
        case.StartAfterSupport(TODAY - timedelta(days=90), TODAY + timedelta(days=90)),
    )
    return found


# Where valid input of each command succeeds: a fresh case each time.
def erasure_asked(world: World) -> CaseUnderTest:
    """An open case whose erasure the administratör asked for."""
    found = open_case(world, (Part.FK, Part.KOMMUN))
    admin = world.id_of(ADMINISTRATOR)
    asked = case.RequestErasure(ErasureReason.REQUEST, admin, TODAY)
    world.run(found.case_id, asked, by=ADMINISTRATOR)
    return replace(found, label="radering begärd")


def held(world: World) -> CaseUnderTest:
    """An open case held from retention."""
    found = open_case(world, (Part.FK, Part.KOMMUN))
    hold = case.HoldRetention("Begäran om utlämnande", TODAY)
    world.run(found.case_id, hold, by=ADMINISTRATOR)
    return replace(found, label="undantaget från gallring")


def erased(world: World) -> CaseUnderTest:
    """A case whose participant's data was erased: asked for and confirmed by two people."""
    found = erasure_asked(world)
    confirmed = case.ConfirmErasure(world.id_of(TEAM_LEADER), TODAY)
    world.run(found.case_id, confirmed, by=TEAM_LEADER)
    return replace(found, label="raderat", erased=True)


STAGES: dict[str, Callable[[World], CaseUnderTest]] = {
    "remiss": received,
    "godtagen remiss": accepted,
    "pågående": lambda world: open_case(world, (Part.FK, Part.KOMMUN)),
    "återkallat": lambda world: open_case(world, (Part.FK, Part.KOMMUN), withdrawn=True),
    "avslutat": closed,
    "efterstöd": in_after_support,
    "radering begärd": erasure_asked,
    "undantaget": held,
}


def signed_in(client: TestClient[Litestar], asker: Asker) -> TestClient[Litestar]:
    client.get("/logga-in")  # the CSRF cookie
    if asker.role is not None:
        response = client.post(
            "/logga-in",
            data={"email": asker.email, "password": PASSWORD, **csrf(client)},
            follow_redirects=False,
        )
        assert response.status_code in (302, 303), response.text
    return client


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """Built once per database: the test team, a user of another team of each kind, the
    cases of every consent state, a closed case with reminders, a client per user."""
    with ExitStack() as stack:
        stack.enter_context(time_machine.travel(NOW, tick=True))
        directory = tmp_path_factory.mktemp("routes")
        if request.param == "sqlite":
            url = f"sqlite:///{directory / 'store.db'}"
        else:
            url = stack.enter_context(contextmanager(fresh_postgres_database)())
        app = stack.enter_context(contextmanager(build_app)(url, directory))
        services: Services = app.state.services
        accounts = services.accounts
        team, neighbours = team_of(app, COORDINATOR.email), team_of(app, NEIGHBOUR.email)
        accounts.create_user(
            neighbours, "Grannadmin", "grannadmin@test", Part.KOMMUN, Role.ADMINISTRATOR, PASSWORD
        )
        accounts.create_user(team, "Målperson", TARGET_EMAIL, Part.AF, Role.CASEWORKER, PASSWORD)
        insats_id = services.insatser.team_insatser(team)[0].id
        target_insats_id = services.insatser.add_insats(
            team, "Målinsats", InsatsType.OTHER, TODAY - timedelta(days=400), None
        )
        volume_insats_id = services.insatser.add_insats(  # older: not the one enrolled in
            team,
            "Gruppträffar",
            InsatsType.PREVENTIVE,
            TODAY - timedelta(days=1000),
            None,
            registration_kind=RegistrationKind.VOLUME,
        )
        staff = [*accounts.team_users(team), *accounts.team_users(neighbours)]
        world = World(
            app, {u.email: u for u in staff}, insats_id, target_insats_id, volume_insats_id
        )
        world.cases = [
            received(world),
            open_case(world, (Part.AF, Part.REGION)),
            open_case(world, (Part.FK, Part.KOMMUN)),
            open_case(world, tuple(Part), withdrawn=True),
            erased(world),
        ]
        world.reminder_case = closed(world).case_id
        coordinator = world.users[COORDINATOR.email]
        token_life = datetime.combine(TODAY + timedelta(days=30), time(), NOW.tzinfo)
        services.tokens.create(coordinator, "Skript", TokenScope.READ, token_life, NOW)
        world.token_id = services.tokens.tokens_of(coordinator)[0].id
        for asker in ASKERS:
            client = stack.enter_context(TestClient(app))
            world.clients[asker.email] = signed_in(client, asker)
        yield world


# -- asking, and judging the answer -----------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    # events, users, insatser and their sessions: what a refused request must not change
    writes: tuple[Any, ...]
    reads: int  # the asking user's Läslogg entries


def snapshot(world: World, asker: Asker) -> Snapshot:
    user_id = world.id_of(asker) if asker.role is not None else ""
    counts = (
        sa.select(sa.func.count()).select_from(events_table),
        sa.select(sa.func.count()).select_from(users),
        sa.select(sa.func.sum(users.c.version)),
        sa.select(sa.func.count()).select_from(insatser),
        sa.select(sa.func.sum(insatser.c.version)),
        sa.select(sa.func.count()).select_from(insats_sessions),
        sa.select(sa.func.count()).select_from(api_tokens).where(api_tokens.c.revoked_at.is_(None)),
        sa.select(sa.func.count()).select_from(calendar_feeds),
        sa.select(sa.func.count()).select_from(read_audit).where(read_audit.c.user_id == user_id),
    )
    with world.services.engine.connect() as conn:
        row = conn.execute(sa.select(*(c.scalar_subquery() for c in counts))).one()
    return Snapshot(tuple(row[:-1]), int(row[-1]))


@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    body: str
    before: Snapshot
    after: Snapshot

    @property
    def wrote(self) -> bool:
        return self.before.writes != self.after.writes

    @property
    def logged(self) -> bool:
        return self.after.reads > self.before.reads


def readable(response: Any) -> str:
    """The answer's text; a spreadsheet's cells."""
    if "spreadsheetml" in response.headers.get("content-type", ""):
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        return "\n".join(
            ";".join("" if v is None else str(v) for v in row)
            for row in sheet.iter_rows(values_only=True)
        )
    return str(response.text)


def ask(
    world: World,
    asker: Asker,
    method: str,
    url: str,
    data: dict[str, Any] | None = None,
    client: TestClient[Litestar] | None = None,
) -> Answer:
    client = client or world.clients[asker.email]
    before = snapshot(world, asker)
    if data is None:
        response = client.request(method, url, follow_redirects=False)
    else:
        response = client.request(
            method, url, data={**data, **csrf(client)}, follow_redirects=False
        )
    return Answer(
        response.status_code,
        response.headers.get("location", ""),
        readable(response),
        before,
        snapshot(world, asker),
    )


@contextmanager
def own_client(world: World, asker: Asker) -> Iterator[TestClient[Litestar]]:
    with TestClient(world.app) as client:
        yield signed_in(client, asker)


def post(world: World, asker: Asker, url: str, form: Form, ctx: Context) -> Answer:
    data = form.fields(ctx)
    if not form.own_client:
        return ask(world, asker, "POST", url, data)
    with own_client(world, asker) as client:
        return ask(world, asker, "POST", url, data, client)


Problem = tuple[str, str]  # (kind, what went wrong)


def judge(
    answer: Answer,
    verdict: Verdict,
    statuses: tuple[int, ...],
    message: str = "",
    may_write: bool = False,
    shows: bool = False,
    check_log: bool = True,
    page: bool = True,
) -> list[Problem]:
    """What is wrong with an answer, given what the user must get (`page`: an HTML page,
    which shows a refused form again)."""
    problems: list[Problem] = []
    if verdict.refusal is not None:
        if answer.status != verdict.refusal or not answer.location.startswith(verdict.to):
            problems.append(
                (
                    "status",
                    f"väntade {verdict.refusal} {verdict.to}".rstrip()
                    + f", fick {answer.status} {answer.location}".rstrip(),
                )
            )
        if answer.wrote:
            problems.append(("skrivning", "en nekad begäran ändrade något"))
    else:
        if answer.status not in statuses:
            problems.append(("status", f"väntade {statuses}, fick {answer.status}"))
        if message and message not in answer.body:
            problems.append(("meddelande", f"saknar «{message}»"))
        if page and answer.status == 422 and "<form" not in answer.body:
            problems.append(("meddelande", "422 utan formuläret"))
        if answer.wrote and not may_write:
            problems.append(("skrivning", "ändrade något fast svaret var ett fel"))
    shown = markers_in(answer.body)
    if shown and not verdict.personal:
        problems.append(("personuppgifter", f"visar {', '.join(shown)}"))
    if shown and not answer.logged:
        problems.append(("läslogg", "visar personuppgifter utan Läslogg"))
    if check_log and answer.logged != verdict.personal:
        expected = "en Läslogg-post" if verdict.personal else "ingen Läslogg-post"
        problems.append(("läslogg", f"väntade {expected}"))
    if shows and verdict.personal and verdict.refusal is None and not shown:
        problems.append(("personuppgifter", "visar inte deltagarens uppgifter"))
    return problems


# -- what the application does not yet do as decided ------------------------------------------


@dataclass(frozen=True)
class Finding:
    method: str
    path: str
    who: Asker
    state: str
    probe: str
    kind: str
    detail: str

    def __str__(self) -> str:
        where = f" · {self.state}" if self.state else ""
        return (
            f"{self.method} {self.path} · {self.who.label}{where} · {self.probe}: "
            f"[{self.kind}] {self.detail}"
        )


Where = tuple[str, str, Asker, str]  # method, path, who asks, the case's state


def noted(where: Where, probe: str, problems: list[Problem]) -> list[Finding]:
    return [Finding(*where, probe, kind, detail) for kind, detail in problems]


@dataclass(frozen=True)
class Gap:
    """A mismatch the application is known to have: which route, what kind, for whom."""

    method: str
    path: str
    kind: str
    who: Callable[[Asker], bool]
    state: str  # a part of the case's state ("" any)
    reason: str

    def covers(self, finding: Finding) -> bool:
        return (
            (finding.method, finding.path, finding.kind) == (self.method, self.path, self.kind)
            and self.who(finding.who)
            and self.state in finding.state
        )


KNOWN_GAPS: tuple[Gap, ...] = ()


def assert_as_decided(findings: list[Finding], tried: set[tuple[str, str]]) -> None:
    gaps = [g for g in KNOWN_GAPS if (g.method, g.path) in tried]
    unexpected = [f for f in findings if not any(g.covers(f) for g in gaps)]
    gone = [g for g in gaps if not any(g.covers(f) for f in findings)]
    lines = [f"{len(unexpected)} answers differ from the access decisions:"]
    lines += [f"  {f}" for f in unexpected]
    if gone:
        lines.append("KNOWN_GAPS that no longer occur (remove them):")
        lines += [f"  {g.method} {g.path} [{g.kind}]: {g.reason}" for g in gone]
    if unexpected or gone:
        pytest.fail("\n".join(lines), pytrace=False)


def decided(world: World) -> list[tuple[str, str, Decision]]:
    """The app's routes in path order, each with its decision."""
    table = sorted(route_table(world.app) & DECISIONS.keys())
    return [(method, path, DECISIONS[(method, path)]) for method, path in table]


# -- the tests -------------------------------------------------------------------------------


# The JSON API's routes have their decisions in test_access_api.py, tried the same way.
API = "/api/"


def test_every_route_has_an_access_decision(world: World) -> None:
    table = {(method, path) for method, path in route_table(world.app) if not path.startswith(API)}
    missing = sorted(table - DECISIONS.keys())
    if missing:
        pytest.fail(
            "Routes without an access decision: add each to DECISIONS in "
            "tests/web/test_access_routes.py, saying who may use it (the gate's rules in "
            "coordination/cases/gate.py, a rule of coordination/shared/access.py, or Public), "
            "with a valid and an invalid form for a POST:\n"
            + "\n".join(f"  {method} {path}" for method, path in missing),
            pytrace=False,
        )
    gone = sorted(DECISIONS.keys() - table)
    if gone:
        pytest.fail(
            "DECISIONS names routes the app no longer has: remove them:\n"
            + "\n".join(f"  {method} {path}" for method, path in gone),
            pytrace=False,
        )
    for entry in PAGES:  # the menu and the table agree on who opens each page
        decision = DECISIONS[("GET", entry.path)]
        assert isinstance(decision, Page) and decision.rule is entry.rule, entry.path


def case_verdict(
    asker: Asker, case_: CaseUnderTest, opened_by: Opener, carries: bool = True
) -> Verdict:
    if asker.role is None:
        return SIGN_IN
    if not sees(asker):
        return NOT_FOUND
    if opened_by == "personal":
        allowed = opens(asker, case_)
    elif isinstance(opened_by, type):
        allowed = runs(asker, case_, opened_by)
    else:
        allowed = True
    if not allowed:
        return FORBIDDEN
    return Verdict(personal=carries and opens(asker, case_))


def cases_for(world: World, asker: Asker, enrolled_only: bool) -> list[CaseUnderTest]:
    """The cases a user is tried on: every one for a handläggare, whose part the consent
    covers or not; for the others, to whom the consent's parts make no difference, the case
    whose consent covers the part of most of them (FK+KOMMUN); one case for nobody."""
    referral, af_region, fk_kommun, withdrawn, gone = world.cases
    if asker.role is None:
        return [fk_kommun]
    found = [referral, af_region, fk_kommun, withdrawn, gone]
    if asker.role is not Role.CASEWORKER:
        found.remove(af_region)
    return [c for c in found if c.enrolled or not enrolled_only]


def test_the_routes_of_a_case_follow_the_gate(world: World) -> None:
    """Every user against every case: a page is shown or refused as the gate decides; a
    command is refused with valid and invalid input alike, or let through, which an invalid
    form (422) and a form of an older version ("Ärendet har ändrats") show without changing
    the case."""
    findings: list[Finding] = []
    routes = [(m, p, d) for m, p, d in decided(world) if isinstance(d, CaseRead | CaseCommand)]
    for method, path, decision in routes:
        for asker in ASKERS:
            for case_ in cases_for(world, asker, decision.enrolled_only):
                url = filled(path, world.values(case_))
                where = (method, path, asker, case_.state_for(asker))
                if isinstance(decision, CaseRead):
                    verdict = case_verdict(asker, case_, decision.opened_by, decision.carries)
                    shows = decision.shows == "participant" or (
                        decision.shows == "records" and case_.enrolled
                    )
                    answer = ask(world, asker, "GET", url)
                    findings += noted(where, "läsning", judge(answer, verdict, (200,), shows=shows))
                    continue
                verdict = case_verdict(asker, case_, decision.command)
                current = world.version(case_.case_id)
                if verdict.refusal is None:
                    # The form's own message shows where the case's stage draws the form
                    # (tried below); an older version's message shows on every page.
                    probes = [
                        ("ogiltig", decision.invalid),
                        ("giltig, gammal version", Form(decision.valid.fields, CHANGED, True)),
                    ]
                else:
                    probes = [("giltig", decision.valid), ("ogiltig", decision.invalid)]
                for probe, form in probes:
                    ctx = Context(world, case_, current - 1 if form.stale else current)
                    answer = post(world, asker, url, form, ctx)
                    message = form.message if form.stale else ""
                    findings += noted(where, probe, judge(answer, verdict, (422,), message))
    assert_as_decided(findings, {(m, p) for m, p, _ in routes})


def test_each_command_runs_for_those_the_gate_lets(world: World) -> None:
    """A samordnare and a handläggare of a covered part post each command's form on a fresh
    case at the stage where it applies: invalid input comes back (422) with the form and a
    Swedish message beside it and changes nothing; valid input runs and the case moves on."""
    findings: list[Finding] = []
    routes = [(m, p, d) for m, p, d in decided(world) if isinstance(d, CaseCommand)]
    for method, path, decision in routes:
        for asker in decision.askers:
            fresh = STAGES[decision.stage](world)
            verdict = case_verdict(asker, fresh, decision.command)
            if verdict.refusal is not None:
                continue  # refused users are tried on every case above
            url = filled(path, world.values(fresh))
            where = (method, path, asker, fresh.label)
            version = world.version(fresh.case_id)
            invalid = decision.invalid
            ctx = Context(world, fresh, version - 1 if invalid.stale else version)
            answer = post(world, asker, url, invalid, ctx)
            findings += noted(where, "ogiltig", judge(answer, verdict, (422,), invalid.message))
            answer = post(world, asker, url, decision.valid, Context(world, fresh, version))
            problems = judge(answer, verdict, (302, 303), may_write=True, check_log=False)
            if not answer.location.startswith(f"/arenden/{fresh.case_id}"):
                problems.append(("status", f"leder till {answer.location!r}"))
            if world.version(fresh.case_id) == version:
                problems.append(("skrivning", "ärendet ändrades inte"))
            findings += noted(where, "giltig", problems)
    assert_as_decided(findings, {(m, p) for m, p, _ in routes})


def page_verdict(
    world: World, asker: Asker, decision: Public | Page | OwnReminder | OwnToken
) -> Verdict:
    if isinstance(decision, Public):
        return Verdict()
    if asker.role is None:
        return SIGN_IN
    if isinstance(decision, OwnToken):  # the token tried is the samordnare's
        return Verdict() if asker is COORDINATOR else NOT_FOUND
    if isinstance(decision, OwnReminder):  # the reminders tried are the samordnare's
        if not access.can_see_case_list(world.users[asker.email]):
            return FORBIDDEN  # no reminders at all: the page is not theirs
        return Verdict() if asker is COORDINATOR else NOT_FOUND
    if not decision.rule(world.users[asker.email]):
        return decision.refused
    if decision.team_only and not asker.own_team:
        return NOT_FOUND
    personal = decision.personnummer and any(opens(asker, c) for c in world.cases)
    return Verdict(personal=personal or (decision.subject_access and asker.own_team))


def test_the_pages_outside_the_cases_follow_their_rules(world: World) -> None:
    """Every user against every page outside the cases: shown to those its rule lets in,
    refused (nothing written) to the rest, another team's user does not find what names
    this team's people; a form's invalid input comes back (422) with its message, valid
    input is taken. Only the SUS export shows personal data, and logs it."""
    findings: list[Finding] = []
    routes = [
        (m, p, d)
        for m, p, d in decided(world)
        if isinstance(d, Public | Page | OwnReminder | OwnToken)
    ]
    for method, path, decision in routes:
        url = filled(path, world.values())
        for asker in ASKERS:
            verdict = page_verdict(world, asker, decision)
            where = (method, path, asker, "")
            if method in ("GET", "HEAD"):
                answer = ask(world, asker, method, url)
                shows = isinstance(decision, Page) and decision.personnummer
                answers = decision.answers if isinstance(decision, Public) else (200,)
                findings += noted(where, "läsning", judge(answer, verdict, answers, shows=shows))
                continue
            if isinstance(decision, Public) and asker.role is not None:
                continue  # the login form is posted by someone signed out
            invalid = None if isinstance(decision, OwnToken) else decision.invalid
            probes = [("ogiltig", invalid), ("giltig", decision.valid)]
            for probe, form in probes:
                if form is None:
                    continue
                answer = post(world, asker, url, form, Context(world))
                if probe == "ogiltig":  # bad input shows nothing of anyone
                    shown = replace(verdict, personal=False)
                    findings += noted(where, probe, judge(answer, shown, (422,), form.message))
                else:
                    findings += noted(
                        where, probe, judge(answer, verdict, (200, 302, 303), may_write=True)
                    )
    assert_as_decided(findings, {(m, p) for m, p, _ in routes})


def test_the_calendar_feed_opens_to_its_secret_only(world: World) -> None:
    """The feed's address opens to anyone who has it, signed in or not, and shows no
    personal data (so writes no Läslogg entry); any other secret is not found, to anyone."""
    findings: list[Finding] = []
    routes = [(m, p) for m, p, d in decided(world) if isinstance(d, SecretAddress)]
    secret = world.services.feeds.subscribe(world.users[COORDINATOR.email], NOW)
    for method, path in routes:
        for asker in ASKERS:
            for feed, verdict in (
                (secret + ".ics", Verdict()),
                ("okand-hemlighet.ics", NOT_FOUND),
                (secret, NOT_FOUND),  # the address is the secret and .ics
            ):
                answer = ask(world, asker, method, filled(path, {"feed": feed}))
                where = (method, path, asker, "")
                findings += noted(where, "läsning", judge(answer, verdict, (200,)))
    assert_as_decided(findings, set(routes))
