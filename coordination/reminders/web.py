"""Mina påminnelser, follow-ups and after-support, the outbox, and the user's settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from coordination.accounts import service as accounts
from coordination.cases import domain as case
from coordination.cases.web.case import Render, act, case_for, form_page
from coordination.reminders.emails import what
from coordination.shared import access
from coordination.shared.forms import FormErrors
from coordination.shared.vocabulary import Occupation, SupportSource
from coordination.shared.web import current_user, logged_in, page, posted, services_of


def _reminders_page(
    request: Request[Any, Any, Any], status_code: int = 200, **context: Any
) -> Template:
    user = current_user(request)
    services = services_of(request)
    today = services.cases.today()
    found = services.reminders.for_user(user.id)
    return page(
        request,
        "reminders.html",
        status_code,
        overdue=[r for r in found if r.due_on < today],
        due_today=[r for r in found if r.due_on == today],
        coming=[r for r in found if today < r.due_on <= today + timedelta(days=30)],
        describe=lambda r: what(r.item()),
        snooze_default=(today + timedelta(days=7)).isoformat(),
        **context,
    )


@get("/paminnelser", guards=[logged_in])
async def my_reminders(request: Request[Any, Any, Any]) -> Template:
    return _reminders_page(request)


def _own_reminder(request: Request[Any, Any, Any], case_id: str, key: str) -> None:
    user = current_user(request)
    mine = services_of(request).reminders.for_user(user.id)
    if not any(r.case_id == case_id and r.key == key for r in mine):
        raise NotFoundException("Påminnelsen finns inte bland dina.")


@post("/paminnelser/klar", guards=[logged_in])
async def reminder_done(request: Request[Any, Any, Any]) -> Response[Any]:
    form = await posted(request)
    _own_reminder(request, form.get("case_id", ""), form.get("key", ""))
    services_of(request).reminders.mark_done(current_user(request), form["case_id"], form["key"])
    return Redirect("/paminnelser")


@post("/paminnelser/vanta", guards=[logged_in])
async def reminder_snooze(request: Request[Any, Any, Any]) -> Response[Any]:
    form = await posted(request)
    _own_reminder(request, form.get("case_id", ""), form.get("key", ""))
    errors = FormErrors()
    until = errors.date(form, "until")
    if not errors:
        errors.update(
            services_of(request).reminders.snooze(
                current_user(request), form["case_id"], form["key"], until
            )
        )
    if errors:
        return _reminders_page(request, 422, errors=errors, form=form)
    return Redirect("/paminnelser")


# -- follow-up after closure ------------------------------------------------------------------


def _follow_up_page(months: int) -> Render:
    return form_page("follow_up.html", lambda request, row: {"months": months})


def _months(request: Request[Any, Any, Any], months: int) -> int:
    if months not in services_of(request).settings.timings.follow_up_months:
        raise NotFoundException("Ingen uppföljning görs efter så många månader.")
    return months


@get("/arenden/{case_id:str}/uppfoljning/{months:int}", guards=[logged_in])
async def follow_up_form(
    request: Request[Any, Any, Any], case_id: FromPath[str], months: FromPath[int]
) -> Template:
    row = case_for(request, case_id)
    if not access.can_work_cases(current_user(request), row.team_id):
        raise PermissionDeniedException("Din roll får inte ändra ärenden.")
    form = {
        "version": str(row.version),
        "recorded_on": services_of(request).cases.today().isoformat(),
    }
    return _follow_up_page(_months(request, months))(request, row, form, FormErrors())


@post("/arenden/{case_id:str}/uppfoljning/{months:int}", guards=[logged_in])
async def record_follow_up(
    request: Request[Any, Any, Any], case_id: FromPath[str], months: FromPath[int]
) -> Response[Any]:
    chosen = _months(request, months)
    return await act(
        request,
        case_id,
        lambda f, e: case.RecordFollowUp(
            chosen,
            e.date(f, "recorded_on"),
            e.choice(f, "occupation", Occupation) or Occupation.UNKNOWN,
            e.choices(f["support_sources"], "support_sources", SupportSource),
            bool(f.get("in_work_or_studies")),
            f.get("obstacles", ""),
        ),
        _follow_up_page(chosen),
        "#uppfoljning",
    )


# -- after-support ---------------------------------------------------------------------------


@post("/arenden/{case_id:str}/efterstod/start", guards=[logged_in])
async def start_after_support(
    request: Request[Any, Any, Any], case_id: FromPath[str]
) -> Response[Any]:
    months = services_of(request).settings.timings.after_support_months

    def build(f: dict[str, Any], e: FormErrors) -> case.Command:
        started = e.date(f, "started_on")
        planned = e.optional_date(f, "planned_end") or started + relativedelta(months=months)
        return case.StartAfterSupport(started, planned)

    return await act(request, case_id, build, anchor="#efterstod")


@post("/arenden/{case_id:str}/efterstod/kontakt", guards=[logged_in])
async def log_after_support_contact(
    request: Request[Any, Any, Any], case_id: FromPath[str]
) -> Response[Any]:
    return await act(
        request,
        case_id,
        lambda f, e: case.LogAfterSupportContact(e.date(f, "contacted_on"), f.get("note", "")),
        anchor="#efterstod",
    )


@post("/arenden/{case_id:str}/efterstod/slut", guards=[logged_in])
async def end_after_support(
    request: Request[Any, Any, Any], case_id: FromPath[str]
) -> Response[Any]:
    return await act(
        request,
        case_id,
        lambda f, e: case.EndAfterSupport(e.date(f, "ended_on")),
        anchor="#efterstod",
    )


# -- the outbox and the user's settings ---------------------------------------------------------


@get("/admin/utkorg", guards=[logged_in])
async def outbox_page(request: Request[Any, Any, Any]) -> Template:
    if not access.can_administer(current_user(request)):
        raise PermissionDeniedException("Bara administratörer läser utkorgen.")
    services = services_of(request)
    return page(
        request,
        "outbox.html",
        messages=services.reminders.outbox(),
        smtp=services.settings.smtp,
    )


@get("/installningar", guards=[logged_in])
async def settings_form(request: Request[Any, Any, Any]) -> Template:
    engine, user = services_of(request).engine, current_user(request)
    return page(
        request, "settings.html", digest_only=accounts.digest_only(engine, user), saved=False
    )


@post("/installningar", guards=[logged_in])
async def save_settings(request: Request[Any, Any, Any]) -> Template:
    form = await posted(request)
    engine, user = services_of(request).engine, current_user(request)
    accounts.set_digest_only(engine, user, form.get("delivery") == "digest")
    return page(
        request, "settings.html", digest_only=accounts.digest_only(engine, user), saved=True
    )


HANDLERS = [
    my_reminders,
    reminder_done,
    reminder_snooze,
    follow_up_form,
    record_follow_up,
    start_after_support,
    log_after_support_contact,
    end_after_support,
    outbox_page,
    settings_form,
    save_settings,
]
