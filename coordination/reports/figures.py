"""The Statistik page's figures as its readers choose them (a period, an insats, for the
förbund's readers a team): the same tables, with the same suppression, for the page, its
exports and the API."""

from __future__ import annotations

from collections.abc import Mapping

from coordination.accounts.insatser import Insats, Insatser
from coordination.accounts.service import Accounts, Team
from coordination.config import Settings
from coordination.reports.queries import Reports
from coordination.reports.statistics import Period, Table, period_of
from coordination.shared import access
from coordination.shared.access import User
from coordination.shared.clock import Clock

# What a reader chooses, by the page's query parameters.
CHOICES = ("ar", "kvartal", "fran", "till", "insats", "team")


def counted_teams(chosen: Mapping[str, str], user: User, accounts: Accounts) -> list[Team]:
    """The teams the statistics count: an analytiker's whole förbund, or the one team of it
    chosen; everyone else's own team."""
    if not access.sees_the_forbund(user):
        return [t for t in accounts.teams() if t.id == user.team_id]
    every = accounts.teams()
    return [t for t in every if t.id == chosen.get("team", "")] or every


def chosen_period(chosen: Mapping[str, str], clock: Clock) -> Period:
    return period_of(
        chosen.get("ar", ""),
        chosen.get("kvartal", ""),
        chosen.get("fran", ""),
        chosen.get("till", ""),
        clock.today(),
    )


def insatser_of(insatser: Insatser, teams: list[Team]) -> list[Insats]:
    return [i for team in teams for i in insatser.team_insatser(team.id)]


def statistics_tables(
    chosen: Mapping[str, str],
    user: User,
    reports: Reports,
    settings: Settings,
    clock: Clock,
    accounts: Accounts,
    insatser: Insatser,
) -> tuple[Period, list[Table]]:
    period = chosen_period(chosen, clock)
    counted = counted_teams(chosen, user, accounts)
    teams = [t.id for t in counted]
    insats = chosen.get("insats", "")
    # side by side when no one insats is chosen
    names = {} if insats else {i.id: i.name for i in insatser_of(insatser, counted)}
    tables = reports.statistics(
        teams, insats, period, settings.timings.follow_up_months, names, clock.today()
    )
    return period, tables
