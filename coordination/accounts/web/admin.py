"""Administration of the team's users and insatser, and the review of the read audit."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from coordination.accounts import insatser
from coordination.accounts import service as accounts
from coordination.accounts.insatser import Insats, InsatsChanged
from coordination.accounts.service import Account, AccountChanged
from coordination.shared import access
from coordination.shared.forms import FormErrors
from coordination.shared.vocabulary import InsatsType, Part, Role
from coordination.shared.web import current_user, logged_in, page, posted, services_of

CHANGED = (
    "Uppgifterna har ändrats av någon annan sedan du öppnade sidan. "
    "Dina ändringar finns kvar: läs igenom och spara igen."
)


def _administrator(request: Request[Any, Any, Any]) -> str:
    """The administrator's team, which is what they manage."""
    user = current_user(request)
    if not access.can_administer(user):
        raise PermissionDeniedException("Bara administratörer hanterar användare och insatser.")
    return user.team_id


def _version(form: dict[str, Any]) -> int:
    try:
        return int(form.get("version") or -1)
    except ValueError:
        return -1


# -- users -------------------------------------------------------------------------------


def _users_page(
    request: Request[Any, Any, Any], team_id: str, status_code: int = 200, **context: Any
) -> Template:
    return page(
        request,
        "admin_users.html",
        status_code,
        accounts=accounts.team_accounts(services_of(request).engine, team_id),
        **context,
    )


def _account_for(request: Request[Any, Any, Any], team_id: str, user_id: str) -> Account:
    found = next(
        (
            a
            for a in accounts.team_accounts(services_of(request).engine, team_id)
            if a.user.id == user_id
        ),
        None,
    )
    if found is None:
        raise NotFoundException("Användaren finns inte i ditt team.")
    return found


def _read_account(
    form: dict[str, Any], creating: bool
) -> tuple[FormErrors, Part | None, Role | None]:
    errors = FormErrors()
    part = Part.parse(form.get("part", ""))
    role = Role.parse(form.get("role", ""))
    errors.update(
        accounts.account_errors(
            form.get("name", ""),
            form.get("email", ""),
            part,
            role,
            form.get("password", ""),
            creating,
        )
    )
    return errors, part, role


@get("/admin/anvandare", guards=[logged_in])
async def users_page(request: Request[Any, Any, Any]) -> Template:
    return _users_page(request, _administrator(request))


@post("/admin/anvandare", guards=[logged_in])
async def add_user(request: Request[Any, Any, Any]) -> Response[Any]:
    team_id = _administrator(request)
    form = await posted(request)
    errors, part, role = _read_account(form, creating=True)
    if not errors and part and role:
        errors.update(
            accounts.add_account(
                services_of(request).engine,
                team_id,
                form["name"],
                form["email"],
                part,
                role,
                form["password"],
            )
        )
    if errors:
        form.pop("password", None)
        return _users_page(request, team_id, 422, form=form, errors=errors)
    return Redirect("/admin/anvandare")


@get("/admin/anvandare/{user_id:str}", guards=[logged_in])
async def user_form(request: Request[Any, Any, Any], user_id: FromPath[str]) -> Template:
    found = _account_for(request, _administrator(request), user_id)
    return page(request, "admin_user.html", account=found, form=_account_form(found))


def _account_form(found: Account) -> dict[str, Any]:
    user = found.user
    return {
        "name": user.name,
        "email": user.email,
        "part": user.part.value,
        "role": user.role.value,
        "active": "on" if found.active else "",
        "version": str(found.version),
    }


@post("/admin/anvandare/{user_id:str}", guards=[logged_in])
async def save_user(request: Request[Any, Any, Any], user_id: FromPath[str]) -> Response[Any]:
    team_id = _administrator(request)
    found = _account_for(request, team_id, user_id)
    form = await posted(request)
    form["active"] = form.get("active", "")
    errors, part, role = _read_account(form, creating=False)
    if user_id == current_user(request).id and (
        role is not Role.ADMINISTRATOR or not form["active"]
    ):
        errors["role"] = "Du kan inte ta bort din egen administratörsroll eller stänga ditt konto."
    if not errors and part and role:
        try:
            errors.update(
                accounts.update_account(
                    services_of(request).engine,
                    user_id,
                    _version(form),
                    name=form["name"],
                    email=form["email"],
                    part=part,
                    role=role,
                    active=bool(form["active"]),
                    password=form.get("password", ""),
                )
            )
        except AccountChanged:
            errors[""] = CHANGED
    if errors:
        form.pop("password", None)
        return page(request, "admin_user.html", 422, account=found, form=form, errors=errors)
    return Redirect("/admin/anvandare")


# -- insatser ----------------------------------------------------------------------------


def _insatser_page(
    request: Request[Any, Any, Any], team_id: str, status_code: int = 200, **context: Any
) -> Template:
    return page(
        request,
        "admin_insatser.html",
        status_code,
        insatser=insatser.team_insatser(services_of(request).engine, team_id),
        **context,
    )


def _insats_for(request: Request[Any, Any, Any], team_id: str, insats_id: str) -> Insats:
    found = next(
        (
            i
            for i in insatser.team_insatser(services_of(request).engine, team_id)
            if i.id == insats_id
        ),
        None,
    )
    if found is None:
        raise NotFoundException("Insatsen finns inte i ditt team.")
    return found


def _read_insats(form: dict[str, Any]) -> tuple[FormErrors, Any]:
    errors = FormErrors()
    insats_type = errors.choice(form, "insats_type", InsatsType)
    active_from = errors.date(form, "active_from")
    active_to = errors.optional_date(form, "active_to")
    for name, message in insatser.insats_errors(
        form.get("name", ""),
        None if "active_from" in errors else active_from,
        active_to,
    ).items():
        errors.setdefault(name, message)
    return errors, (form.get("name", ""), insats_type, active_from, active_to)


@get("/admin/insatser", guards=[logged_in])
async def insatser_page(request: Request[Any, Any, Any]) -> Template:
    return _insatser_page(request, _administrator(request))


@post("/admin/insatser", guards=[logged_in])
async def add_insats(request: Request[Any, Any, Any]) -> Response[Any]:
    team_id = _administrator(request)
    form = await posted(request)
    errors, values = _read_insats(form)
    if errors:
        return _insatser_page(request, team_id, 422, form=form, errors=errors)
    insatser.add_insats(services_of(request).engine, team_id, *values)
    return Redirect("/admin/insatser")


@get("/admin/insatser/{insats_id:str}", guards=[logged_in])
async def insats_form(request: Request[Any, Any, Any], insats_id: FromPath[str]) -> Template:
    found = _insats_for(request, _administrator(request), insats_id)
    form = {
        "name": found.name,
        "insats_type": found.insats_type.value,
        "active_from": found.active_from.isoformat(),
        "active_to": found.active_to.isoformat() if found.active_to else "",
        "version": str(found.version),
    }
    return page(request, "admin_insats.html", insats=found, form=form)


@post("/admin/insatser/{insats_id:str}", guards=[logged_in])
async def save_insats(request: Request[Any, Any, Any], insats_id: FromPath[str]) -> Response[Any]:
    found = _insats_for(request, _administrator(request), insats_id)
    form = await posted(request)
    errors, values = _read_insats(form)
    if not errors:
        try:
            services = services_of(request)
            insatser.update_insats(services.engine, insats_id, _version(form), *values)
            services.reminders.refresh_insats(insats_id)
            return Redirect("/admin/insatser")
        except InsatsChanged:
            errors[""] = CHANGED
    return page(request, "admin_insats.html", 422, insats=found, form=form, errors=errors)


# -- read audit ---------------------------------------------------------------------------


@get("/granskning", guards=[logged_in])
async def audit_page(request: Request[Any, Any, Any]) -> Template:
    if not access.can_review_audit(current_user(request)):
        raise PermissionDeniedException("Bara teamledare och administratörer granskar läsloggen.")
    query = request.query_params
    entries = services_of(request).cases.audit_log(
        current_user(request).team_id,
        case_id=query.get("case") or None,
        user_id=query.get("user") or None,
    )
    return page(request, "audit.html", entries=entries)


HANDLERS = [
    users_page,
    add_user,
    user_form,
    save_user,
    insatser_page,
    add_insats,
    insats_form,
    save_insats,
    audit_page,
]
