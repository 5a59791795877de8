"""One's own reminders in the JSON API: listed, marked done or put off to a later day, as
on Mina påminnelser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from coordination.reminders.emails import what
from coordination.reminders.service import Reminders
from coordination.shared import access
from coordination.shared.access import User
from coordination.shared.api import API_V1, COMMAND_PROBLEMS, PROBLEMS, invalid, may_write
from coordination.shared.api import text_problems as problems_of
from coordination.shared.vocabulary import ReminderKind
from coordination.shared.web import allowed


@dataclass(frozen=True)
class ReminderOut:
    """A reminder: the case code and what is due when, never a name."""

    case_id: str
    case_code: str
    key: str
    kind: ReminderKind
    what: str
    due_on: date
    notified: bool


@dataclass(frozen=True)
class ReminderRef:
    case_id: str
    key: str


@dataclass(frozen=True)
class Snooze:
    case_id: str
    key: str
    until: date


@dataclass(frozen=True)
class Done:
    done: bool = True


class RemindersApi(Controller):
    path = f"{API_V1}/reminders"
    tags = ["Påminnelser"]
    guards = (allowed(access.can_see_case_list, "Påminnelser gäller den som arbetar ärenden."),)

    @get(sync_to_thread=True, responses=PROBLEMS)
    def my_reminders(
        self, user: NamedDependency[User], reminders: NamedDependency[Reminders]
    ) -> list[ReminderOut]:
        """Mina påminnelser: what is due for me, the earliest first."""
        return [
            ReminderOut(r.case_id, r.case_code, r.key, r.kind, what(r.item()), r.due_on, r.notified)
            for r in reminders.for_user(user.id)
        ]

    @post(
        "/done",
        guards=[may_write],
        sync_to_thread=True,
        responses=COMMAND_PROBLEMS,
        status_code=200,
    )
    def reminder_done(
        self,
        data: JSONBody[ReminderRef],
        user: NamedDependency[User],
        reminders: NamedDependency[Reminders],
    ) -> Done:
        reminders.mark_done(user, data.case_id, data.key)
        return Done()

    @post(
        "/snooze",
        guards=[may_write],
        sync_to_thread=True,
        responses=COMMAND_PROBLEMS,
        status_code=200,
    )
    def reminder_snooze(
        self,
        data: JSONBody[Snooze],
        user: NamedDependency[User],
        reminders: NamedDependency[Reminders],
    ) -> Done:
        """Put one's reminder off until a later day."""
        reminders.check_own(user, data.case_id, data.key)
        errors = problems_of(data) or reminders.snooze(user, data.case_id, data.key, data.until)
        if errors:
            raise invalid(errors)
        return Done()


CONTROLLERS = [RemindersApi]
