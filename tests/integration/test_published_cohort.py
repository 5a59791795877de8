"""Cohorts built to figures the Riksdag's follow-up of Finsam (2015) and DOMAIN.md publish,
brought in through the import file, come out of the statistics exactly.

Cohort 1 is 300 participants closed in 2014 (160 women, 140 men):
- in work or studies: 13 % at enrolment, 34 % at closure (Table 12);
- Försörjningsstöd 40 % → 25 %, Ingen offentlig försörjning 10 % → 22 % (Table 11);
- 5 % with no source of support recorded at closure (Uppgift saknas);
- 24 % registered as jobseekers at closure.
Cohort 2 is Försäkringskassan's durability: 97 % of 100 participants with aktivitetsersättning
at enrolment, 75 % at the 3-month follow-up and 71 % at the 6-month one.

The file is imported as Excel saves it, its CSV twin adds nothing, and the statistics'
workbook carries the same figures as a count column and a share column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from coordination.accounts.insatser import Insatser
from coordination.accounts.service import Accounts
from coordination.app import Services
from coordination.cases import imports
from coordination.reports import exports
from coordination.reports.statistics import Period, Table, statistics
from coordination.shared.vocabulary import (
    ClosureReason,
    Gender,
    InsatsType,
    Labelled,
    Occupation,
    Part,
    Role,
    SupportSource,
)
from tests.integration.participant_journey import services_on

TODAY = date(2026, 11, 17)
YEAR_2014 = Period(date(2014, 1, 1), date(2014, 12, 31), "2014")
COHORT = "Finsam 2014"
DURABILITY = "Aktivitetsersättning"

Occ, Sup = Occupation, SupportSource
# Per kön, in order: (value, how many). The unreachable come last in both lists "after", so
# that the same people have neither occupation nor support recorded.
COHORT_1: dict[Gender, dict[str, list[tuple[Labelled, int]]]] = {
    Gender.WOMAN: {
        "before": [(Occ.WORK_UNSUBSIDISED, 5), (Occ.WORK_SUBSIDISED, 6), (Occ.STUDIES, 10),
                   (Occ.JOBSEEKER, 60), (Occ.NONE, 79)],
        "after": [(Occ.WORK_UNSUBSIDISED, 25), (Occ.WORK_SUBSIDISED, 18), (Occ.STUDIES, 12),
                  (Occ.JOBSEEKER, 38), (Occ.WORK_TRAINING, 20), (Occ.CONTINUED_REHABILITATION, 32),
                  (Occ.NONE, 7), (Occ.UNKNOWN, 8)],
        "support before": [(Sup.SOCIAL_ASSISTANCE, 62), (Sup.NONE, 16), (Sup.SICKNESS_BENEFIT, 82)],
        "support after": [(Sup.SOCIAL_ASSISTANCE, 38), (Sup.NONE, 36), (Sup.ACTIVITY_SUPPORT, 78),
                          (Sup.UNKNOWN, 8)],
    },
    Gender.MAN: {
        "before": [(Occ.WORK_UNSUBSIDISED, 4), (Occ.WORK_SUBSIDISED, 6), (Occ.STUDIES, 8),
                   (Occ.JOBSEEKER, 55), (Occ.NONE, 67)],
        "after": [(Occ.WORK_UNSUBSIDISED, 20), (Occ.WORK_SUBSIDISED, 15), (Occ.STUDIES, 12),
                  (Occ.JOBSEEKER, 34), (Occ.WORK_TRAINING, 18), (Occ.CONTINUED_REHABILITATION, 25),
                  (Occ.NONE, 9), (Occ.UNKNOWN, 7)],
        "support before": [(Sup.SOCIAL_ASSISTANCE, 58), (Sup.NONE, 14), (Sup.SICKNESS_BENEFIT, 68)],
        "support after": [(Sup.SOCIAL_ASSISTANCE, 37), (Sup.NONE, 30), (Sup.ACTIVITY_SUPPORT, 66),
                          (Sup.UNKNOWN, 7)],
    },
}  # fmt: skip


def expand(counts: list[tuple[Labelled, int]]) -> list[Labelled]:
    return [value for value, n in counts for _ in range(n)]


def personnummer(number: int, born: date) -> str:
    """A valid personnummer (the Luhn check digit over YYMMDDNNN) for the `number`th person."""
    digits = f"{born:%y%m%d}{number % 900 + 100:03d}"
    total = 0
    for position, digit in enumerate(digits):
        product = int(digit) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return f"{born:%Y%m%d}-{digits[6:]}{(10 - total % 10) % 10}"


def closure_reason(occupation: Occupation) -> ClosureReason:
    return {
        Occ.WORK_UNSUBSIDISED: ClosureReason.WORK,
        Occ.WORK_SUBSIDISED: ClosureReason.WORK,
        Occ.STUDIES: ClosureReason.STUDIES,
        Occ.UNKNOWN: ClosureReason.UNREACHABLE,
    }.get(occupation, ClosureReason.OTHER_REHABILITATION)


def closer(number: int, gender: Gender, insats: str, closed: date) -> dict[str, str]:
    """One participant's row: referred and enrolled in 2013, closed on `closed`."""
    start = date(2013, 3, 1) + timedelta(days=number % 200)
    born = date(1975, 1, 1) + timedelta(days=number * 7)
    return {
        "Ärendekod": f"F14-{number:04d}",
        "Remissdatum": f"{start - timedelta(days=14)}",
        "Remitterande part": ["Arbetsförmedlingen", "Försäkringskassan", "Region", "Kommun"][
            number % 4
        ],
        "Remitterande handläggare": "Handläggaren",
        "Anledning till remissen": "Behöver samordnat stöd",
        "Registreringstyp": "Med personuppgifter",
        "Namn": f"Deltagare {number}",
        "Personnummer": personnummer(number, born),
        "Samtycke": "Arbetsförmedlingen; Försäkringskassan; Region; Kommun",
        "Kön": gender.label,
        "Utbildningsnivå": "Gymnasium",
        "Tid i offentlig försörjning": "1–3 år",
        "Insats": insats,
        "Startdatum": f"{start}",
        "Avslutsdatum": f"{closed}",
        "Avslutstyp": "Genomförd",
    }


def cohort_1() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for gender, lists in COHORT_1.items():
        columns = zip(
            expand(lists["before"]),
            expand(lists["after"]),
            expand(lists["support before"]),
            expand(lists["support after"]),
            strict=True,
        )
        for before, after, support_before, support_after in columns:
            assert isinstance(after, Occupation)
            number = len(rows) + 1
            closed = date(2014, 1, 2) + timedelta(days=number % 360)
            rows.append(
                {
                    **closer(number, gender, COHORT, closed),
                    "Sysselsättning vid inskrivning": before.label,
                    "Försörjning vid inskrivning": support_before.label,
                    "Avslutsorsak": closure_reason(after).label,
                    "Sysselsättning vid avslut": after.label,
                    "Försörjning vid avslut": support_after.label,
                }
            )
    return rows


def cohort_2() -> list[dict[str, str]]:
    """100 closed in early 2014, followed up at 3 and 6 months: sjuk-/aktivitetsersättning
    for 97 at enrolment, 75 at 3 months, 71 at 6 months."""
    rows: list[dict[str, str]] = []
    compensation, other = Sup.SICKNESS_COMPENSATION.label, Sup.ACTIVITY_SUPPORT.label
    for i in range(100):
        number = 1000 + i
        closed = date(2014, 1, 15) + timedelta(days=i)
        rows.append(
            {
                **closer(number, Gender.WOMAN if i % 2 else Gender.MAN, DURABILITY, closed),
                "Sysselsättning vid inskrivning": Occ.NONE.label,
                "Försörjning vid inskrivning": compensation if i < 97 else other,
                "Avslutsorsak": ClosureReason.OTHER_REHABILITATION.label,
                "Sysselsättning vid avslut": Occ.WORK_TRAINING.label,
                "Försörjning vid avslut": compensation if i < 80 else other,
                "Uppföljning 3 mån, datum": f"{closed + timedelta(days=92)}",
                "Uppföljning 3 mån, sysselsättning": Occ.WORK_TRAINING.label,
                "Uppföljning 3 mån, försörjning": compensation if i < 75 else other,
                "Uppföljning 6 mån, datum": f"{closed + timedelta(days=183)}",
                "Uppföljning 6 mån, sysselsättning": Occ.WORK_TRAINING.label,
                "Uppföljning 6 mån, försörjning": compensation if i < 71 else other,
            }
        )
    return rows


def as_xlsx(rows: list[dict[str, str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(imports.HEADINGS)
    for row in rows:
        sheet.append([row.get(heading, "") for heading in imports.HEADINGS])
    content = io.BytesIO()
    book.save(content)
    return content.getvalue()


def as_csv(rows: list[dict[str, str]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    writer.writerow(imports.HEADINGS)
    writer.writerows([row.get(heading, "") for heading in imports.HEADINGS] for row in rows)
    return text.getvalue().encode("utf-8")


@pytest.fixture
def imported(database_url: str, tmp_path: Path) -> Iterator[tuple[Services, str, dict[str, str]]]:
    """The two cohorts imported into a team: the services, the team and its insatser."""
    services = services_on(database_url, tmp_path)
    accounts = Accounts(services.engine)
    team_id = accounts.create_team("Förbundets team")
    coordinator = accounts.create_user(
        team_id, "Samordnaren", "samordnare@finsam", Part.KOMMUN, Role.COORDINATOR, "losen-12345"
    )
    insatser = Insatser(services.engine)
    ids = {
        name: insatser.add_insats(
            team_id, name, InsatsType.REHABILITATION, date(2012, 1, 1), date(2015, 12, 31)
        )
        for name in (COHORT, DURABILITY)
    }
    team = imports.import_team(
        services.cases, coordinator, accounts.team_users(team_id), insatser.team_insatser(team_id)
    )
    rows = cohort_1() + cohort_2()
    found = imports.plan(imports.read_rows("kohorter.xlsx", as_xlsx(rows)), team, TODAY)
    assert [str(p) for p in found.problems] == []
    assert imports.store(services.cases, found) == (400, 0)
    again = imports.plan(imports.read_rows("kohorter.csv", as_csv(rows)), team, TODAY)
    assert [str(p) for p in again.problems] == []
    assert imports.store(services.cases, again) == (0, 400)
    yield services, team_id, ids
    services.engine.dispose()


def tables_of(services: Services, team_id: str, insats_id: str) -> dict[str, Table]:
    reports = services.reports
    found = statistics(
        reports.case_facts([team_id], insats_id), reports.follow_up_facts([team_id]), YEAR_2014
    )
    return {table.key: table for table in found}


def cells(table: Table, label: str) -> tuple[str, str, str]:
    """The row's Totalt, Kvinna and Man."""
    [row] = [row for row in table.rows if row[0] == label]
    return row[1], row[2], row[3]


def test_the_published_before_and_after_come_out_exactly(
    imported: tuple[Services, str, dict[str, str]],
) -> None:
    services, team_id, insatser = imported
    tables = tables_of(services, team_id, insatser[COHORT])
    occupation, support = tables["sysselsattning-fore-efter"], tables["forsorjning-fore-efter"]
    # Table 12: in work or studies before and after the insats
    assert cells(occupation, "I arbete eller studier: vid inskrivning") == (
        "39 (13 %)",
        "21 (13 %)",
        "18 (13 %)",
    )
    assert cells(occupation, "I arbete eller studier: vid avslut") == (
        "102 (34 %)",
        "55 (34 %)",
        "47 (34 %)",
    )
    assert cells(occupation, f"{Occ.JOBSEEKER.label}: vid avslut") == (
        "72 (24 %)",
        "38 (24 %)",
        "34 (24 %)",
    )
    assert cells(occupation, f"{Occ.UNKNOWN.label}: vid inskrivning")[0] == "<5"
    # Table 11: sources of support before and after, the same people
    assert cells(support, f"{Sup.SOCIAL_ASSISTANCE.label}: vid inskrivning")[0] == "120 (40 %)"
    assert cells(support, f"{Sup.SOCIAL_ASSISTANCE.label}: vid avslut")[0] == "75 (25 %)"
    assert cells(support, f"{Sup.NONE.label}: vid inskrivning")[0] == "30 (10 %)"
    assert cells(support, f"{Sup.NONE.label}: vid avslut")[0] == "66 (22 %)"
    # no source recorded at closure: counted in its own row, never silently
    assert cells(support, f"{Sup.UNKNOWN.label}: vid avslut") == ("15 (5 %)", "8 (5 %)", "7 (5 %)")
    assert cells(tables["arenden"], "Avslutade, med personuppgifter")[:3] == ("300", "160", "140")
    reasons = tables["avslutsorsaker"]
    assert cells(reasons, "Genomförd")[0] == "300 (100 %)"
    assert cells(reasons, ClosureReason.WORK.label) == ("78 (26 %)", "43 (27 %)", "35 (25 %)")
    assert cells(reasons, ClosureReason.STUDIES.label)[0] == "24 (8 %)"
    assert cells(reasons, ClosureReason.UNREACHABLE.label)[0] == "15 (5 %)"

    # the statistics' workbook: the same figures, a count column and a share column
    sheets = [
        (table.title, exports.table_rows(table, YEAR_2014.label, COHORT))
        for table in tables.values()
    ]
    book = load_workbook(io.BytesIO(exports.to_workbook(sheets)))
    rows = [list(row) for row in book[occupation.title[:31]].iter_rows(values_only=True)]
    [after] = [row for row in rows if row[0] == "I arbete eller studier: vid avslut"]
    assert after[1:3] == [102, 34]


def test_the_durability_of_aktivitetsersattning_at_each_follow_up(
    imported: tuple[Services, str, dict[str, str]],
) -> None:
    services, team_id, insatser = imported
    tables = tables_of(services, team_id, insatser[DURABILITY])
    compensation = Sup.SICKNESS_COMPENSATION.label
    for months, still in ((3, "75 (75 %)"), (6, "71 (71 %)")):
        table = tables[f"uppfoljning-{months}"]
        assert cells(table, "Uppföljda")[0] == "100"
        assert cells(table, f"{compensation}: vid inskrivning")[0] == "97 (97 %)"
        assert cells(table, f"{compensation}: vid uppföljningen")[0] == still
        assert cells(table, "Varav gjorda sent, efter fönstret")[0] == "<5"
