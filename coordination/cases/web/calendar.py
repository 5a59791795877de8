"""Network meetings in iCalendar: one meeting's calendar file, and each user's feed of the
meetings they are invited to, which calendar programs read from a secret address without
logging in.

Both carry the case code, the times, the meeting's form and a link, never anything of the
participant's (not even the place): anyone who sees the case may have them, and neither
writes a Läslogg entry, as neither shows personal data."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from coordination.accounts.feeds import CalendarFeeds
from coordination.cases.queries import Meeting
from coordination.cases.service import Cases
from coordination.config import Settings
from coordination.shared.clock import TEAM_TIMEZONE, Clock
from coordination.shared.vocabulary import MeetingStatus

# How far back the feed reaches: a meeting just held stays in the calendar for a while.
FEED_DAYS_BACK = 30
FEED_SUFFIX = ".ics"


def _utc(wall_clock: datetime) -> datetime:
    return wall_clock.replace(tzinfo=TEAM_TIMEZONE).astimezone(UTC)


def meeting_event(meeting: Meeting, base_url: str, now: datetime) -> Event:
    """One meeting as a calendar event: the case code, times, form and a link."""
    event = Event()
    event.add("uid", f"{meeting.meeting_id}@samordna")
    event.add("summary", f"Nätverksmöte {meeting.case_code}")
    # In UTC: every calendar shows it in its own zone, and no VTIMEZONE is needed (the
    # one icalendar derives from zoneinfo lists its transitions as RDATEs, which some
    # readers get wrong in summer: vobject does).
    event.add("dtstart", _utc(meeting.starts_at))
    event.add("dtend", _utc(meeting.ends_at))
    event.add("dtstamp", now.astimezone(UTC))
    link = f"{base_url}/arenden/{meeting.case_id}/moten/{meeting.meeting_id}"
    event.add(
        "description",
        f"Ärende {meeting.case_code}, {meeting.mode.label.lower()}: {link}",
    )
    cancelled = meeting.status is MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def calendar_response(events: Iterable[Event], file_name: str, name: str = "") -> Response[bytes]:
    """A calendar file of `events`, named `name` in the calendar program when given."""
    calendar = Calendar()
    calendar.add("prodid", "-//Samordna//Nätverksmöten//SV")
    calendar.add("version", "2.0")
    if name:
        calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(event)
    return Response(
        calendar.to_ical(),
        media_type="text/calendar",  # Litestar adds the charset of a text type
        headers={"Content-Disposition": f'attachment; filename="{file_name}"'},
    )


class CalendarFeedController(Controller):
    """`/kalender/<secret>.ics`: open without a session (a calendar program cannot log in),
    this one route and nothing else under `/kalender/`. The secret is the key: an unknown or
    revoked one is not found. The request log names the route's template, never the secret."""

    path = "/kalender"

    @get(
        "/{feed:str}",
        sync_to_thread=True,
        opt={"exclude_from_auth": True},
        include_in_schema=False,
    )
    def calendar_feed(
        self,
        feed: FromPath[str],
        feeds: NamedDependency[CalendarFeeds],
        cases: NamedDependency[Cases],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
    ) -> Response[bytes]:
        subscriber = (
            feeds.subscriber(feed.removesuffix(FEED_SUFFIX)) if feed.endswith(FEED_SUFFIX) else None
        )
        if subscriber is None:
            raise NotFoundException("Kalendern finns inte. Skapa en ny adress under Inställningar.")
        since = clock.wall_clock() - timedelta(days=FEED_DAYS_BACK)
        now = clock.now()
        meetings = cases.invited_meetings(subscriber, since)
        return calendar_response(
            (meeting_event(m, settings.base_url, now) for m in meetings),
            "samordna-moten.ics",
            "Mina nätverksmöten (Samordna)",
        )


CONTROLLERS = [CalendarFeedController]
