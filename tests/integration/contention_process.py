"""A second Samordna instance that logs in and runs the reminder clock against the same
database as the test, as its own process:
`python -m tests.integration.contention_process DATABASE_URL DATA_DIR SMTP_PORT EMAIL SECONDS`.
It exits non-zero with the traceback when anything fails."""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path

from coordination.accounts.service import Accounts, LoginRefused
from coordination.shared import database as db
from tests.integration.reminder_support import reminders_for, settings_for

PASSWORD = "ett-langt-losenord"


def main() -> None:
    database_url, data_dir, smtp_port, email, seconds = sys.argv[1:6]
    engine = db.connect(database_url)
    reminders = reminders_for(settings_for(database_url, Path(data_dir), int(smtp_port)), engine)
    accounts = Accounts(engine)
    print("ready", flush=True)
    until = time.monotonic() + float(seconds)
    while time.monotonic() < until:
        reminders.tick()
        now = reminders.clock()
        accounts.log_in(email, PASSWORD, now, f"process-{uuid.uuid4().hex}")
        try:
            wrong = f"{uuid.uuid4().hex}@test"
            accounts.log_in(wrong, "fel-losenord", now, f"process-{uuid.uuid4().hex}")
        except LoginRefused:
            pass


if __name__ == "__main__":
    main()
