"""The case page's sections: the journey as a task list, each section with its own URL, and
what the page says after each save."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from litestar.exceptions import NotFoundException

from coordination.cases import domain as case
from coordination.cases.board import CaseRow
from coordination.shared.vocabulary import RegistrationType, Stage


@dataclass(frozen=True)
class Section:
    slug: str
    title: str


PARTICIPANT = Section("deltagare", "Deltagare och samtycke")
ASSESSMENT = Section("kartlaggning", "Kartläggning")
PLAN = Section("handlingsplan", "Handlingsplan")
MEETINGS = Section("moten", "Nätverksmöten")
STEPS = Section("steg", "Steg mot arbete")
HANDOVERS = Section("overlamningar", "Ansvar och överlämningar")
CLOSURE = Section("avslut", "Avslut och uppföljning")
TIMELINE = Section("tidslinje", "Tidslinje")
SECTIONS = (PARTICIPANT, ASSESSMENT, PLAN, MEETINGS, STEPS, HANDOVERS, CLOSURE, TIMELINE)


def section_named(slug: str) -> Section:
    for section in SECTIONS:
        if section.slug == slug:
            return section
    raise NotFoundException("Det avsnittet finns inte.")


# How far a section has come, as a task list says it: a tag to act on, or a plain word.
TODO, DONE, NOT_YET, INFO = "todo", "done", "not-yet", "info"


@dataclass(frozen=True)
class Task:
    section: Section
    status: str
    kind: str


def tasks(row: CaseRow, happened: Sequence[str]) -> list[Task]:
    """Each section's status, from the case's row and the kinds of the events it has had
    (which carry no personal data)."""
    enrolled = row.start_date is not None
    open_case = row.stage in (Stage.ENROLLED, Stage.PLANNING, Stage.ONGOING)
    personal = row.registration_type is RegistrationType.PERSONAL

    def participant() -> Task:
        if row.stage is Stage.REFERRAL:
            return Task(PARTICIPANT, "Skriv in" if row.accepted_on else "Bedöm remissen", TODO)
        if row.stage is Stage.DECLINED:
            return Task(PARTICIPANT, "Remissen avböjd", DONE)
        if row.consent_withdrawn:
            return Task(PARTICIPANT, "Samtycket återkallat", TODO)
        return Task(PARTICIPANT, "Klart", DONE)

    def ongoing(section: Section, done: bool, todo: str = "Att göra") -> Task:
        if not enrolled:
            return Task(section, "Kan inte påbörjas än", NOT_YET)
        if done:
            return Task(section, "Klart", DONE)
        if open_case and personal:
            return Task(section, todo, TODO)
        return Task(section, "Inte gjord", INFO)

    def meetings() -> Task:
        if not enrolled:
            return Task(MEETINGS, "Kan inte påbörjas än", NOT_YET)
        if row.next_meeting_at:
            return Task(MEETINGS, f"Nästa {row.next_meeting_at:%Y-%m-%d %H:%M}", INFO)
        held = "MeetingHeld" in happened
        return Task(MEETINGS, "Inget planerat" if held else "Inga ännu", INFO)

    def closure() -> Task:
        if row.stage is Stage.CLOSED:
            return Task(CLOSURE, f"Avslutat {row.closed_on}", DONE)
        if not enrolled:
            return Task(CLOSURE, "Kan inte påbörjas än", NOT_YET)
        return Task(CLOSURE, "Pågår", INFO)

    level = "Inga ännu" if row.level is None else f"Nivå {row.level}"
    handovers = f"{row.handovers} hittills" if row.handovers else "Inga"
    return [
        participant(),
        ongoing(ASSESSMENT, "AssessmentRecorded" in happened),
        ongoing(PLAN, row.plan_version > 0, "Gör planen"),
        meetings(),
        Task(STEPS, level, INFO) if enrolled else Task(STEPS, "Kan inte påbörjas än", NOT_YET),
        Task(HANDOVERS, handovers, INFO),
        closure(),
        Task(TIMELINE, f"{len(happened)} händelser", INFO),
    ]


def next_section(row: CaseRow, listed: list[Task]) -> Section:
    """Where the case page opens: the first section with something to do, else where the
    case is."""
    for task in listed:
        if task.kind == TODO:
            return task.section
    if row.stage is Stage.CLOSED:
        return CLOSURE
    if row.stage is Stage.ONGOING:
        return STEPS
    return PARTICIPANT


# Where each command is done and what the page says after it was saved.
AFTER: dict[type, tuple[Section, str]] = {
    case.RegisterReferral: (PARTICIPANT, "Remissen är registrerad. Bedöm den här."),
    case.AcceptReferral: (PARTICIPANT, "Remissen är godtagen. Nu kan deltagaren skrivas in."),
    case.DeclineReferral: (PARTICIPANT, "Remissen är avböjd."),
    case.Enrol: (PARTICIPANT, "Deltagaren är inskriven."),
    case.WithdrawConsent: (PARTICIPANT, "Samtycket är återkallat."),
    case.RenewConsent: (PARTICIPANT, "Samtycket är förnyat."),
    case.RecordAssessment: (ASSESSMENT, "Kartläggningen är sparad."),
    case.AgreePlan: (PLAN, "Handlingsplanen är sparad."),
    case.ChangeActivity: (PLAN, "Aktivitetens status är ändrad."),
    case.ScheduleMeeting: (MEETINGS, "Nätverksmötet är planerat. Inbjudna får en påminnelse."),
    case.MoveMeeting: (MEETINGS, "Nätverksmötet är flyttat."),
    case.CancelMeeting: (MEETINGS, "Nätverksmötet är inställt."),
    case.RecordMeeting: (MEETINGS, "Nätverksmötet är registrerat."),
    case.RecordStep: (STEPS, "Steget är registrerat."),
    case.RecordSelfAssessment: (STEPS, "Självskattningen är registrerad."),
    case.HandOver: (HANDOVERS, "Ansvaret är överlämnat."),
    case.CloseCase: (CLOSURE, "Ärendet är avslutat. Uppföljningarna påminns när de ska göras."),
    case.ReopenCase: (CLOSURE, "Ärendet är öppnat igen."),
    case.RecordFollowUp: (CLOSURE, "Uppföljningen är registrerad."),
    case.StartAfterSupport: (CLOSURE, "Efterstödet har startat."),
    case.LogAfterSupportContact: (CLOSURE, "Kontakten är loggad."),
    case.EndAfterSupport: (CLOSURE, "Efterstödet är avslutat."),
    case.RequestErasure: (PARTICIPANT, "Raderingen är begärd. Någon annan behöver bekräfta."),
    case.CancelErasure: (PARTICIPANT, "Begäran om radering är tillbakatagen."),
    case.ConfirmErasure: (PARTICIPANT, "Deltagarens personuppgifter är raderade."),
    case.HoldRetention: (PARTICIPANT, "Ärendet är undantaget från gallring."),
    case.ReleaseRetention: (PARTICIPANT, "Undantaget från gallring är hävt."),
}


def after(command: object) -> tuple[Section, str]:
    return AFTER.get(type(command), (PARTICIPANT, "Ändringen är sparad."))


def saved_message(name: str) -> str:
    """The banner for `?klart=<command>` (the command's name: no personal data in URLs)."""
    for kind, (_, message) in AFTER.items():
        if kind.__name__ == name:
            return message
    return ""


def section_of_attempt(attempt: str) -> Section:
    """The section whose form was posted to `attempt` (the path below the case's)."""
    first = attempt.split("/", 1)[0]
    return {
        "godta": PARTICIPANT,
        "avboj": PARTICIPANT,
        "inskrivning": PARTICIPANT,
        "samtycke": PARTICIPANT,
        "radering": PARTICIPANT,
        "gallring": PARTICIPANT,
        "kartlaggning": ASSESSMENT,
        "plan": PLAN,
        "aktiviteter": PLAN,
        "moten": MEETINGS,
        "steg": STEPS,
        "sjalvskattning": STEPS,
        "overlamning": HANDOVERS,
        "avslut": CLOSURE,
        "ateroppna": CLOSURE,
        "uppfoljning": CLOSURE,
        "efterstod": CLOSURE,
    }.get(first, PARTICIPANT)
