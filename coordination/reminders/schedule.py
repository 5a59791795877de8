"""APScheduler as the service's clock, started and stopped with the app: one interval job,
nothing else lives in it."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Sequence
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler

from coordination.shared.clock import TEAM_TIMEZONE, Clock

log = logging.getLogger("samordna.clock")


class ReminderClock:
    """Every `seconds` each beat runs in turn (the reminders' tick: due reminders to the
    outbox, weekly mails, delivery; the retention rule); 0 leaves it off (tests drive them
    themselves). It remembers when it started and when its last sweep finished with every
    beat done, for the health check."""

    def __init__(self, beats: Sequence[Callable[[], object]], clock: Clock, seconds: int) -> None:
        self.beats = beats
        self.clock = clock
        self.seconds = seconds
        self.scheduler: BackgroundScheduler | None = None
        self.started_at: datetime | None = None
        self.last_sweep: datetime | None = None

    @property
    def running(self) -> bool:
        return self.started_at is not None

    def start(self) -> None:
        if self.seconds <= 0:
            return
        self.started_at = self.clock.now()
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
        """Every beat, even after one failed; the sweep counts as done only when all did."""
        failed = False
        for beat in self.beats:
            try:
                beat()
            except Exception as error:
                failed = True
                log.error(
                    "a beat of the reminder clock failed with %s\n%s",
                    type(error).__name__,
                    "".join(traceback.format_tb(error.__traceback__)),
                    extra={"fields": {"beat": getattr(beat, "__qualname__", "?")}},
                )
        if not failed:
            self.last_sweep = self.clock.now()

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
            self.started_at = None
