"""Logging in and out, and changing one's password."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect

from coordination.accounts.service import Accounts, LoginRefused
from coordination.config import Settings
from coordination.shared import bounds
from coordination.shared.access import User
from coordination.shared.clock import Clock
from coordination.shared.forms import FormErrors
from coordination.shared.web import SESSION_COOKIE, Form, Page, form_of


def _client(request: HTMXRequest) -> str:
    """The address a request came from (the proxy's X-Forwarded-For when the server trusts
    it), for the throttle of password guesses."""
    return request.client.host if request.client else ""


def _next_page(value: str) -> str:
    """Only a path of this app: never another site."""
    return value if value.startswith("/") and not value.startswith("//") else "/"


class LoginController(Controller):
    """The login page is open to anyone (the authentication middleware lets it through)."""

    path = "/logga-in"

    @get(sync_to_thread=False)
    def login_form(self, request: HTMXRequest, page: NamedDependency[Page]) -> Response[bytes]:
        return page("accounts/login.html", next=_next_page(request.query_params.get("nasta", "/")))

    @post(sync_to_thread=True)
    def login(
        self,
        request: HTMXRequest,
        data: Form,
        page: NamedDependency[Page],
        accounts: NamedDependency[Accounts],
        settings: NamedDependency[Settings],
        clock: NamedDependency[Clock],
    ) -> Response[Any]:
        form = form_of(data)
        email, password = form.get("email", ""), form.get("password", "")
        try:
            if bounds.text_problem(email.lower(), bounds.NAME_LENGTH) or bounds.text_problem(
                password, bounds.PASSWORD_LENGTH
            ):  # no account has them: refused as any wrong email, before anything is stored
                raise LoginRefused("Fel e-postadress eller lösenord.")
            user = accounts.log_in(email, password, clock.now(), _client(request))
        except LoginRefused as refused:
            return page(
                "accounts/login.html",
                422,
                form={"email": email},
                errors={"": str(refused)},
                next=_next_page(form.get("nasta", "/")),
            )
        minutes = settings.session_minutes
        token = accounts.start_session(user, clock.now(), timedelta(minutes=minutes))
        response: Response[Any] = Redirect(_next_page(form.get("nasta", "/")))
        response.set_cookie(
            SESSION_COOKIE,
            token,
            httponly=True,
            samesite="lax",
            secure=settings.base_url.startswith("https"),
            max_age=minutes * 60,
        )
        return response


class SessionController(Controller):
    """The signed-in user's own session and password."""

    @post("/logga-ut", sync_to_thread=True)
    def logout(self, request: HTMXRequest, accounts: NamedDependency[Accounts]) -> Response[Any]:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            accounts.end_session(token)
        response: Response[Any] = Redirect("/logga-in")
        response.delete_cookie(SESSION_COOKIE)
        return response

    @get("/losenord", sync_to_thread=False)
    def password_form(self, page: NamedDependency[Page]) -> Response[bytes]:
        return page("accounts/password.html", changed=False)

    @post("/losenord", sync_to_thread=True)
    def change_password(
        self,
        request: HTMXRequest,
        data: Form,
        page: NamedDependency[Page],
        user: NamedDependency[User],
        accounts: NamedDependency[Accounts],
        clock: NamedDependency[Clock],
    ) -> Response[bytes]:
        form, errors = form_of(data), FormErrors()
        current = errors.text(form, "current", bounds.PASSWORD_LENGTH)
        new = errors.text(form, "new", bounds.PASSWORD_LENGTH)
        if not errors:
            errors.update(
                accounts.change_password(
                    user,
                    current,
                    new,
                    clock.now(),
                    _client(request),
                    session=request.cookies.get(SESSION_COOKIE, ""),
                )
            )
        return page(
            "accounts/password.html", 422 if errors else 200, errors=errors, changed=not errors
        )


CONTROLLERS = [LoginController, SessionController]
