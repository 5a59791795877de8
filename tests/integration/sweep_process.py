"""A Samordna instance reduced to its reminder clock, run as its own process by the tests:
`python -m tests.integration.sweep_process DATABASE_URL DATA_DIR SMTP_PORT sweep|tick ROUNDS`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from coordination.shared import database as db
from tests.integration.reminder_support import reminders_for, settings_for


def main() -> None:
    database_url, data_dir, smtp_port, what, rounds = sys.argv[1:6]
    settings = settings_for(database_url, Path(data_dir), int(smtp_port))
    reminders = reminders_for(settings, db.connect(database_url))
    print("ready", flush=True)
    for _ in range(int(rounds)):
        if what == "sweep":
            reminders.sweep(reminders.clock())
        else:
            reminders.tick()
        time.sleep(0.05)


if __name__ == "__main__":
    main()
