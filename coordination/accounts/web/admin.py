"""Administration of the team's users and insatser: an administrator manages their own team."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from coordination.accounts.insatser import Insats, InsatsChanged, Insatser, insats_errors
from coordination.accounts.service import Account, AccountChanged, Accounts, account_errors
from coordination.reminders.service import Reminders
from coordination.shared import access, bounds
from coordination.shared.access import User
from coordination.shared.forms import FormErrors
from coordination.shared.vocabulary import InsatsType, Part, RegistrationKind, Role
from coordination.shared.web import Form, Page, allowed, form_of, once_of

CHANGED = (
    "Uppgifterna har ändrats av någon annan sedan du öppnade sidan. "
    "Dina ändringar finns kvar: läs igenom och spara igen."
)
ADMINISTRATORS_ONLY = allowed(
    access.can_administer, "Bara administratörer hanterar användare och insatser."
)


def _version(form: dict[str, Any]) -> int:
    try:
        return int(form.get("version") or -1)
    except ValueError:
        return -1


FORBUND_ROLE = (
    "Analytiker och förbundets tjänsteperson ser statistiken för hela förbundet, alla team: "
    "de läggs upp av förbundets driftansvariga (coordination create-user), inte av ett teams "
    "administratör."
)


def _read_account(
    form: dict[str, Any], creating: bool, had: Role | None = None
) -> tuple[FormErrors, Part | None, Role | None]:
    """The account form read; `had` is the role the account has (None for a new one): a
    team's administratör gives no one a role that sees beyond the team."""
    errors = FormErrors()
    part = Part.parse(form.get("part", ""))
    role = Role.parse(form.get("role", ""))
    if role in access.FORBUND_READERS and role is not had:
        errors["role"] = FORBUND_ROLE
    name = errors.text(form, "name", bounds.NAME_LENGTH)
    email = errors.text(form, "email", bounds.NAME_LENGTH)
    if len(email.lower()) > bounds.NAME_LENGTH:  # stored in lower case, which may be longer
        errors["email"] = f"Skriv högst {bounds.NAME_LENGTH} tecken."
    password = errors.text(form, "password", bounds.PASSWORD_LENGTH)
    for field, message in account_errors(name, email, part, role, password, creating).items():
        errors.setdefault(field, message)
    return errors, part, role


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


class UsersController(Controller):
    path = "/admin/anvandare"
    guards = (ADMINISTRATORS_ONLY,)

    @staticmethod
    def _account_for(accounts: Accounts, team_id: str, user_id: str) -> Account:
        found = next((a for a in accounts.team_accounts(team_id) if a.user.id == user_id), None)
        if found is None:
            raise NotFoundException("Användaren finns inte i ditt team.")
        return found

    @get(sync_to_thread=True)
    def users_page(
        self,
        page: NamedDependency[Page],
        user: NamedDependency[User],
        accounts: NamedDependency[Accounts],
    ) -> Response[bytes]:
        return page("accounts/admin_users.html", accounts=accounts.team_accounts(user.team_id))

    @post(sync_to_thread=True)
    def add_user(
        self,
        data: Form,
        page: NamedDependency[Page],
        user: NamedDependency[User],
        accounts: NamedDependency[Accounts],
    ) -> Response[Any]:
        form = form_of(data)
        errors, part, role = _read_account(form, creating=True)
        if not errors and part and role:
            errors.update(
                accounts.add_account(
                    user.team_id, form["name"], form["email"], part, role, form["password"]
                )
            )
        if errors:
            form.pop("password", None)
            return page(
                "accounts/admin_users.html",
                422,
                accounts=accounts.team_accounts(user.team_id),
                form=form,
                errors=errors,
            )
        return Redirect("/admin/anvandare")

    @get("/{user_id:str}", sync_to_thread=True)
    def user_form(
        self,
        user_id: FromPath[str],
        page: NamedDependency[Page],
        user: NamedDependency[User],
        accounts: NamedDependency[Accounts],
    ) -> Response[bytes]:
        found = self._account_for(accounts, user.team_id, user_id)
        return page("accounts/admin_user.html", account=found, form=_account_form(found))

    @post("/{user_id:str}", sync_to_thread=True)
    def save_user(
        self,
        user_id: FromPath[str],
        data: Form,
        page: NamedDependency[Page],
        user: NamedDependency[User],
        accounts: NamedDependency[Accounts],
    ) -> Response[Any]:
        found = self._account_for(accounts, user.team_id, user_id)
        form = form_of(data)
        form["active"] = form.get("active", "")
        errors, part, role = _read_account(form, creating=False, had=found.user.role)
        if user_id == user.id and (role is not Role.ADMINISTRATOR or not form["active"]):
            errors["role"] = (
                "Du kan inte ta bort din egen administratörsroll eller stänga ditt konto."
            )
        if not errors and part and role:
            try:
                errors.update(
                    accounts.update_account(
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
            return page("accounts/admin_user.html", 422, account=found, form=form, errors=errors)
        return Redirect("/admin/anvandare")


def _read_insats(form: dict[str, Any]) -> tuple[FormErrors, Any]:
    errors = FormErrors()
    insats_type = errors.choice(form, "insats_type", InsatsType)
    kind = (
        errors.optional_choice(form, "registration_kind", RegistrationKind)
        or RegistrationKind.INDIVIDUAL
    )
    active_from = errors.date(form, "active_from")
    active_to = errors.optional_date(form, "active_to")
    name = errors.text(form, "name", bounds.NAME_LENGTH)
    for field, message in insats_errors(
        name,
        None if "active_from" in errors else active_from,
        active_to,
    ).items():
        errors.setdefault(field, message)
    return errors, (name, insats_type, active_from, active_to, kind)


class InsatserController(Controller):
    path = "/admin/insatser"
    guards = (ADMINISTRATORS_ONLY,)

    @staticmethod
    def _insats_for(insatser: Insatser, team_id: str, insats_id: str) -> Insats:
        found = next((i for i in insatser.team_insatser(team_id) if i.id == insats_id), None)
        if found is None:
            raise NotFoundException("Insatsen finns inte i ditt team.")
        return found

    @get(sync_to_thread=True)
    def insatser_page(
        self,
        page: NamedDependency[Page],
        user: NamedDependency[User],
        insatser: NamedDependency[Insatser],
    ) -> Response[bytes]:
        return page("accounts/admin_insatser.html", insatser=insatser.team_insatser(user.team_id))

    @post(sync_to_thread=True)
    def add_insats(
        self,
        data: Form,
        page: NamedDependency[Page],
        user: NamedDependency[User],
        insatser: NamedDependency[Insatser],
    ) -> Response[Any]:
        form = form_of(data)
        errors, values = _read_insats(form)
        if errors:
            return page(
                "accounts/admin_insatser.html",
                422,
                insatser=insatser.team_insatser(user.team_id),
                form=form,
                errors=errors,
            )
        name, insats_type, active_from, active_to, kind = values
        insatser.add_insats(
            user.team_id,
            name,
            insats_type,
            active_from,
            active_to,
            once=once_of(form),
            registration_kind=kind,
        )
        return Redirect("/admin/insatser")

    @get("/{insats_id:str}", sync_to_thread=True)
    def insats_form(
        self,
        insats_id: FromPath[str],
        page: NamedDependency[Page],
        user: NamedDependency[User],
        insatser: NamedDependency[Insatser],
    ) -> Response[bytes]:
        found = self._insats_for(insatser, user.team_id, insats_id)
        form = {
            "name": found.name,
            "insats_type": found.insats_type.value,
            "registration_kind": found.registration_kind.value,
            "active_from": found.active_from.isoformat(),
            "active_to": found.active_to.isoformat() if found.active_to else "",
            "version": str(found.version),
        }
        return page("accounts/admin_insats.html", insats=found, form=form)

    @post("/{insats_id:str}", sync_to_thread=True)
    def save_insats(
        self,
        insats_id: FromPath[str],
        data: Form,
        page: NamedDependency[Page],
        user: NamedDependency[User],
        insatser: NamedDependency[Insatser],
        reminders: NamedDependency[Reminders],
    ) -> Response[Any]:
        found = self._insats_for(insatser, user.team_id, insats_id)
        form = form_of(data)
        errors, values = _read_insats(form)
        if not errors:
            try:
                insatser.update_insats(insats_id, _version(form), *values)
                reminders.refresh_insats(insats_id)
                return Redirect("/admin/insatser")
            except InsatsChanged:
                errors[""] = CHANGED
        return page("accounts/admin_insats.html", 422, insats=found, form=form, errors=errors)


CONTROLLERS = [UsersController, InsatserController]
