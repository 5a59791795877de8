"""The clock of the service: now and today where the team works.

One `Clock` is made in the composition root and handed to everything that needs the time;
nothing else asks the system for it. Tests move it with time-machine.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

# Teams work in Swedish wall-clock time: meeting times, "today", working days.
TEAM_TIMEZONE = ZoneInfo("Europe/Stockholm")


class Clock:
    def now(self) -> datetime:
        """Now, with the team's time zone."""
        return datetime.now(TEAM_TIMEZONE)

    def wall_clock(self) -> datetime:
        """Now as the team's clocks show it, without a zone: how meeting times are kept."""
        return self.now().replace(tzinfo=None)

    def today(self) -> date:
        """Today where the team works: every "today" of the service is this one."""
        return self.now().date()


def team_time(moment: datetime, seconds: bool = False) -> str:
    """A stored moment (kept in UTC) as the team's clocks showed it, for the pages."""
    shown = moment.astimezone(TEAM_TIMEZONE)
    return shown.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
