"""Who is asking: a session cookie, or on the API a personal access token, becomes a typed
user on every request."""

from __future__ import annotations

from typing import Any

from litestar.concurrency import sync_to_thread
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp

from coordination.accounts.service import Accounts
from coordination.accounts.tokens import AccessTokens
from coordination.accounts.web.rate_limit import RateLimited
from coordination.shared.clock import Clock
from coordination.shared.web import SESSION_COOKIE

# Paths anyone may open: the login page and the app's scripts and styles.
PUBLIC = ["^/logga-in", "^/static/"]
# The JSON API: only a token in the Authorization header opens it, never the session cookie,
# so that no other site can make a signed-in browser call it (it needs no CSRF token).
API_PREFIX = "/api/"


class SessionAuthentication(AbstractAuthenticationMiddleware):
    """A valid, unexpired server-side session puts its user on the request
    (`request.user`); on the API, a valid token puts its user there and its grant in
    `request.auth`, within the token's rate limit. Without one the request is refused
    before any handler runs."""

    def __init__(
        self,
        app: ASGIApp,
        accounts: Accounts,
        tokens: AccessTokens,
        api_rate_per_minute: int,
        clock: Clock,
    ) -> None:
        super().__init__(app, exclude=PUBLIC)
        self.accounts = accounts
        self.tokens = tokens
        self.api_rate_per_minute = api_rate_per_minute
        self.clock = clock

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        if connection.scope["path"].startswith(API_PREFIX):
            return await self._token(connection)
        token = connection.cookies.get(SESSION_COOKIE)
        if not token:
            raise NotAuthorizedException()
        # A database read: off the event loop.
        user = await sync_to_thread(self.accounts.session_user, token, self.clock.now())
        if user is None:
            raise NotAuthorizedException()
        return AuthenticationResult(user=user, auth=token)

    async def _token(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        scheme, _, token = connection.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException("Ange en åtkomsttoken: Authorization: Bearer <token>.")
        found = await sync_to_thread(self.tokens.authenticate, token.strip(), self.clock.now())
        if found is None:
            raise NotAuthorizedException(
                "Åtkomsttoken är ogiltig, har gått ut eller är återkallad."
            )
        user, grant = found
        per_minute = self.api_rate_per_minute
        wait = await sync_to_thread(self.tokens.admit, grant.token_id, self.clock.now(), per_minute)
        if wait is not None:
            raise RateLimited(per_minute, wait)
        return AuthenticationResult(user=user, auth=grant)
