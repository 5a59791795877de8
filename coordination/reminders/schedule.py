"""APScheduler as the reminders' clock, started and stopped with the app: one interval job,
nothing else lives in it."""

from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler

from coordination.reminders.service import Reminders
from coordination.shared.clock import TEAM_TIMEZONE, Clock


class ReminderClock:
    """Every `seconds` the reminders tick (due reminders to the outbox, weekly mails,
    delivery); 0 leaves it off (tests drive the reminders themselves)."""

    def __init__(self, reminders: Reminders, clock: Clock, seconds: int) -> None:
        self.reminders = reminders
        self.clock = clock
        self.seconds = seconds
        self.scheduler: BackgroundScheduler | None = None

    def start(self) -> None:
        if self.seconds <= 0:
            return
        self.scheduler = BackgroundScheduler(timezone=TEAM_TIMEZONE)
        self.scheduler.add_job(
            self.reminders.tick,
            "interval",
            seconds=self.seconds,
            id="reminders",
            max_instances=1,
            coalesce=True,
            next_run_time=self.clock.now(),
        )
        self.scheduler.start()

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
