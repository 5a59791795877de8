"""Who is asking: a session cookie becomes a typed user on every request."""

from __future__ import annotations

from typing import Any

from litestar.concurrency import sync_to_thread
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp

from coordination.accounts.service import Accounts
from coordination.shared.clock import Clock
from coordination.shared.web import SESSION_COOKIE

# Paths anyone may open: the login page and the app's scripts and styles.
PUBLIC = ["^/logga-in", "^/static/"]


class SessionAuthentication(AbstractAuthenticationMiddleware):
    """A valid, unexpired server-side session puts its user on the request
    (`request.user`); without one the request is refused before any handler runs."""

    def __init__(self, app: ASGIApp, accounts: Accounts, clock: Clock) -> None:
        super().__init__(app, exclude=PUBLIC)
        self.accounts = accounts
        self.clock = clock

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        token = connection.cookies.get(SESSION_COOKIE)
        if not token:
            raise NotAuthorizedException()
        # A database read: off the event loop.
        user = await sync_to_thread(self.accounts.session_user, token, self.clock.now())
        if user is None:
            raise NotAuthorizedException()
        return AuthenticationResult(user=user, auth=token)
