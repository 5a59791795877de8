"""Statistics from a generated cohort whose right answers are known, with small cells hidden."""

from __future__ import annotations

from datetime import date

from coordination.reports.statistics import CaseFacts, FollowUpFacts, Period, period_of, statistics
from coordination.shared.vocabulary import (
    AgeGroup,
    ClosureKind,
    Gender,
    Occupation,
    RegistrationType,
    SupportSource,
)

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31), "2026")
FS, SJP, NONE = SupportSource.SOCIAL_ASSISTANCE, SupportSource.SICKNESS_BENEFIT, SupportSource.NONE


def facts(number: int, gender: Gender, age: AgeGroup, **changes: object) -> CaseFacts:
    values: dict[str, object] = {
        "case_id": f"c{number}",
        "case_code": f"K-{number:05d}",
        "registration_type": RegistrationType.PERSONAL,
        "gender": gender,
        "age_group": age,
        "insats_id": "i1",
        "start_date": date(2026, 2, 1),
        "closed_on": None,
        "closure_kind": None,
        "occupation": None,
        "support_at_enrolment": frozenset({FS}),
        "support_at_closure": frozenset(),
        "max_level": None,
        "stepped_up": False,
        "handovers": 0,
        "meetings_held": 0,
        **changes,
    }
    return CaseFacts(**values)  # type: ignore[arg-type]


def cohort() -> tuple[list[CaseFacts], list[FollowUpFacts]]:
    """20 women 30–44: all on försörjningsstöd at enrolment, 10 also on sjukpenning, 6 of
    them studying, 7 jobseekers and 7 enrolled before occupation was asked; all closed in
    September after 7 months, 15 to work with no public support and 5 as jobseekers whose
    support is not known (3 answered "Uppgift saknas", 2 have nothing recorded), then at 3
    months 12 of them in work with no public support (5 followed up after the window).
    10 men 45–59: 3 also on sjukpenning, still active, 6 took a step up to level 4, the
    others reached level 2."""
    women = [
        facts(
            n,
            Gender.WOMAN,
            AgeGroup.AGE_30_44,
            support_at_enrolment=frozenset({FS, SJP}) if n < 10 else frozenset({FS}),
            closed_on=date(2026, 9, 1),
            closure_kind=ClosureKind.COMPLETED,
            occupation=Occupation.WORK_UNSUBSIDISED if n < 15 else Occupation.JOBSEEKER,
            occupation_at_enrolment=Occupation.STUDIES
            if n < 6
            else Occupation.JOBSEEKER
            if n < 13
            else None,
            support_at_closure=frozenset({NONE})
            if n < 15
            else frozenset({SupportSource.UNKNOWN})
            if n < 18
            else frozenset(),
            handovers=1,
            meetings_held=3,
        )
        for n in range(20)
    ]
    men = [
        facts(
            100 + n,
            Gender.MAN,
            AgeGroup.AGE_45_59,
            support_at_enrolment=frozenset({FS, SJP}) if n < 3 else frozenset({FS}),
            max_level=4 if n < 6 else 2,
            stepped_up=n < 6,
        )
        for n in range(10)
    ]
    follow_ups = [
        FollowUpFacts(
            f"c{n}",
            3,
            date(2026, 12, 1),
            n < 12,
            frozenset({NONE}) if n < 12 else frozenset({FS}),
            late=n >= 15,
        )
        for n in range(20)
    ]
    return women + men, follow_ups


def table(key: str) -> dict[str, list[str]]:
    cases, follow_ups = cohort()
    found = next(t for t in statistics(cases, follow_ups, YEAR) if t.key == key)
    assert found.columns[:3] == ["Totalt", "Kvinna", "Man"]
    return {row[0]: row[1:] for row in found.rows}


def test_cases_by_registration_type_split_by_kon_and_age() -> None:
    rows = table("arenden")
    assert rows["Nya, med personuppgifter"][:3] == ["30", "20", "10"]
    assert rows["Avslutade, med personuppgifter"][:3] == ["20", "20", "<5"]
    assert rows["Nya, anonym"][0] == "<5"
    assert rows["Aktiva, med personuppgifter"][4] == "20"  # 30–44 år


def test_multi_valued_support_at_enrolment_gives_exact_shares() -> None:
    rows = table("forsorjning-inskrivning")
    assert rows["Försörjningsstöd"][:3] == ["30 (100 %)", "20 (100 %)", "10 (100 %)"]
    assert rows["Sjuk-/rehabiliteringspenning"][:3] == ["13 (43 %)", "10 (50 %)", "<5"]


def test_occupation_and_support_at_closure() -> None:
    rows = table("sysselsattning-avslut")
    assert rows["Arbete utan subvention"][:2] == ["15 (75 %)", "15 (75 %)"]
    assert rows["Till arbete eller studier"][0] == "15 (75 %)"
    assert rows["Inskriven som arbetssökande på Arbetsförmedlingen"][0] == "5 (25 %)"


def test_support_and_occupation_before_and_after_are_of_the_same_closers() -> None:
    support = table("forsorjning-fore-efter")
    # the period's 20 closers only: the 10 men, new and active, are not among them
    assert support["Försörjningsstöd: vid inskrivning"][:3] == ["20 (100 %)", "20 (100 %)", "<5"]
    assert support["Sjuk-/rehabiliteringspenning: vid inskrivning"][0] == "10 (50 %)"
    none = "Ingen offentlig försörjning (inkl. försörjd av familj)"
    assert support[f"{none}: vid inskrivning"][0] == "<5"
    assert support[f"{none}: vid avslut"][0] == "15 (75 %)"
    assert support["Försörjningsstöd: vid avslut"][0] == "<5"
    assert support["Uppgift saknas: vid avslut"][0] == "5 (25 %)"  # answered so, or nothing
    occupation = table("sysselsattning-fore-efter")
    assert occupation["Studier: vid inskrivning"][0] == "6 (30 %)"
    assert occupation["I arbete eller studier: vid inskrivning"][0] == "6 (30 %)"
    assert occupation["I arbete eller studier: vid avslut"][0] == "15 (75 %)"
    assert occupation["Uppgift saknas: vid inskrivning"][0] == "7 (35 %)"
    assert occupation["Inskriven som arbetssökande på Arbetsförmedlingen: vid avslut"][0] == (
        "5 (25 %)"
    )
    new = table("forsorjning-inskrivning")  # new in the period: the men as well
    assert new["Försörjningsstöd"][0] == "30 (100 %)"


def test_steps_time_in_insats_handovers_and_meetings() -> None:
    steps = table("steg")
    assert steps["Minst ett steg uppåt"][:3] == ["6 (20 %)", "<5", "6 (60 %)"]
    assert steps["Högsta nivå 4"][2] == "6 (60 %)"
    assert table("tid-i-insats")["7–12 månader"][0] == "20 (100 %)"
    means = table("overlamningar-moten")
    assert means["Överlämningar per ärende"][:3] == ["0,7", "1,0", "0,0"]
    assert means["Nätverksmöten per ärende"][1] == "3,0"


def test_follow_up_shows_who_stays_in_work_and_how_support_changed() -> None:
    rows = table("uppfoljning-3")
    assert rows["Uppföljda"][0] == "20"
    assert rows["Varav gjorda sent, efter fönstret"][0] == "5 (25 %)"
    assert rows["I arbete eller studier"][0] == "12 (60 %)"
    assert rows["Försörjningsstöd: vid inskrivning"][0] == "20 (100 %)"
    assert rows["Försörjningsstöd: vid uppföljningen"][0] == "8 (40 %)"
    assert (
        rows["Ingen offentlig försörjning (inkl. försörjd av familj): vid uppföljningen"][0]
        == "12 (60 %)"
    )
    assert table("uppfoljning-6")["Uppföljda"][0] == "<5"


def test_every_count_under_five_is_hidden() -> None:
    cases, follow_ups = cohort()
    for t in statistics(cases, follow_ups, YEAR):
        for row in t.rows:
            for cell in row[1:]:
                number = cell.split(" ")[0]
                if number.isdigit():
                    assert int(number) >= 5, (t.key, row)


def test_a_period_is_a_year_a_quarter_or_two_dates() -> None:
    today = date(2026, 11, 23)
    assert period_of("2025", "", "", "", today) == Period(
        date(2025, 1, 1), date(2025, 12, 31), "2025"
    )
    assert period_of("2026", "3", "", "", today).end == date(2026, 9, 30)
    assert period_of("", "", "2026-02-01", "2026-02-28", today).label == "2026-02-01 – 2026-02-28"
    assert period_of("x", "", "2026-13-01", "", today).start == date(2026, 1, 1)


def test_the_insatser_side_by_side() -> None:
    cases, follow_ups = cohort()
    other = facts(900, Gender.MAN, AgeGroup.AGE_16_29, insats_id="i2")
    found = statistics(
        [*cases, other], follow_ups, YEAR, insats_names={"i1": "Steget", "i2": "Nya vägar"}
    )
    table = next(t for t in found if t.key == "insatser")
    rows = {row[0]: dict(zip(table.columns, row[1:], strict=True)) for row in table.rows}
    steget = rows["Steget"]
    assert steget["Ärenden med personuppgifter"] == "30"
    assert steget["Anonyma ärenden"] == "<5" and steget["Deltagare i volyminsatser"] == "–"
    assert steget["Avslutade"] == "20" and steget["Månader i insats, genomsnitt"] == "7,0"
    assert steget["Till arbete eller studier"] == "15 (75 %)"
    assert steget["I arbete eller studier efter 3 mån."] == "12 (60 %)"
    assert rows["Nya vägar"]["Ärenden med personuppgifter"] == "<5"  # one case
    assert all(t.key != "insatser" for t in statistics(cases, follow_ups, YEAR))
