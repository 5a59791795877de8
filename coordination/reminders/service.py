"""Reminders on their way out: the sweep, the weekly digests, the outbox and its sender.

The clock (APScheduler, in the web app's lifespan) only calls `tick`. A due reminder becomes
an outbox message in the same transaction that appends `ReminderSent` to its case, so a crash
leaves both or neither; the append's expected version lets only one of several instances win.
Delivery (`delivery.py`) claims each outbox row with a lease before it talks to the mail
server.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

import events
from coordination.accounts.tables import users
from coordination.cases import contract as case_events
from coordination.cases.tables import cases
from coordination.config import Settings
from coordination.reminders import emails
from coordination.reminders.delivery import Delivery, Message, Sender, enqueue
from coordination.reminders.emails import DueItem
from coordination.reminders.events import (
    ReminderDone,
    ReminderEvent,
    ReminderSent,
    ReminderSnoozed,
)
from coordination.reminders.projection import ReminderViews
from coordination.reminders.tables import due_reminders, outbox
from coordination.shared.access import User
from coordination.shared.clock import TEAM_TIMEZONE, Clock
from coordination.shared.vocabulary import ReminderKind, Role

log = logging.getLogger("samordna.reminders")
SYSTEM_ACTOR = "samordna"  # the actor of what the service itself records

DIGEST_HOUR = 7  # Monday morning, team time
DIGEST_HORIZON = timedelta(days=7)


@dataclass(frozen=True)
class Reminder:
    case_id: str
    case_code: str
    case_version: int
    key: str
    kind: ReminderKind
    due_on: date
    detail: str
    notified: bool
    recipient_id: str = ""

    def item(self) -> DueItem:
        return DueItem(self.case_id, self.case_code, self.kind, self.due_on, self.detail)


def _reminder(row: Any) -> Reminder:
    return Reminder(
        row.case_id,
        row.case_code,
        row.version,
        row.key,
        ReminderKind(row.kind),
        row.due_on,
        row.detail,
        row.notified,
        row.recipient_id,
    )


_DUE = sa.select(due_reminders, cases.c.case_code, cases.c.version, cases.c.team_id).join(
    cases, cases.c.case_id == due_reminders.c.case_id
)


def _bookkeeping(case_id: str, fact: ReminderEvent, user: User | None) -> events.NewEvent:
    metadata = events.metadata_of(
        actor=user.id if user else SYSTEM_ACTOR,
        actor_group=user.part if user else None,
        correlation_id=uuid.uuid4(),
    )
    return case_events.new_event(fact, f"participant-{case_id}", metadata)


# The reminders' bookkeeping of a case: a stream of its own, named by the case id.
REMINDERS = "reminders"


def reminders_stream(case_id: str) -> events.StreamName:
    return events.StreamName(REMINDERS, case_id)


SYSTEM_CLOCK = Clock()


class ReminderNotFound(Exception):
    """Not a reminder of this user's (another's, or one no longer due)."""

    detail = "Påminnelsen finns inte bland dina."
    status_code = 404


class Reminders:
    def __init__(
        self,
        store: events.EventStore,
        settings: Settings,
        sender: Sender | None = None,
        clock: Callable[[], datetime] = SYSTEM_CLOCK.now,
    ) -> None:
        self.store = store
        self.engine = store.engine
        self.settings = settings
        self.clock = clock
        self.delivery = Delivery(
            self.engine,
            sender or (Sender(settings.smtp) if settings.smtp else None),
            lambda: self.clock(),
        )
        self._weekly_done = ""  # the week whose digests and summaries this process wrote

    # -- the clock's job ---------------------------------------------------------------

    def tick(self) -> None:
        """One beat of the clock: due reminders to the outbox, the weekly mails, delivery."""
        now = self.clock()
        self.sweep(now)
        self.weekly(now)
        self.deliver(now)

    def sweep(self, now: datetime) -> int:
        """Every due, not yet notified reminder of a user who wants them one by one becomes
        an outbox message and a ReminderSent on its case. Returns how many."""
        today = now.astimezone(TEAM_TIMEZONE).date()
        query = (
            _DUE.add_columns(users.c.email)
            .join(users, users.c.id == due_reminders.c.recipient_id)
            .where(
                due_reminders.c.due_on <= today,
                due_reminders.c.notified.is_(False),
                users.c.active.is_(True),
                users.c.digest_only.is_(False),
            )
            .order_by(due_reminders.c.due_on)
            .limit(500)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        sent = 0
        for row in rows:
            item = _reminder(row).item()
            subject, body = emails.reminder(self.settings.base_url, item)
            if self._notify(
                row.case_id,
                row.key,
                row.kind,
                row.recipient_id,
                "e-post",
                now,
                message=Message(
                    f"reminder:{row.case_id}:{row.key}:{row.recipient_id}",
                    "reminder",
                    row.recipient_id,
                    row.team_id,
                    row.email,
                    subject,
                    body,
                    row.case_id,
                ),
            ):
                sent += 1
        return sent

    def _notify(
        self,
        case_id: str,
        key: str,
        kind: str,
        recipient_id: str,
        channel: str,
        now: datetime,
        message: Message | None,
    ) -> bool:
        """Append ReminderSent and (when there is one) put the message in the outbox, in one
        transaction. False when another instance got there first."""
        event = _bookkeeping(case_id, ReminderSent(key, kind, recipient_id, channel), None)
        try:
            with self.store.transaction() as conn:
                notified = conn.execute(
                    sa.select(due_reminders.c.notified).where(
                        due_reminders.c.case_id == case_id, due_reminders.c.key == key
                    )
                ).scalar()
                if notified is not False:
                    return False  # sent meanwhile, or no longer due
                stream = reminders_stream(case_id)
                version = self.store.stream_version(stream, conn)
                self.store.append(stream, version, [event], conn=conn)
                if message is not None:
                    enqueue(conn, message, now)
        except (events.ConcurrencyError, IntegrityError):
            return False
        return True

    # -- the weekly digest and summary ---------------------------------------------------

    def weekly(self, now: datetime) -> int:
        """From Monday morning on: each user's digest of due and overdue reminders, and each
        teamledare's summary, once per week (the outbox's dedupe key holds the week, so a
        restart or a second instance writes nothing twice). One pass per week and process:
        the clock ticks every minute and the rest of the week has nothing to add."""
        local = now.astimezone(TEAM_TIMEZONE)
        monday = local.date() - timedelta(days=local.weekday())
        week = f"{monday.isocalendar().year}-V{monday.isocalendar().week:02d}"
        if week == self._weekly_done or (local.weekday() == 0 and local.hour < DIGEST_HOUR):
            return 0
        today = local.date()
        with self.engine.connect() as conn:
            people = conn.execute(
                sa.select(
                    users.c.id,
                    users.c.email,
                    users.c.name,
                    users.c.role,
                    users.c.team_id,
                    users.c.digest_only,
                ).where(users.c.active.is_(True))
            ).all()
            mine: dict[str, list[Reminder]] = defaultdict(list)
            due_in_team: dict[str, list[tuple[str, Reminder]]] = defaultdict(list)
            for row in conn.execute(
                _DUE.where(due_reminders.c.due_on <= today + DIGEST_HORIZON).order_by(
                    due_reminders.c.due_on
                )
            ):
                reminder = _reminder(row)
                mine[row.recipient_id].append(reminder)
                if reminder.due_on <= today:
                    due_in_team[row.team_id].append((row.recipient_id, reminder))
        names = {p.id: p.name for p in people}
        written = 0
        for person in people:
            if mine[person.id]:
                written += self._digest(person, mine[person.id], week, today, now)
            if person.role == Role.TEAM_LEADER:
                team = due_in_team[person.team_id]
                counts = Counter((names.get(who, "okänd"), r.kind) for who, r in team)
                overdue = Counter(names.get(who, "okänd") for who, r in team if r.due_on < today)
                subject, body = emails.summary(self.settings.base_url, counts, overdue)
                written += self._write_once(
                    Message(
                        f"summary:{person.id}:{week}",
                        "summary",
                        person.id,
                        person.team_id,
                        person.email,
                        subject,
                        body,
                    ),
                    now,
                )
        self._weekly_done = week
        return written

    def _digest(
        self, person: Any, mine: list[Reminder], week: str, today: date, now: datetime
    ) -> int:
        subject, body = emails.digest(self.settings.base_url, [r.item() for r in mine], today)
        digest = Message(
            f"digest:{person.id}:{week}",
            "digest",
            person.id,
            person.team_id,
            person.email,
            subject,
            body,
        )
        written = self._write_once(digest, now)
        if written and person.digest_only:
            # The digest is how these reminders reach the user: log it on each case.
            for r in mine:
                if r.due_on <= today and not r.notified:
                    self._notify(
                        r.case_id,
                        r.key,
                        r.kind.value,
                        person.id,
                        "veckosammanställning",
                        now,
                        message=None,
                    )
        return written

    def _write_once(self, message: Message, now: datetime) -> int:
        try:
            with events.write_transaction(self.engine) as conn:
                enqueue(conn, message, now)
        except IntegrityError:
            return 0
        return 1

    def deliver(self, now: datetime) -> int:
        return self.delivery.deliver(now)

    def refresh_insats(self, insats_id: str) -> None:
        """An insats changed its period: its cases' "what comes next" reminders follow."""
        views = next(p for p in self.store.inline_projections if isinstance(p, ReminderViews))
        with self.store.transaction() as conn:
            case_ids = (
                conn.execute(sa.select(cases.c.case_id).where(cases.c.insats_id == insats_id))
                .scalars()
                .all()
            )
            views.refresh(conn, case_ids)

    # -- what users do with their reminders ------------------------------------------------

    def mark_done(self, user: User, case_id: str, key: str) -> None:
        self._record(user, case_id, ReminderDone(key, user.id))

    def snooze(self, user: User, case_id: str, key: str, until: date) -> dict[str, str]:
        """Field errors, or an empty dict when the reminder now waits until `until`."""
        if until <= self.clock().astimezone(TEAM_TIMEZONE).date():
            return {"until": "Välj en dag efter i dag."}
        self._record(user, case_id, ReminderSnoozed(key, until))
        return {}

    def _record(self, user: User, case_id: str, fact: ReminderEvent) -> None:
        """Done or snoozed, by the one the reminder is for (anyone else: ReminderNotFound)."""
        self.check_own(user, case_id, fact.key)
        stream = reminders_stream(case_id)
        for _ in range(5):  # only other bookkeeping can move this stream: just try again
            try:
                with self.store.transaction() as conn:
                    version = self.store.stream_version(stream, conn)
                    self.store.append(
                        stream, version, [_bookkeeping(case_id, fact, user)], conn=conn
                    )
                return
            except events.ConcurrencyError:
                continue
        raise RuntimeError("the reminder could not be recorded")

    # -- queries -------------------------------------------------------------------------

    def check_own(self, user: User, case_id: str, key: str) -> None:
        """ReminderNotFound unless the reminder is due for this user."""
        if not any(r.case_id == case_id and r.key == key for r in self.for_user(user.id)):
            raise ReminderNotFound()

    def for_user(self, user_id: str) -> list[Reminder]:
        query = _DUE.where(due_reminders.c.recipient_id == user_id).order_by(
            due_reminders.c.due_on, cases.c.case_code
        )
        with self.engine.connect() as conn:
            return [_reminder(row) for row in conn.execute(query)]

    def due_for_case(self, case_id: str) -> list[Reminder]:
        """What is due in one case and for whom, the earliest first: for its page."""
        query = _DUE.where(due_reminders.c.case_id == case_id).order_by(
            due_reminders.c.due_on, due_reminders.c.key
        )
        with self.engine.connect() as conn:
            return [_reminder(row) for row in conn.execute(query)]

    def first_due(self, team_id: str, case_ids: Collection[str]) -> dict[str, Reminder]:
        """The earliest due reminder of each of these cases of the team, for the team page."""
        if not case_ids:
            return {}
        # every reminder of these cases, by day: each case's first is its earliest
        query = _DUE.where(
            due_reminders.c.case_id.in_(case_ids), cases.c.team_id == team_id
        ).order_by(due_reminders.c.due_on, due_reminders.c.key)
        first: dict[str, Reminder] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                first.setdefault(row.case_id, _reminder(row))
        return first

    def outbox(self, team_id: str, limit: int = 200) -> list[Any]:
        """The team's messages, those not yet sent first."""
        query = (
            sa.select(outbox, users.c.name.label("recipient_name"))
            .outerjoin(users, users.c.id == outbox.c.recipient_id)
            .where(outbox.c.team_id == team_id)
            .order_by(outbox.c.sent_at.is_(None).desc(), outbox.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(query))
