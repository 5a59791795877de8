"""The statistics a förbund reports, computed from facts of each case: SUS-compatible tables
split by kön and age group, with every count under 5 shown as "<5"."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial

from dateutil.relativedelta import relativedelta

from coordination.shared.vocabulary import (
    WORK_OR_STUDIES,
    AgeGroup,
    ClosureKind,
    ClosureReason,
    Gender,
    Occupation,
    Part,
    RegistrationKind,
    RegistrationType,
    SupportSource,
)

SMALL = 5
SUPPRESSED = "<5"


@dataclass(frozen=True)
class CaseFacts:
    case_id: str
    case_code: str
    registration_type: RegistrationType
    gender: Gender
    age_group: AgeGroup | None
    insats_id: str | None
    start_date: date
    closed_on: date | None
    closure_kind: ClosureKind | None
    occupation: Occupation | None
    support_at_enrolment: frozenset[SupportSource]
    support_at_closure: frozenset[SupportSource]
    max_level: int | None
    stepped_up: bool
    handovers: int
    meetings_held: int
    # None for enrolments recorded before it was asked: "Uppgift saknas"
    occupation_at_enrolment: Occupation | None = None
    closure_reason: ClosureReason | None = None


@dataclass(frozen=True)
class FollowUpFacts:
    case_id: str
    months: int
    recorded_on: date
    in_work_or_studies: bool
    support_sources: frozenset[SupportSource]
    late: bool = False


@dataclass(frozen=True)
class SessionFacts:
    """A session of a volyminsats or a strukturinsats: counts only."""

    kind: RegistrationKind
    insats_id: str
    held_on: date
    by_gender: Mapping[Gender, int]
    by_age: Mapping[AgeGroup, int]
    staff: Mapping[Part, int]


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str

    def holds(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    note: str
    columns: list[str]
    rows: list[list[str]]  # each row: its label, then one text cell per column
    # whether its cells are shares ("24 (12 %)"), exported as a count and a share column
    shares: bool = True


def count(n: int) -> str:
    return SUPPRESSED if n < SMALL else str(n)


def share(n: int, of: int) -> str:
    """A count with its share of `of`; a count under 5 hides both."""
    if n < SMALL:
        return SUPPRESSED
    return f"{n} ({round(100 * n / of)} %)"


def mean(total: int, of: int) -> str:
    """An average over `of` cases; fewer than 5 cases show no average."""
    return SUPPRESSED if of < SMALL else f"{total / of:.1f}".replace(".", ",")


Predicate = Callable[[CaseFacts], bool]
Cell = Callable[[list[CaseFacts]], str]


def _everyone(case: CaseFacts) -> bool:
    return True


def _of_gender(gender: Gender, case: CaseFacts) -> bool:
    return case.gender is gender


def _of_age(age: AgeGroup, case: CaseFacts) -> bool:
    return case.age_group is age


GROUPS: list[tuple[str, Predicate]] = [
    ("Totalt", _everyone),
    *[(g.label, partial(_of_gender, g)) for g in Gender],
    *[(a.label, partial(_of_age, a)) for a in AgeGroup],
]
COLUMNS = [name for name, _ in GROUPS]


class Grouped:
    """A population split once into the columns' groups (everyone, each kön, each age)."""

    def __init__(self, cases: Sequence[CaseFacts]) -> None:
        self.groups = [[c for c in cases if member(c)] for _, member in GROUPS]


def _row(label: str, cases: Sequence[CaseFacts] | Grouped, cell: Cell) -> list[str]:
    grouped = cases if isinstance(cases, Grouped) else Grouped(cases)
    return [label, *(cell(group) for group in grouped.groups)]


def months_in_insats(case: CaseFacts) -> int:
    assert case.closed_on is not None
    span = relativedelta(case.closed_on, case.start_date)
    return span.years * 12 + span.months + (1 if span.days > 0 else 0)


TIME_IN_INSATS = (
    ("1–6 månader", 0, 6),
    ("7–12 månader", 7, 12),
    ("13 månader eller mer", 13, 10**6),
)


def statistics(
    cases: Sequence[CaseFacts],
    follow_ups: Sequence[FollowUpFacts],
    period: Period,
    follow_up_months: Sequence[int] = (3, 6, 12),
    sessions: Sequence[SessionFacts] = (),
    insats_names: Mapping[str, str] | None = None,
) -> list[Table]:
    """The SUS tables for the period; with `insats_names`, also the insatser side by side."""
    new = [c for c in cases if period.holds(c.start_date)]
    active = [
        c
        for c in cases
        if c.start_date <= period.end and (c.closed_on is None or c.closed_on >= period.start)
    ]
    closed_all = [c for c in cases if period.holds(c.closed_on)]
    closed_cases = [c for c in closed_all if c.closure_kind is not ClosureKind.REGISTERED_IN_ERROR]
    personal = partial(_registered_as, RegistrationType.PERSONAL)
    closed, active_groups = Grouped(closed_cases), Grouped(active)
    held = [s for s in sessions if period.holds(s.held_on)]
    tables = [
        _cases_table(period, Grouped(new), active_groups, Grouped(closed_all), held),
        _counted_table(held),
        _support_table(
            "forsorjning-inskrivning",
            "Försörjning vid inskrivning, nya ärenden",
            "Ärenden med personuppgifter inskrivna under perioden; flera källor kan gälla samma "
            "person. Det är inte samma personer som de som avslutas under perioden: för dem, se "
            "Försörjning före och efter.",
            [c for c in new if personal(c)],
        ),
        _support_before_after([c for c in closed_cases if personal(c)]),
        _closure_table(closed),
        _occupation_table(closed),
        _occupation_before_after([c for c in closed_cases if personal(c)]),
        _steps_table(active, active_groups),
        Table(
            "tid-i-insats",
            "Tid i insats",
            "Avslutade ärenden, från inskrivning till avslut.",
            COLUMNS,
            [
                _row(label, closed, _share_where(partial(_months_between, low, high)))
                for label, low, high in TIME_IN_INSATS
            ],
        ),
        Table(
            "overlamningar-moten",
            "Överlämningar och nätverksmöten per ärende",
            "Genomsnitt över aktiva ärenden.",
            COLUMNS,
            [
                _row("Överlämningar per ärende", active_groups, _mean_of(_handovers)),
                _row("Nätverksmöten per ärende", active_groups, _mean_of(_meetings_held)),
            ],
            shares=False,
        ),
    ]
    by_case = {c.case_id: c for c in cases}
    done_by_months = {
        months: [f for f in follow_ups if f.months == months and period.holds(f.recorded_on)]
        for months in follow_up_months
    }
    for months, done in done_by_months.items():
        tables.append(_follow_up_table(months, done, by_case))
    if insats_names:
        tables.append(
            _insatser_table(insats_names, active, closed_cases, held, done_by_months, by_case)
        )
    return tables


def _insatser_table(
    names: Mapping[str, str],
    active: Sequence[CaseFacts],
    closed: Sequence[CaseFacts],
    held: Sequence[SessionFacts],
    done_by_months: Mapping[int, Sequence[FollowUpFacts]],
    by_case: Mapping[str, CaseFacts],
) -> Table:
    """The insatser side by side, for deciding which to keep: who took part, how long, how
    they left, and whether they stayed in work or studies at each follow-up."""
    columns = [
        "Ärenden med personuppgifter",
        "Anonyma ärenden",
        "Deltagare i volyminsatser",
        "Avslutade",
        "Månader i insats, genomsnitt",
        "Till arbete eller studier",
        *(f"I arbete eller studier efter {m} mån." for m in done_by_months),
    ]
    rows = []
    for insats_id, name in names.items():
        ours = [c for c in active if c.insats_id == insats_id]
        left = [c for c in closed if c.insats_id == insats_id]
        volume = [s for s in held if s.insats_id == insats_id and s.kind is RegistrationKind.VOLUME]
        cells = [
            count(sum(c.registration_type is RegistrationType.PERSONAL for c in ours)),
            count(sum(c.registration_type is RegistrationType.ANONYMOUS for c in ours)),
            count(_participants(volume)[0]) if volume else "–",
            count(len(left)),
            mean(sum(months_in_insats(c) for c in left), len(left)),
            share(sum(_occupation_in(WORK_OR_STUDIES, c) for c in left), len(left)),
        ]
        for done in done_by_months.values():
            theirs = [f for f in done if (c := by_case.get(f.case_id)) and c.insats_id == insats_id]
            cells.append(share(sum(f.in_work_or_studies for f in theirs), len(theirs)))
        rows.append([name, *cells])
    return Table(
        "insatser",
        "Insatserna jämförda",
        "Aktiva ärenden och deltagare i volyminsatser under perioden, de avslutade och "
        "uppföljningarna gjorda under perioden, per insats.",
        columns,
        rows,
    )


def _cases_table(
    period: Period, new: Grouped, active: Grouped, closed: Grouped, held: Sequence[SessionFacts]
) -> Table:
    # No row adds the volym participants to the cases: a sum beside its parts would let a
    # suppressed count be worked out by subtraction.
    volume = _participants([s for s in held if s.kind is RegistrationKind.VOLUME])
    return Table(
        "arenden",
        "Nya, aktiva och avslutade ärenden",
        f"{period.label}, efter registreringstyp. Deltagare i volyminsatser räknas per "
        "tillfälle, som i SUS.",
        COLUMNS,
        [
            _row(
                f"{what}, {kind.label.lower()}",
                group,
                _count_where(partial(_registered_as, kind)),
            )
            for what, group in (("Nya", new), ("Aktiva", active), ("Avslutade", closed))
            for kind in RegistrationType
        ]
        + [
            ["Deltagare i volyminsatser", *(count(n) for n in volume)],
        ],
        shares=False,
    )


def _participants(sessions: Sequence[SessionFacts]) -> list[int]:
    """Participants of the sessions per column: everyone, each kön, each age group (where
    the age was counted)."""
    return [
        sum(sum(s.by_gender.values()) for s in sessions),
        *(sum(s.by_gender.get(g, 0) for s in sessions) for g in Gender),
        *(sum(s.by_age.get(a, 0) for s in sessions) for a in AgeGroup),
    ]


def _counted_table(held: Sequence[SessionFacts]) -> Table:
    volume = [s for s in held if s.kind is RegistrationKind.VOLUME]
    structural = [s for s in held if s.kind is RegistrationKind.STRUCTURAL]
    blank = ["–"] * (len(COLUMNS) - 1)
    staff = {p: sum(s.staff.get(p, 0) for s in structural) for p in Part}
    return Table(
        "volym-struktur",
        "Volyminsatser och strukturinsatser",
        "Tillfällen under perioden. Volyminsatser: deltagare per tillfälle, efter kön och, där "
        "den är känd, åldersgrupp. Strukturinsatser: medarbetare per part.",
        COLUMNS,
        [
            ["Tillfällen, volyminsatser", count(len(volume)), *blank],
            ["Deltagare i volyminsatser", *(count(n) for n in _participants(volume))],
            ["Tillfällen, strukturinsatser", count(len(structural)), *blank],
            *([f"Medarbetare från {p.label}", count(n), *blank] for p, n in staff.items()),
            ["Medarbetare i strukturinsatser", count(sum(staff.values())), *blank],
        ],
        shares=False,
    )


def _closure_table(closed: Grouped) -> Table:
    """How the period's cases ended: completed or broken off, and why."""

    def ended(kind: ClosureKind, case: CaseFacts) -> bool:
        return case.closure_kind is kind

    def for_reason(reason: ClosureReason, case: CaseFacts) -> bool:
        return case.closure_reason is reason

    return Table(
        "avslutsorsaker",
        "Avslutstyp och avslutsorsak",
        "Avslutade ärenden (utom felregistrerade).",
        COLUMNS,
        [
            _row(k.label, closed, _share_where(partial(ended, k)))
            for k in ClosureKind
            if k is not ClosureKind.REGISTERED_IN_ERROR
        ]
        + [
            _row(r.label, closed, _share_where(partial(for_reason, r)))
            for r in ClosureReason
            if r is not ClosureReason.REGISTERED_IN_ERROR
        ],
    )


def _occupation_table(closed: Grouped) -> Table:
    return Table(
        "sysselsattning-avslut",
        "Sysselsättning vid avslut",
        "Avslutade ärenden (utom felregistrerade).",
        COLUMNS,
        [
            _row(o.label, closed, _share_where(partial(_occupation_in, frozenset({o}))))
            for o in Occupation
        ]
        + [
            _row(
                "Till arbete eller studier",
                closed,
                _share_where(partial(_occupation_in, WORK_OR_STUDIES)),
            )
        ],
    )


def _steps_table(active: Sequence[CaseFacts], groups: Grouped) -> Table:
    return Table(
        "steg",
        "Stegförflyttningar",
        "Aktiva ärenden under perioden: andel med minst ett steg uppåt, och högsta nivå.",
        COLUMNS,
        [_row("Minst ett steg uppåt", groups, _share_where(_stepped_up))]
        + [
            _row(f"Högsta nivå {level}", groups, _share_where(partial(_highest_level, level)))
            for level in range(max((c.max_level or 0 for c in active), default=0) + 1)
        ],
    )


def _share_where(predicate: Predicate) -> Cell:
    """The count (and share) of each group's cases for which `predicate` holds."""

    def cell(group: list[CaseFacts]) -> str:
        return share(sum(1 for c in group if predicate(c)), len(group))

    return cell


def _count_where(predicate: Predicate) -> Cell:
    def cell(group: list[CaseFacts]) -> str:
        return count(sum(1 for c in group if predicate(c)))

    return cell


def _mean_of(value: Callable[[CaseFacts], int]) -> Cell:
    def cell(group: list[CaseFacts]) -> str:
        return mean(sum(value(c) for c in group), len(group))

    return cell


def _registered_as(kind: RegistrationType, case: CaseFacts) -> bool:
    return case.registration_type is kind


def _or_unknown(sources: frozenset[SupportSource]) -> frozenset[SupportSource]:
    """No source recorded counts as "Uppgift saknas": in its own row, never left out."""
    return sources or frozenset({SupportSource.UNKNOWN})


def _supported_at_enrolment(case: CaseFacts) -> frozenset[SupportSource]:
    return _or_unknown(case.support_at_enrolment)


def _supported_at_closure(case: CaseFacts) -> frozenset[SupportSource]:
    return _or_unknown(case.support_at_closure)


def _occupation_in(occupations: frozenset[Occupation], case: CaseFacts) -> bool:
    return (case.occupation or Occupation.UNKNOWN) in occupations


def _occupied_at_enrolment(occupations: frozenset[Occupation], case: CaseFacts) -> bool:
    return (case.occupation_at_enrolment or Occupation.UNKNOWN) in occupations


def _stepped_up(case: CaseFacts) -> bool:
    return case.stepped_up


def _highest_level(level: int, case: CaseFacts) -> bool:
    return case.max_level == level


def _months_between(low: int, high: int, case: CaseFacts) -> bool:
    return low <= months_in_insats(case) <= high


def _handovers(case: CaseFacts) -> int:
    return case.handovers


def _meetings_held(case: CaseFacts) -> int:
    return case.meetings_held


def _has_source(
    source: SupportSource, sources: Callable[[CaseFacts], frozenset[SupportSource]], case: CaseFacts
) -> bool:
    return source in sources(case)


def _support_table(key: str, title: str, note: str, cases: Sequence[CaseFacts]) -> Table:
    grouped = Grouped(cases)
    return Table(
        key,
        title,
        note,
        COLUMNS,
        [
            _row(s.label, grouped, _share_where(partial(_has_source, s, _supported_at_enrolment)))
            for s in SupportSource
        ],
    )


def _support_before_after(closers: Sequence[CaseFacts]) -> Table:
    """SUS's before and after: the support of the period's closers at their enrolment and at
    their closure, the same people in both rows."""
    grouped = Grouped(closers)
    rows = []
    for s in SupportSource:
        for when, sources in (
            ("vid inskrivning", _supported_at_enrolment),
            ("vid avslut", _supported_at_closure),
        ):
            rows.append(
                _row(f"{s.label}: {when}", grouped, _share_where(partial(_has_source, s, sources)))
            )
    return Table(
        "forsorjning-fore-efter",
        "Försörjning före och efter, avslutade ärenden",
        "Ärenden med personuppgifter avslutade under perioden (utom felregistrerade): deras "
        "försörjning när de skrevs in och när de avslutades. Flera källor kan gälla samma "
        "person; Uppgift saknas räknas för sig.",
        COLUMNS,
        rows,
    )


def _occupation_before_after(closers: Sequence[CaseFacts]) -> Table:
    """Occupation at enrolment and at closure of the period's closers, the same people."""
    grouped = Grouped(closers)
    rows = []
    for label, occupations in [
        *((o.label, frozenset({o})) for o in Occupation),
        ("I arbete eller studier", WORK_OR_STUDIES),
    ]:
        rows.append(
            _row(
                f"{label}: vid inskrivning",
                grouped,
                _share_where(partial(_occupied_at_enrolment, occupations)),
            )
        )
        rows.append(
            _row(
                f"{label}: vid avslut", grouped, _share_where(partial(_occupation_in, occupations))
            )
        )
    return Table(
        "sysselsattning-fore-efter",
        "Sysselsättning före och efter, avslutade ärenden",
        "Ärenden med personuppgifter avslutade under perioden (utom felregistrerade): deras "
        "sysselsättning när de skrevs in och när de avslutades. Inskrivna innan frågan "
        "ställdes räknas som Uppgift saknas.",
        COLUMNS,
        rows,
    )


def _follow_up_table(
    months: int, done: Sequence[FollowUpFacts], by_case: dict[str, CaseFacts]
) -> Table:
    """Who is still in work or studies, and how support changed from enrolment."""
    at = {f.case_id: f for f in done if f.case_id in by_case}
    cases = Grouped([by_case[case_id] for case_id in at])

    def late(case: CaseFacts) -> bool:
        return at[case.case_id].late

    def in_work(case: CaseFacts) -> bool:
        return at[case.case_id].in_work_or_studies

    def at_follow_up(case: CaseFacts) -> frozenset[SupportSource]:
        return _or_unknown(at[case.case_id].support_sources)

    rows = [
        _row("Uppföljda", cases, _count_where(_everyone)),
        _row("Varav gjorda sent, efter fönstret", cases, _share_where(late)),
        _row("I arbete eller studier", cases, _share_where(in_work)),
    ]
    for s in SupportSource:
        rows.append(
            _row(
                f"{s.label}: vid inskrivning",
                cases,
                _share_where(partial(_has_source, s, _supported_at_enrolment)),
            )
        )
        rows.append(
            _row(
                f"{s.label}: vid uppföljningen",
                cases,
                _share_where(partial(_has_source, s, at_follow_up)),
            )
        )
    return Table(
        f"uppfoljning-{months}",
        f"Uppföljning {months} månader efter avslut",
        "Uppföljningar gjorda under perioden; försörjning vid inskrivning jämfört med vid "
        "uppföljningen för samma personer.",
        COLUMNS,
        rows,
    )


def period_of(year: str, quarter: str, start: str, end: str, today: date) -> Period:
    """A chosen period: dates if both are given, else a quarter of the year, else the year."""
    try:
        if start and end:
            first, last = date.fromisoformat(start), date.fromisoformat(end)
            if first <= last:
                return Period(first, last, f"{first} – {last}")
        chosen = int(year) if year.isdigit() else today.year
        if quarter in ("1", "2", "3", "4"):
            first = date(chosen, 3 * int(quarter) - 2, 1)
            return Period(
                first, first + relativedelta(months=3, days=-1), f"{chosen} kvartal {quarter}"
            )
        return Period(date(chosen, 1, 1), date(chosen, 12, 31), str(chosen))
    except ValueError:
        return Period(date(today.year, 1, 1), date(today.year, 12, 31), str(today.year))
