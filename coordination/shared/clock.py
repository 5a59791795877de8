"""The clock of the service: now and today where the team works."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

# Teams work in Swedish wall-clock time: meeting times, "today", working days.
TEAM_TIMEZONE = ZoneInfo("Europe/Stockholm")


def team_now() -> datetime:
    return datetime.now(TEAM_TIMEZONE)


def team_wall_clock() -> datetime:
    """Now as the team's clocks show it, without a zone: how meeting times are kept."""
    return team_now().replace(tzinfo=None)


def team_today() -> date:
    """Today where the team works: every "today" of the service is this one."""
    return team_now().date()
