"""Signing on with the organisation's account (OpenID Connect), and the administrator's
switch for local (password) login.

Both sign-on routes are open to anyone (under /logga-in, see `authentication.PUBLIC`); they
answer "not found" when the installation has no sign-on. They talk to the provider over the
network, so they run in the worker threads.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect

from coordination.accounts.service import Accounts, AwaitingRole, SignOnRefused
from coordination.accounts.sign_on import (
    ATTEMPT_SECONDS,
    CALLBACK_PATH,
    OpenIdProvider,
    SignOnFailed,
    seal,
    unseal,
)
from coordination.accounts.web.admin import ADMINISTRATORS_ONLY
from coordination.accounts.web.auth import next_page, set_session_cookie
from coordination.config import Settings
from coordination.shared.clock import Clock
from coordination.shared.web import Form, Page, form_of

log = logging.getLogger("samordna.sign_on")

# The attempt under way in this browser: signed, short-lived, sent only to the callback.
ATTEMPT_COOKIE = "samordna_sign_on"
NOT_CONFIGURED = "Inloggning med organisationens konto är inte påslagen i den här installationen."


def _refused(page: Page, message: str, status: int) -> Response[bytes]:
    response = page("accounts/sign_on.html", status, message=message, awaiting=False)
    response.delete_cookie(ATTEMPT_COOKIE, path=CALLBACK_PATH)
    return response


class SignOnController(Controller):
    path = "/logga-in/oidc"

    @get(sync_to_thread=True)
    def begin(
        self,
        request: HTMXRequest,
        page: NamedDependency[Page],
        settings: NamedDependency[Settings],
        sign_on: NamedDependency[OpenIdProvider | None],
    ) -> Response[Any]:
        """Off to the provider, with a new attempt in a cookie for the way back."""
        if sign_on is None:
            return page("accounts/sign_on.html", 404, message=NOT_CONFIGURED, awaiting=False)
        try:
            url, attempt = sign_on.begin(next_page(request.query_params.get("nasta", "/")))
        except SignOnFailed as failed:
            log.warning("sign-on could not begin: the provider did not answer as it should")
            return page("accounts/sign_on.html", 502, message=str(failed), awaiting=False)
        response: Response[Any] = Redirect(url)
        response.set_cookie(
            ATTEMPT_COOKIE,
            seal(attempt, settings.secret_key),
            path=CALLBACK_PATH,
            max_age=ATTEMPT_SECONDS,
            httponly=True,
            # "lax": the provider's redirect back is a top-level navigation from another site
            samesite="lax",
            secure=settings.base_url.startswith("https"),
        )
        return response

    @get("/callback", sync_to_thread=True)
    def callback(
        self,
        request: HTMXRequest,
        page: NamedDependency[Page],
        settings: NamedDependency[Settings],
        accounts: NamedDependency[Accounts],
        clock: NamedDependency[Clock],
        sign_on: NamedDependency[OpenIdProvider | None],
    ) -> Response[Any]:
        """The provider sends the browser back here with a code: checked, exchanged, the
        person matched to their account and a session started as a password login does. The
        attempt's cookie goes whatever happens: a callback is good once."""
        if sign_on is None:
            return _refused(page, NOT_CONFIGURED, 404)
        sealed = request.cookies.get(ATTEMPT_COOKIE, "")
        attempt = unseal(sealed, settings.secret_key, time.time()) if sealed else None
        params = {key: str(value) for key, value in request.query_params.items()}
        try:
            signed = sign_on.finish(attempt, params)
            policy = sign_on.settings
            user = accounts.signed_on(signed.identity, policy.unknown_users, policy.pending_team)
        except SignOnFailed as failed:
            log.info("a sign-on was not accepted")
            return _refused(page, str(failed), 400)
        except SignOnRefused as refused:
            log.info("a sign-on found no account to let in")
            return _refused(page, str(refused), 403)
        except AwaitingRole:
            response = page("accounts/sign_on.html", 403, awaiting=True)
            response.delete_cookie(ATTEMPT_COOKIE, path=CALLBACK_PATH)
            return response
        minutes = settings.session_minutes
        token = accounts.start_session(
            user, clock.now(), timedelta(minutes=minutes), signed_on=True
        )
        response = Redirect(next_page(signed.next_page))
        set_session_cookie(response, token, settings)
        response.delete_cookie(ATTEMPT_COOKIE, path=CALLBACK_PATH)
        return response


LOCAL_LOGIN_NEEDED = (
    "Inloggning med lösenord kan bara stängas av när inloggning med organisationens konto är "
    "påslagen (SAMORDNA_OIDC_ISSUER), annars kan ingen logga in."
)


class LoginSettingsController(Controller):
    """Whether the installation takes passwords: one setting for every team."""

    path = "/admin/inloggning"
    guards = (ADMINISTRATORS_ONLY,)

    @get(sync_to_thread=True)
    def login_settings(
        self,
        page: NamedDependency[Page],
        settings: NamedDependency[Settings],
        accounts: NamedDependency[Accounts],
    ) -> Response[bytes]:
        return page(
            "accounts/admin_login.html",
            sign_on=settings.sign_on is not None,
            form={"local_login": "on" if accounts.local_login() else ""},
        )

    @post(sync_to_thread=True)
    def save_login_settings(
        self,
        data: Form,
        page: NamedDependency[Page],
        settings: NamedDependency[Settings],
        accounts: NamedDependency[Accounts],
    ) -> Response[Any]:
        form = form_of(data)
        local_login = bool(form.get("local_login"))
        if not local_login and settings.sign_on is None:
            return page(
                "accounts/admin_login.html",
                422,
                sign_on=False,
                form=form,
                errors={"local_login": LOCAL_LOGIN_NEEDED},
            )
        accounts.set_local_login(local_login)
        return Redirect("/admin/inloggning?sparat=1")


CONTROLLERS = [SignOnController, LoginSettingsController]
