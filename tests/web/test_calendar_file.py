"""The meeting's calendar file is standard iCalendar: its times are in UTC, so a second,
independent parser (vobject) finds the meeting's time in Stockholm in winter and in summer,
with no time zone of the file's to trust."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import vobject
from litestar import Litestar

from coordination.cases.tables import case_meetings
from tests.web.support import TODAY, client_for, enrolled_case
from tests.web.test_case_journey import schedule

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def meeting_ids(app: Litestar, case_id: str) -> list[str]:
    with app.state.services.engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(case_meetings.c.meeting_id)
                .where(case_meetings.c.case_id == case_id)
                .order_by(case_meetings.c.starts_at)
            ).scalars()
        )


def test_each_calendar_file_parses_elsewhere_to_the_same_time_in_stockholm(
    app: Litestar,
) -> None:
    client = client_for(app, "samordnare@test")
    case_id = enrolled_case(client)
    winter = datetime.combine(TODAY + timedelta(days=3), datetime.min.time()).replace(hour=10)
    summer = winter.replace(year=winter.year + 1, month=6, day=15, hour=13, minute=30)
    for starts in (winter, summer):
        assert schedule(client, case_id, starts).status_code == 200, starts
    for meeting_id, starts, offset in zip(
        meeting_ids(app, case_id), (winter, summer), (1, 2), strict=True
    ):
        ics = client.get(f"/arenden/{case_id}/moten/{meeting_id}/kalender.ics")
        assert ics.headers["content-type"] == "text/calendar; charset=utf-8"
        assert "TZID" not in ics.text  # no zone named that the file does not define
        assert "Rum 3" not in ics.text  # the place is the participant's, not the file's
        parsed = vobject.readOne(ics.text)
        start = parsed.vevent.dtstart.value
        assert start.utcoffset() == timedelta(0)
        in_stockholm = start.astimezone(STOCKHOLM)
        assert in_stockholm.replace(tzinfo=None) == starts
        assert in_stockholm.utcoffset() == timedelta(hours=offset)  # CET, then CEST
        assert parsed.vevent.dtend.value - start == timedelta(minutes=60)
        assert parsed.vevent.dtstamp.value.utcoffset() == timedelta(0)
