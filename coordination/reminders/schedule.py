"""APScheduler as the service's clock, started and stopped with the app: one interval job,
nothing else lives in it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from apscheduler.schedulers.background import BackgroundScheduler

from coordination.shared.clock import TEAM_TIMEZONE, Clock


class ReminderClock:
    """Every `seconds` each beat runs in turn (the reminders' tick: due reminders to the
    outbox, weekly mails, delivery; the retention rule); 0 leaves it off (tests drive them
    themselves)."""

    def __init__(self, beats: Sequence[Callable[[], object]], clock: Clock, seconds: int) -> None:
        self.beats = beats
        self.clock = clock
        self.seconds = seconds
        self.scheduler: BackgroundScheduler | None = None

    def start(self) -> None:
        if self.seconds <= 0:
            return
        self.scheduler = BackgroundScheduler(timezone=TEAM_TIMEZONE)
        self.scheduler.add_job(
            self._beat,
            "interval",
            seconds=self.seconds,
            id="reminders",
            max_instances=1,
            coalesce=True,
            next_run_time=self.clock.now(),
        )
        self.scheduler.start()

    def _beat(self) -> None:
        for beat in self.beats:
            beat()

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
