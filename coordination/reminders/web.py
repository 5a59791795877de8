"""Mina påminnelser and the outbox (the delivery setting is on Inställningar, in accounts)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect

from coordination.config import Settings
from coordination.reminders.emails import what
from coordination.reminders.service import Reminders
from coordination.shared import access
from coordination.shared.access import User
from coordination.shared.clock import Clock
from coordination.shared.forms import FormErrors
from coordination.shared.web import Form, Page, allowed, form_of


class RemindersController(Controller):
    path = "/paminnelser"
    guards = (allowed(access.can_see_case_list, "Påminnelser gäller den som arbetar ärenden."),)

    @staticmethod
    def _page(
        page: Page,
        user: User,
        reminders: Reminders,
        clock: Clock,
        status_code: int = 200,
        **context: Any,
    ) -> Response[bytes]:
        today = clock.today()
        found = reminders.for_user(user.id)
        return page(
            "reminders/reminders.html",
            status_code,
            overdue=[r for r in found if r.due_on < today],
            due_today=[r for r in found if r.due_on == today],
            coming=[r for r in found if today < r.due_on <= today + timedelta(days=30)],
            describe=lambda r: what(r.item()),
            snooze_default=(today + timedelta(days=7)).isoformat(),
            **context,
        )

    @get(sync_to_thread=True)
    def my_reminders(
        self,
        page: NamedDependency[Page],
        user: NamedDependency[User],
        reminders: NamedDependency[Reminders],
        clock: NamedDependency[Clock],
    ) -> Response[bytes]:
        return self._page(page, user, reminders, clock)

    @post("/klar", sync_to_thread=True)
    def reminder_done(
        self, data: Form, user: NamedDependency[User], reminders: NamedDependency[Reminders]
    ) -> Response[Any]:
        form = form_of(data)
        reminders.mark_done(user, form.get("case_id", ""), form.get("key", ""))
        return Redirect("/paminnelser")

    @post("/vanta", sync_to_thread=True)
    def reminder_snooze(
        self,
        data: Form,
        page: NamedDependency[Page],
        user: NamedDependency[User],
        reminders: NamedDependency[Reminders],
        clock: NamedDependency[Clock],
    ) -> Response[Any]:
        form = form_of(data)
        reminders.check_own(user, form.get("case_id", ""), form.get("key", ""))
        errors = FormErrors()
        until = errors.date(form, "until")
        if not errors:
            errors.update(reminders.snooze(user, form["case_id"], form["key"], until))
        if errors:
            return self._page(page, user, reminders, clock, 422, errors=errors, form=form)
        return Redirect("/paminnelser")


class OutboxController(Controller):
    path = "/admin/utkorg"
    guards = [allowed(access.can_administer, "Bara administratörer läser utkorgen.")]

    @get(sync_to_thread=True)
    def outbox_page(
        self,
        page: NamedDependency[Page],
        user: NamedDependency[User],
        reminders: NamedDependency[Reminders],
        settings: NamedDependency[Settings],
    ) -> Response[bytes]:
        messages = reminders.outbox(user.team_id)
        return page("reminders/outbox.html", messages=messages, smtp=settings.smtp)


CONTROLLERS = [RemindersController, OutboxController]
