"""Caseload and statistics in the JSON API: counts only, with the Statistik page's
suppression (counts under 5 read "<5"), to the same readers as the pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from coordination.accounts.insatser import Insatser
from coordination.accounts.service import Accounts
from coordination.config import Settings
from coordination.reports.figures import counted_teams, insatser_of, statistics_tables
from coordination.reports.queries import Reports
from coordination.shared import access, bounds
from coordination.shared.access import User
from coordination.shared.api import API_V1, PROBLEMS, invalid
from coordination.shared.clock import Clock
from coordination.shared.vocabulary import Part, Stage
from coordination.shared.web import allowed


@dataclass(frozen=True)
class PersonLoad:
    """One person's share of the team's work: counts and case codes' count, no names of
    participants."""

    user_id: str
    name: str
    part: Part
    active: int
    by_stage: dict[Stage, int]
    overdue_reminders: int
    meetings_this_week: int
    stale_cases: int
    handovers: int
    days_since_last_event: int


@dataclass(frozen=True)
class StatisticsTable:
    """A table of Statistik: each row its label, then one cell per column ("<5" under 5)."""

    key: str
    title: str
    note: str
    columns: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Statistics:
    period: str
    start: date
    end: date
    # the team counted, or "Hela förbundet"
    counted: str
    tables: list[StatisticsTable]


def _statistics_problems(
    chosen: dict[str, str], user: User, accounts: Accounts, insatser: Insatser
) -> dict[str, str]:
    """What the page would quietly fall back from (a year it cannot read, a period the
    wrong way round, a team or insats the user does not count), named per parameter: a
    script should hear that it asked for something else than it gets."""
    errors: dict[str, str] = {}
    year, quarter = chosen["ar"], chosen["kvartal"]
    if year and not (year.isdigit() and bounds.EARLIEST.year <= int(year) <= bounds.LATEST.year):
        errors["ar"] = f"Ange ett år mellan {bounds.EARLIEST.year} och {bounds.LATEST.year}."
    if quarter and quarter not in ("1", "2", "3", "4"):
        errors["kvartal"] = "Ange kvartal 1, 2, 3 eller 4."
    days: dict[str, date] = {}
    for key in ("fran", "till"):
        if chosen[key]:
            try:
                days[key] = date.fromisoformat(chosen[key])
            except ValueError:
                errors[key] = bounds.DATE_MESSAGE
                continue
            if not bounds.date_in_bounds(days[key]):
                errors[key] = bounds.DATE_MESSAGE
    if bool(chosen["fran"]) != bool(chosen["till"]):
        errors.setdefault("till" if chosen["fran"] else "fran", "Ange både fran och till.")
    elif len(days) == 2 and days["fran"] > days["till"] and not errors:
        errors["till"] = "Slutdatumet kan inte vara före startdatumet."
    counted = counted_teams(chosen, user, accounts)
    if chosen["team"] and chosen["team"] not in {t.id for t in counted}:
        errors["team"] = "Det finns inget sådant team som du kan se statistik för."
    if chosen["insats"] and chosen["insats"] not in {i.id for i in insatser_of(insatser, counted)}:
        errors["insats"] = "Det finns ingen sådan insats i de team som räknas."
    return errors


class CaseloadApi(Controller):
    path = f"{API_V1}/caseload"
    tags = ["Rapporter"]
    guards = (
        allowed(access.can_see_caseload, "Arbetsbelastningen är för teamledare och samordnare."),
    )

    @get(sync_to_thread=True, responses=PROBLEMS)
    def caseload(
        self,
        user: NamedDependency[User],
        reports: NamedDependency[Reports],
        clock: NamedDependency[Clock],
    ) -> list[PersonLoad]:
        """Arbetsbelastning: per person the active cases by stage, overdue reminders,
        meetings this week, cases with no event for 30 days and handovers."""
        return [
            PersonLoad(
                load.key,
                load.name,
                load.part,
                load.active,
                dict(load.by_stage),
                load.overdue,
                load.meetings_this_week,
                load.stale,
                load.handovers,
                load.days_since_last_event,
            )
            for load in reports.caseload(user.team_id, clock.now())
        ]


class StatisticsApi(Controller):
    path = f"{API_V1}/statistics"
    tags = ["Rapporter"]
    guards = (allowed(access.can_see_statistics, "Statistiken är för teamledare och analytiker."),)

    @get(sync_to_thread=True, responses=PROBLEMS)
    def statistics(
        self,
        user: NamedDependency[User],
        reports: NamedDependency[Reports],
        insatser: NamedDependency[Insatser],
        settings: NamedDependency[Settings],
        clock: NamedDependency[Clock],
        accounts: NamedDependency[Accounts],
        year: Annotated[str, QueryParameter(name="ar", max_length=4, description="ÅÅÅÅ")] = "",
        quarter: Annotated[
            str, QueryParameter(name="kvartal", max_length=1, description="1–4")
        ] = "",
        start: Annotated[
            str, QueryParameter(name="fran", max_length=10, description="ÅÅÅÅ-MM-DD")
        ] = "",
        end: Annotated[
            str, QueryParameter(name="till", max_length=10, description="ÅÅÅÅ-MM-DD")
        ] = "",
        insats: Annotated[str, QueryParameter(max_length=36, description="En insats id")] = "",
        team: Annotated[
            str,
            QueryParameter(max_length=36, description="Ett team (förbundets läsare); annars alla"),
        ] = "",
    ) -> Statistics:
        """Statistik's SUS tables for a year, a quarter or two dates (this year by default),
        optionally one insats; the förbund's readers count the whole förbund or one team."""
        chosen = {
            "ar": year,
            "kvartal": quarter,
            "fran": start,
            "till": end,
            "insats": insats,
            "team": team,
        }
        errors = _statistics_problems(chosen, user, accounts, insatser)
        if errors:
            raise invalid(errors)
        period, tables = statistics_tables(
            chosen, user, reports, settings, clock, accounts, insatser
        )
        counted = counted_teams(chosen, user, accounts)
        return Statistics(
            period.label,
            period.start,
            period.end,
            counted[0].name if len(counted) == 1 else "Hela förbundet",
            [StatisticsTable(t.key, t.title, t.note, t.columns, t.rows) for t in tables],
        )


CONTROLLERS = [CaseloadApi, StatisticsApi]
