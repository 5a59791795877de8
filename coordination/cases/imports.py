"""Back-registration of existing caseloads: one row per case of a spreadsheet (CSV or Excel)
with its referral, enrolment, closure and follow-ups.

Every row is checked first, by the same decider as the forms, each command on its own date,
and the problems are reported per row and column in Swedish; only a file without problems is
stored, through the bulk path. A case's id comes from the team and the row's case code, so the
same file imported twice adds nothing the second time."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from openpyxl import load_workbook

import events
from coordination.accounts.insatser import Insats
from coordination.cases import domain as case
from coordination.cases.service import CaseHistory, Cases
from coordination.shared import bounds
from coordination.shared.access import User
from coordination.shared.vocabulary import (
    AgeGroup,
    ClosureKind,
    ClosureReason,
    EducationLevel,
    Gender,
    Labelled,
    Occupation,
    Part,
    RegistrationType,
    Role,
    SupportSource,
    TimeInSupport,
)

FOLLOW_UP_MONTHS = (3, 6, 12)
CODE_LENGTH = 20  # as the cases' table holds a code

# The template's columns, in order: (heading, what it holds, as the import page shows it).
COLUMNS: list[tuple[str, str]] = [
    ("Ärendekod", "ärendets kod i det gamla systemet: gör att raden bara importeras en gång"),
    ("Remissdatum", "ÅÅÅÅ-MM-DD"),
    ("Remitterande part", "Arbetsförmedlingen, Försäkringskassan, Region eller Kommun"),
    ("Remitterande handläggare", "namn"),
    ("Anledning till remissen", "text"),
    ("Godtagen", "ÅÅÅÅ-MM-DD; tomt: remissdatumet"),
    ("Registreringstyp", "Med personuppgifter eller Anonym"),
    ("Namn", "vid registrering med personuppgifter"),
    ("Personnummer", "vid registrering med personuppgifter, ÅÅÅÅMMDD-NNNN"),
    ("Samtycke", "parterna samtycket gäller, med ; emellan"),
    ("Kön", "Kvinna eller Man"),
    ("Åldersgrupp", "vid anonym registrering"),
    ("Utbildningsnivå", "som i SUS"),
    ("Försörjning vid inskrivning", "som i SUS, flera med ; emellan"),
    ("Tid i offentlig försörjning", "som i SUS"),
    ("Sysselsättning vid inskrivning", "som i SUS"),
    ("Insats", "namnet på en av teamets insatser, också en avslutad"),
    ("Startdatum", "ÅÅÅÅ-MM-DD"),
    ("Samordnare", "e-post till en av teamets samordnare; tomt: den som importerar, om samordnare"),
    ("Avslutsdatum", "ÅÅÅÅ-MM-DD; tomt för ett pågående ärende"),
    ("Avslutstyp", "Genomförd, Avbruten eller Felregistrerad"),
    ("Avslutsorsak", "som i SUS"),
    ("Sysselsättning vid avslut", "som i SUS, eller Uppgift saknas"),
    ("Försörjning vid avslut", "som i SUS, eller Uppgift saknas"),
    ("Nästa steg", "vad som händer efter teamet; tomt: inget nästa steg"),
    *(
        heading
        for months in FOLLOW_UP_MONTHS
        for heading in (
            (f"Uppföljning {months} mån, datum", "ÅÅÅÅ-MM-DD; tomt: inte gjord"),
            (f"Uppföljning {months} mån, sysselsättning", "som i SUS"),
            (f"Uppföljning {months} mån, försörjning", "som i SUS, flera med ; emellan"),
        )
    ),
]
HEADINGS = [heading for heading, _ in COLUMNS]

# Where the decider's field names are in the file.
FIELD_COLUMNS = {
    "case_code": "Ärendekod",
    "referral_date": "Remissdatum",
    "from_part": "Remitterande part",
    "from_caseworker": "Remitterande handläggare",
    "reason": "Anledning till remissen",
    "accepted_on": "Godtagen",
    "registration_type": "Registreringstyp",
    "name": "Namn",
    "personnummer": "Personnummer",
    "consent_parts": "Samtycke",
    "gender": "Kön",
    "age_group": "Åldersgrupp",
    "education": "Utbildningsnivå",
    "support_sources": "Försörjning vid inskrivning",
    "time_in_support": "Tid i offentlig försörjning",
    "occupation": "Sysselsättning vid inskrivning",
    "insats_id": "Insats",
    "start_date": "Startdatum",
    "coordinator_id": "Samordnare",
    "closed_on": "Avslutsdatum",
    "kind": "Avslutstyp",
    "next_step": "Nästa steg",
}


@dataclass(frozen=True)
class Problem:
    row: int  # as the spreadsheet numbers it: the headings are row 1
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Rad {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ImportTeam:
    """What rows may name: the team, its people by e-mail and its insatser by name (with
    the days each ran), and who imports."""

    team_id: str
    importer: User
    coordinators: Mapping[str, User]  # by lower-case e-mail
    # by name: (id, from, to) of each insats of that name (one, unless names repeat)
    insatser: Mapping[str, Sequence[tuple[str, date, date | None]]]
    # the id of the case that has this code already, in any team
    code_owner: Callable[[str], str | None] = lambda code: None
    # whether the person with this personnummer has an open case other than this one
    open_elsewhere: Callable[[str, str], bool] = lambda number, case_id: False


def import_team(
    cases: Cases, importer: User, staff: Sequence[User], insatser: Iterable[Insats]
) -> ImportTeam:
    """What a file imported by `importer` into their team may name, and how it meets the
    cases there are."""
    named: dict[str, list[tuple[str, date, date | None]]] = {}
    for insats in insatser:
        if not insats.counted:
            named.setdefault(insats.name, []).append(
                (insats.id, insats.active_from, insats.active_to)
            )
    return ImportTeam(
        importer.team_id,
        importer,
        {u.email: u for u in staff if u.role is Role.COORDINATOR},
        named,
        cases.case_with_code,
        lambda number, case_id: bool(cases.open_cases_of_person(importer, case_id, number)),
    )


@dataclass
class Plan:
    histories: list[CaseHistory] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0


class ImportFileError(ValueError):
    """The file cannot be read as the template: its message says why, in Swedish."""


def read_rows(filename: str, content: bytes) -> list[dict[str, str]]:
    """The rows of a CSV (semicolon or comma, UTF-8) or Excel file under the template's
    headings, as text."""
    if filename.lower().endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception as error:  # openpyxl raises many kinds for a file that is not xlsx
            raise ImportFileError("Filen går inte att läsa som en Excel-fil (.xlsx).") from error
        if sheet is None:
            raise ImportFileError("Excel-filen har inget blad.")
        try:
            table = [[_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
        except Exception as error:  # a damaged sheet shows itself only when it is read
            raise ImportFileError("Filen går inte att läsa som en Excel-fil (.xlsx).") from error
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportFileError("CSV-filen ska vara sparad som UTF-8.") from error
        first = text.splitlines()[0] if text else ""
        # Swedish spreadsheets save with semicolons; the headings themselves hold commas
        delimiter = ";" if ";" in first else ","
        try:
            table = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        except csv.Error as error:
            raise ImportFileError("CSV-filen går inte att läsa: en cell är för lång.") from error
    if not table:
        raise ImportFileError("Filen är tom.")
    headings = [h.strip() for h in table[0]]
    missing = [h for h in HEADINGS if h not in headings]
    if missing:
        raise ImportFileError("Kolumner saknas: " + ", ".join(missing) + ". Utgå från mallen.")
    twice = sorted({h for h in headings if h and headings.count(h) > 1})
    if twice:
        raise ImportFileError("Kolumner finns två gånger: " + ", ".join(twice) + ".")
    rows = [
        {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(headings)}
        for row in table[1:]
        if any(cell.strip() for cell in row)
    ]
    if not rows:
        raise ImportFileError("Filen har rubrikerna men inga rader.")
    return rows


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, date):
        return cell.isoformat()[:10]
    return str(cell)


def plan(rows: Sequence[Mapping[str, str]], team: ImportTeam, today: date) -> Plan:
    """Every row decided in memory, each command on its own date: the histories to store,
    or the problems of every row."""
    found = Plan(rows=len(rows))
    codes: dict[str, int] = {}
    open_people: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        reader = _Row(row, number, team, today)
        history = reader.history()
        code = row.get("Ärendekod", "").strip().upper()
        if code in codes:
            reader.problem("Ärendekod", f"Samma ärendekod som på rad {codes[code]}.")
        codes.setdefault(code, number)
        owner = team.code_owner(code) if code else None
        if owner is not None and owner != case_id_of(team.team_id, code):
            reader.problem("Ärendekod", "Ett annat ärende har redan den koden.")
        person = reader.open_person()
        if person:
            if person in open_people:
                reader.problem(
                    "Personnummer",
                    f"Samma person har ett pågående ärende på rad {open_people[person]}.",
                )
            elif team.open_elsewhere(person, case_id_of(team.team_id, code)):
                reader.problem("Personnummer", "Personnumret finns redan i ett pågående ärende.")
            open_people.setdefault(person, number)
        if not reader.problems and history is not None:
            reader.decide(history)
        found.problems.extend(reader.problems)
        if history is not None and not reader.problems:
            found.histories.append(history)
    return found


def store(cases: Cases, found: Plan) -> tuple[int, int]:
    """Append the planned cases not imported before, all in one transaction; how many were
    new and how many were there already. Nothing when the plan has problems."""
    if found.problems:
        return 0, 0
    new = [h for h in found.histories if cases.case(h.case_id) is None]
    if new:
        try:
            cases.import_histories(new, per_transaction=len(new))
        except events.ConcurrencyError:
            # the same file imported at the same moment (a double click): all or nothing of
            # it was stored by the other, and a second look says which
            return store(cases, found)
    return len(new), len(found.histories) - len(new)


def case_id_of(team_id: str, code: str) -> str:
    """The same row of the same team is the same case, however often it is imported."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"samordna:import:{team_id}:{code.upper()}"))


L = TypeVar("L", bound=Labelled)


class _Row:
    def __init__(self, row: Mapping[str, str], number: int, team: ImportTeam, today: date):
        self.row, self.number, self.team, self.today = row, number, team, today
        self.problems: list[Problem] = []

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.number, column, message))

    def text(self, column: str, limit: int = bounds.LINE_LENGTH) -> str:
        value = self.row.get(column, "")
        trouble = bounds.text_problem(value, limit)
        if trouble:
            self.problem(column, trouble)
        return value

    def day(self, column: str, required: bool = True) -> date | None:
        value = self.row.get(column, "").strip()
        if not value:
            if required:
                self.problem(column, "Ange ett datum som ÅÅÅÅ-MM-DD.")
            return None
        try:
            found = date.fromisoformat(value)
        except ValueError:
            self.problem(column, "Ange ett datum som ÅÅÅÅ-MM-DD.")
            return None
        if not bounds.date_in_bounds(found):
            self.problem(column, bounds.DATE_MESSAGE)
            return None
        if found > self.today:
            self.problem(column, "Datumet kan inte ligga i framtiden.")
            return None
        return found

    def choice(self, column: str, vocabulary: type[L], required: bool = True) -> L | None:
        value = self.row.get(column, "").strip()
        if not value:
            if required:
                self.problem(column, "Fyll i ett av alternativen.")
            return None
        found = _parse(vocabulary, value)
        if found is None:
            labels = ", ".join(m.label for m in vocabulary)
            self.problem(column, f"Okänt alternativ «{value}». Välj bland: {labels}.")
        return found

    def choices(self, column: str, vocabulary: type[L]) -> tuple[L, ...]:
        parsed = []
        for value in (v.strip() for v in self.row.get(column, "").split(";")):
            if value:
                found = _parse(vocabulary, value)
                if found is None:
                    self.problem(column, f"Okänt alternativ «{value}».")
                else:
                    parsed.append(found)
        return tuple(parsed)

    def open_person(self) -> str:
        """The personnummer of a row that leaves its case open with personal data, as the
        blind index will find it; "" for any other row."""
        if self.row.get("Avslutsdatum", "").strip():
            return ""
        if _parse(RegistrationType, self.row.get("Registreringstyp", "")) is not (
            RegistrationType.PERSONAL
        ):
            return ""
        return self.row.get("Personnummer", "").strip()

    def history(self) -> CaseHistory | None:
        code = self.text("Ärendekod", CODE_LENGTH).strip().upper()
        if not code:
            self.problem(
                "Ärendekod", "Ange ärendets kod: den gör att raden bara importeras en gång."
            )
        referred = self.day("Remissdatum")
        accepted = self.day("Godtagen", required=False) or referred
        start = self.day("Startdatum")
        closed = self.day("Avslutsdatum", required=False)
        from_part = self.choice("Remitterande part", Part)
        kind = self.choice("Registreringstyp", RegistrationType)
        insats = self._insats(start)
        coordinator = self._coordinator()
        caseworker = self.text("Remitterande handläggare", bounds.NAME_LENGTH)
        reason = self.text("Anledning till remissen", bounds.TEXT_LENGTH)
        # every field is read, so that the row's problems are all reported at once
        enrolment = self._enrolment(
            kind or RegistrationType.PERSONAL, start or self.today, insats, coordinator
        )
        closure = self._closure(closed) if closed is not None else None
        follow_ups = list(self._follow_ups()) if closed is not None else []
        self._nothing_left_out(kind, closed)
        if self.problems or not (referred and accepted and start and from_part and kind):
            return None
        importer = self.team.importer
        referral = case.RegisterReferral(
            code, self.team.team_id, from_part, caseworker, reason, referred
        )
        steps: list[tuple[date, User, case.Command]] = [
            (referred, importer, referral),
            (accepted, importer, case.AcceptReferral(accepted)),
            (start, importer, enrolment),
        ]
        if closed is not None and closure is not None:
            steps.append((closed, importer, closure))
            steps.extend(follow_ups)
        return CaseHistory(case_id_of(self.team.team_id, code), steps)

    def _nothing_left_out(self, kind: RegistrationType | None, closed: date | None) -> None:
        """A value the import would not store is a mistake in the row, not something to drop."""
        if kind is RegistrationType.ANONYMOUS:
            for column in ("Namn", "Personnummer", "Samtycke"):
                if self.row.get(column, "").strip():
                    self.problem(column, "En anonym registrering har inga personuppgifter.")
        if closed is None:
            after = [h for h in HEADINGS[HEADINGS.index("Avslutstyp") :] if self.row.get(h, "")]
            if after:
                self.problem(
                    after[0], "Raden har inget avslutsdatum: avslut och uppföljning kan inte anges."
                )

    def _insats(self, start: date | None) -> str:
        name = self.row.get("Insats", "").strip()
        found = self.team.insatser.get(name, ())
        if not found:
            self.problem("Insats", f"Teamet har ingen insats som heter «{name}».")
            return ""
        if len(found) > 1:
            self.problem("Insats", f"Teamet har flera insatser som heter «{name}»: byt namn.")
            return ""
        insats_id, began, ended = found[0]
        if start and not (began <= start and (ended is None or start <= ended)):
            self.problem("Insats", "Insatsen pågick inte på startdatumet.")
        return insats_id

    def _coordinator(self) -> str:
        email = self.row.get("Samordnare", "").strip().lower()
        if not email:
            if self.team.importer.role is Role.COORDINATOR:
                return self.team.importer.id
            self.problem("Samordnare", "Ange ärendets samordnare (e-post).")
            return ""
        found = self.team.coordinators.get(email)
        if found is None:
            self.problem("Samordnare", f"Ingen samordnare i teamet har e-postadressen «{email}».")
            return ""
        return found.id

    def _enrolment(
        self, kind: RegistrationType, start: date, insats: str, coordinator: str
    ) -> case.Enrol:
        personal = kind is RegistrationType.PERSONAL
        return case.Enrol(
            kind,
            self.choice("Kön", Gender) or Gender.WOMAN,
            start,
            insats,
            coordinator,
            self.choices("Samtycke", Part),
            "",
            case.Participant(
                self.text("Namn", bounds.NAME_LENGTH), self.text("Personnummer", bounds.NAME_LENGTH)
            )
            if personal
            else None,
            self.choice("Åldersgrupp", AgeGroup, required=not personal),
            self.choice("Utbildningsnivå", EducationLevel, required=personal),
            self.choices("Försörjning vid inskrivning", SupportSource),
            self.choice("Tid i offentlig försörjning", TimeInSupport, required=personal),
            self.choice("Sysselsättning vid inskrivning", Occupation, required=personal),
        )

    def _closure(self, closed: date) -> case.CloseCase:
        next_step = self.text("Nästa steg", bounds.TEXT_LENGTH)
        return case.CloseCase(
            self.choice("Avslutstyp", ClosureKind) or ClosureKind.COMPLETED,
            self.choice("Avslutsorsak", ClosureReason) or ClosureReason.OTHER,
            self.choice("Sysselsättning vid avslut", Occupation) or Occupation.UNKNOWN,
            self.choices("Försörjning vid avslut", SupportSource),
            next_step,
            not next_step.strip(),
            closed,
        )

    def _follow_ups(self) -> Iterable[tuple[date, User, case.Command]]:
        for months in FOLLOW_UP_MONTHS:
            prefix = f"Uppföljning {months} mån"
            on = self.day(f"{prefix}, datum", required=False)
            if on is None:
                continue
            yield (
                on,
                self.team.importer,
                case.RecordFollowUp(
                    months,
                    on,
                    self.choice(f"{prefix}, sysselsättning", Occupation) or Occupation.UNKNOWN,
                    self.choices(f"{prefix}, försörjning", SupportSource),
                    "",
                ),
            )

    def decide(self, history: CaseHistory) -> None:
        """The decider's answer to each command, on its own date, as problems of the row."""
        state = case.INITIAL
        for on, _, command in sorted(history.steps, key=lambda step: step[0]):
            try:
                state = case.fold(case.decide(command, state, on), state)
            except case.Rejected as refused:
                for name, message in refused.errors.items():
                    self.problem(_column_of(name, command), message)
                return


def _column_of(name: str, command: object) -> str:
    if isinstance(command, case.RecordFollowUp):
        prefix = f"Uppföljning {command.months} mån"
        return {
            "recorded_on": f"{prefix}, datum",
            "support_sources": f"{prefix}, försörjning",
            "months": f"{prefix}, datum",
        }.get(name, f"{prefix}, sysselsättning")
    if isinstance(command, case.CloseCase):
        return {
            "support_sources": "Försörjning vid avslut",
            "occupation": "Sysselsättning vid avslut",
            "reason": "Avslutsorsak",
        }.get(name, FIELD_COLUMNS.get(name, ""))
    return FIELD_COLUMNS.get(name, "")


def _parse(vocabulary: type[L], value: str) -> L | None:
    """A member by its code or its Swedish label, whatever the case of the letters; a part
    also by its short name (AF, FK, Region, Kommun)."""
    wanted = value.casefold()
    for member in vocabulary:
        if wanted in (member.value.casefold(), member.label.casefold()):
            return member
    return None


def template() -> bytes:
    """The template as CSV: the headings and one example row."""
    example = {
        "Ärendekod": "GAMMAL-0001",
        "Remissdatum": "2024-02-01",
        "Remitterande part": "Försäkringskassan",
        "Remitterande handläggare": "Handläggare på FK",
        "Anledning till remissen": "Långvarig sjukskrivning",
        "Godtagen": "2024-02-08",
        "Registreringstyp": "Med personuppgifter",
        "Namn": "Exempel Exempelsson",
        "Personnummer": "19900315-9812",
        "Samtycke": "Försäkringskassan; Kommun",
        "Kön": "Kvinna",
        "Utbildningsnivå": "Gymnasium",
        "Försörjning vid inskrivning": "Sjuk-/rehabiliteringspenning",
        "Tid i offentlig försörjning": "1–3 år",
        "Sysselsättning vid inskrivning": "Ingen sysselsättning",
        "Insats": "Steget vidare",
        "Startdatum": "2024-02-15",
        "Avslutsdatum": "2024-11-29",
        "Avslutstyp": "Genomförd",
        "Avslutsorsak": "Arbete",
        "Sysselsättning vid avslut": "Arbete med subvention (nystartsjobb, lönebidrag …)",
        "Försörjning vid avslut": "Ingen offentlig försörjning (inkl. försörjd av familj)",
        "Nästa steg": "Arbetsförmedlingen följer upp anställningen",
        "Uppföljning 3 mån, datum": "2025-03-03",
        "Uppföljning 3 mån, sysselsättning": "Arbete med subvention (nystartsjobb, lönebidrag …)",
        "Uppföljning 3 mån, försörjning": "Ingen offentlig försörjning (inkl. försörjd av familj)",
    }
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    writer.writerow(HEADINGS)
    writer.writerow([example.get(h, "") for h in HEADINGS])
    return ("\ufeff" + text.getvalue()).encode("utf-8")
