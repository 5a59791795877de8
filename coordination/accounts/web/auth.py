"""Logging in and out, and changing one's password. Signing on with the organisation's
account is in `sign_on.py`; the login page offers it when it is configured."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect

from coordination.accounts.service import Accounts, LoginRefused
from coordination.accounts.sign_on import OpenIdProvider, SignOnFailed
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


def next_page(value: str) -> str:
    """Only a path of this app: never another site."""
    return value if value.startswith("/") and not value.startswith("//") else "/"


def set_session_cookie(response: Response[Any], token: str, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=settings.base_url.startswith("https"),
        max_age=settings.session_minutes * 60,
    )


def password_login(settings: Settings, accounts: Accounts) -> bool:
    """Whether passwords are taken: an administrator may switch them off, but only while
    sign-on is configured, so that nobody is ever locked out."""
    return settings.sign_on is None or accounts.local_login()


PASSWORDS_OFF = "Inloggning med lösenord är avstängd. Logga in med organisationens konto i stället."


class LoginController(Controller):
    """The login page is open to anyone (the authentication middleware lets it through)."""

    path = "/logga-in"

    @get(sync_to_thread=True)
    def login_form(
        self,
        request: HTMXRequest,
        page: NamedDependency[Page],
        accounts: NamedDependency[Accounts],
        settings: NamedDependency[Settings],
    ) -> Response[bytes]:
        return page(
            "accounts/login.html",
            next=next_page(request.query_params.get("nasta", "/")),
            sign_on=settings.sign_on is not None,
            passwords=password_login(settings, accounts),
        )

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
        passwords = password_login(settings, accounts)
        try:
            if not passwords:
                raise LoginRefused(PASSWORDS_OFF)
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
                next=next_page(form.get("nasta", "/")),
                sign_on=settings.sign_on is not None,
                passwords=passwords,
            )
        token = accounts.start_session(
            user, clock.now(), timedelta(minutes=settings.session_minutes)
        )
        response: Response[Any] = Redirect(next_page(form.get("nasta", "/")))
        set_session_cookie(response, token, settings)
        return response


class SessionController(Controller):
    """The signed-in user's own session and password."""

    @post("/logga-ut", sync_to_thread=True)
    def logout(
        self,
        request: HTMXRequest,
        page: NamedDependency[Page],
        accounts: NamedDependency[Accounts],
        sign_on: NamedDependency[OpenIdProvider | None],
    ) -> Response[Any]:
        """Ends the session here; one begun by signing on goes on to the provider's logout
        when it has one. That is a page that sends the browser on, not a redirect: the
        Content-Security-Policy lets a form lead only to this site."""
        token = request.cookies.get(SESSION_COOKIE)
        signed_on = accounts.end_session(token) if token else False
        provider_logout = None
        if signed_on and sign_on is not None:
            try:
                provider_logout = sign_on.logout_url()
            except SignOnFailed:
                provider_logout = None  # signed out here at least
        response: Response[Any] = (
            page("accounts/signed_out.html", provider_logout=provider_logout, user=None)
            if provider_logout
            else Redirect("/logga-in")
        )
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
