"""The case page, the decision on the referral, enrolment and consent."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from coordination.cases import domain as case
from coordination.cases.board import CaseRow
from coordination.cases.web import sections
from coordination.cases.web.desk import DESK, CaseDesk, Confirmation, case_page, posted
from coordination.shared import bounds
from coordination.shared.forms import FormErrors
from coordination.shared.vocabulary import (
    AgeGroup,
    EducationLevel,
    Gender,
    Occupation,
    Part,
    RegistrationType,
    SupportSource,
    TimeInSupport,
)
from coordination.shared.web import Form

DECLINE = Confirmation(
    "Avböja remissen?",
    "Ja, avböj remissen",
    lambda row: [
        "Deltagaren skrivs inte in. Ärendet hamnar bland de avböjda remisserna.",
        f"Skälet sparas i ärendet. Tala med {row.from_part.label}, som remitterade, om vad "
        "som händer nu.",
    ],
)


def _withdrawal(row: CaseRow) -> list[str]:
    covered = [p.label for p in row.consent_parts]
    return [
        "Ingen part ser längre deltagarens personuppgifter i ärendet: "
        + (", ".join(covered) if covered else "ingen part omfattas i dag")
        + " slutar se dem från och med nu.",
        "Planen, mötena och stegen står kvar men visas inte förrän samtycket förnyas.",
        "Sedan kan bara teamets samordnare göra något i ärendet: förnya samtycket, "
        "avsluta det eller öppna det igen.",
    ]


WITHDRAW = Confirmation("Återkalla samtycket?", "Ja, återkalla samtycket", _withdrawal)


class CaseController(Controller):
    """One case and its commands: every handler below the case's own path gets the desk."""

    path = "/arenden/{case_id:str}"
    dependencies = DESK


class CasePageController(CaseController):
    @get(sync_to_thread=True)
    def case_page(self, case_id: FromPath[str], desk: NamedDependency[CaseDesk]) -> Response[bytes]:
        return case_page(desk, desk.open(case_id, "ärendesidan"))

    @get("/avsnitt/{section:str}", sync_to_thread=True)
    def case_section(
        self, case_id: FromPath[str], section: FromPath[str], desk: NamedDependency[CaseDesk]
    ) -> Response[bytes]:
        shown = sections.section_named(section)
        return case_page(desk, desk.open(case_id, f"ärendesidan: {shown.title}"), shown)

    @post("/godta", sync_to_thread=True)
    def accept_referral(
        self, case_id: FromPath[str], data: Form, desk: NamedDependency[CaseDesk]
    ) -> Response[Any]:
        return desk.act(
            case_id, posted(data), lambda f, e: case.AcceptReferral(e.date(f, "accepted_on"))
        )

    @post("/avboj", sync_to_thread=True)
    def decline_referral(
        self, case_id: FromPath[str], data: Form, desk: NamedDependency[CaseDesk]
    ) -> Response[Any]:
        return desk.act(
            case_id,
            posted(data),
            lambda f, e: case.DeclineReferral(
                e.free_text(f, "decline_reason"), e.date(f, "declined_on")
            ),
            confirm=DECLINE,
        )

    @post("/inskrivning", sync_to_thread=True)
    def enrol(
        self, case_id: FromPath[str], data: Form, desk: NamedDependency[CaseDesk]
    ) -> Response[Any]:
        team_insatser = {i.id: i for i in desk.insatser.team_insatser(desk.user.team_id)}

        def build(f: dict[str, Any], e: FormErrors) -> case.Enrol:
            start_date = e.date(f, "start_date")
            chosen = team_insatser.get(f.get("insats_id", ""))
            if chosen is None:
                e["insats_id"] = "Välj en av teamets insatser."
            elif problem := chosen.enrolment_problem(None if "start_date" in e else start_date):
                e["insats_id"] = problem
            return case.Enrol(
                registration_type=e.choice(f, "registration_type", RegistrationType)
                or RegistrationType.PERSONAL,
                gender=e.choice(f, "gender", Gender) or Gender.WOMAN,
                start_date=start_date,
                insats_id=e.text(f, "insats_id", bounds.NAME_LENGTH),
                coordinator_id=e.text(f, "coordinator_id", bounds.NAME_LENGTH),
                consent_parts=e.choices(f["consent_parts"], "consent_parts", Part),
                consent_note=e.free_text(f, "consent_note"),
                participant=case.Participant(
                    e.text(f, "name", bounds.NAME_LENGTH),
                    e.text(f, "personnummer", bounds.NAME_LENGTH),
                    e.text(f, "phone", bounds.NAME_LENGTH),
                    e.text(f, "email", bounds.NAME_LENGTH),
                    e.text(f, "address"),
                ),
                age_group=e.optional_choice(f, "age_group", AgeGroup),
                education=e.optional_choice(f, "education", EducationLevel),
                support_sources=e.choices(f["support_sources"], "support_sources", SupportSource),
                time_in_support=e.optional_choice(f, "time_in_support", TimeInSupport),
                occupation=e.optional_choice(f, "occupation", Occupation),
                duplicate_reason=e.free_text(f, "duplicate_reason"),
            )

        return desk.act(case_id, posted(data), build)

    @post("/samtycke/aterkalla", sync_to_thread=True)
    def withdraw_consent(
        self, case_id: FromPath[str], data: Form, desk: NamedDependency[CaseDesk]
    ) -> Response[Any]:
        today = desk.clock.today()
        return desk.act(
            case_id,
            posted(data),
            lambda f, e: case.WithdrawConsent(e.text(f, "withdraw_reason"), today),
            confirm=WITHDRAW,
        )

    @post("/samtycke/fornya", sync_to_thread=True)
    def renew_consent(
        self, case_id: FromPath[str], data: Form, desk: NamedDependency[CaseDesk]
    ) -> Response[Any]:
        today = desk.clock.today()
        return desk.act(
            case_id,
            posted(data),
            lambda f, e: case.RenewConsent(
                e.choices(f["consent_parts"], "consent_parts", Part),
                e.free_text(f, "consent_note"),
                today,
            ),
        )


CONTROLLERS = [CasePageController]
