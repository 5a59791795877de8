"""What every response carries (the security headers) and the Swedish error pages.

The headers are added by a `before_send` hook, which Litestar calls for every response it
sends: pages, static files and the error responses made before any route is found (404,
405) or outside a route's middleware (the CSRF refusal) alike.
"""

from __future__ import annotations

import logging
import traceback
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import (
    ClientException,
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect
from litestar.types import ExceptionHandlersMap, Message, Scope

from coordination.shared import observability
from coordination.shared.api import BAD_INPUT, field_messages, is_api, problem_response
from coordination.shared.clock import Clock
from coordination.shared.observability import route_of, user_id_of
from coordination.shared.web import Page

log = logging.getLogger("samordna.web")

# Only the app's own scripts and styles; no inline script, no framing.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


async def security_headers(message: Message, _: Scope) -> None:
    """The security headers on every response (a `before_send` hook of the app)."""
    if message["type"] == "http.response.start":
        headers = MutableScopeHeaders.from_message(message)
        for name, value in SECURITY_HEADERS.items():
            headers.setdefault(name, value)


# What Litestar's CSRF middleware says when it refuses a form.
CSRF_REFUSAL = "CSRF token verification failed"

# (title, message) of a page when the refusal itself says nothing in Swedish.
REFUSALS = {
    400: ("Det gick inte", "Det som skickades gick inte att läsa. Ladda om sidan och försök igen."),
    403: ("Ingen åtkomst", "Du har inte behörighet till sidan."),
    404: ("Sidan finns inte", "Sidan finns inte, eller så har du inte tillgång till den."),
    405: ("Det går inte", "Sidan tar inte emot den sortens anrop."),
    413: (
        "För stort",
        "Det som skickades är större än 10 MB. Dela upp en importfil i flera mindre filer.",
    ),
}
# The API's words where the pages' speak of reloading a page or splitting an import file.
API_REFUSALS = {
    **REFUSALS,
    400: ("Kunde inte läsas", "Det som skickades gick inte att läsa som JSON."),
    413: ("För stort", "Det som skickades är större än 10 MB."),
}
# Any other refusal (too large, too many requests, …).
OTHER_REFUSAL = ("Det gick inte", "Begäran kunde inte tas emot. Försök igen om en stund.")
# Refusals whose detail is the app's own Swedish words (Litestar's are English).
OWN_WORDS = (403, 404)
# On the API also the rate limit's words.
API_OWN_WORDS = (*OWN_WORDS, 429)


def _unauthorized(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if is_api(request):  # the token middleware's words are Swedish
        detail = getattr(exc, "detail", "")
        if not detail or detail == HTTPStatus(401).phrase:
            detail = "Ange en giltig åtkomsttoken: Authorization: Bearer <token>."
        return problem_response(
            401, "Ingen åtkomst", detail, headers={"WWW-Authenticate": "Bearer"}
        )
    if isinstance(request, HTMXRequest) and request.htmx:
        return Response(b"", status_code=401, headers={"HX-Redirect": "/logga-in"})
    if request.method == "GET" and request.url.path != "/":
        # Back to the page asked for after logging in (an email's link, say).
        return Redirect(f"/logga-in?{urlencode({'nasta': request.url.path})}")
    return Redirect("/logga-in")


class ErrorPages:
    """Refusals and failures as Swedish pages, in the layout of the app."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def handlers(self) -> ExceptionHandlersMap:
        return {
            NotAuthorizedException: _unauthorized,
            PermissionDeniedException: self.refused,
            NotFoundException: self.refused,
            MethodNotAllowedException: self.refused,
            HTTPException: self.refused,
            # a body nested deeper than the JSON decoder recurses (`[[[[…]]]]`)
            RecursionError: self.unreadable,
            500: self.failed,
        }

    def _page(self, request: Request[Any, Any, Any], status: int, **context: Any) -> Response[Any]:
        return Page(HTMXRequest(request.scope), self.clock.today())("error.html", status, **context)

    def refused(self, request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        status = getattr(exc, "status_code", 403)
        if status >= 500:
            return self.failed(request, exc)
        if is_api(request):
            return self._problem(request, status, exc)
        title, message = REFUSALS.get(status, OTHER_REFUSAL)
        detail = getattr(exc, "detail", "")
        if detail == CSRF_REFUSAL:
            message = "Formuläret kunde inte tas emot. Ladda om sidan och försök igen."
        elif status in OWN_WORDS and detail and detail != HTTPStatus(status).phrase:
            message = detail  # the app's own words: "Ärendet finns inte i ditt team", say
        return self._page(request, status, title=title, message=message)

    def unreadable(self, request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        return self.refused(request, ClientException(status_code=400))

    def _problem(
        self, request: Request[Any, Any, Any], status: int, exc: Exception
    ) -> Response[Any]:
        """A refusal on the API: problem details in the pages' Swedish words (a body that
        does not parse: 422, with a message per field)."""
        if isinstance(exc, ValidationException):
            errors = field_messages(exc.extra)
            return problem_response(422, "Ogiltiga uppgifter", BAD_INPUT, errors)
        title, message = API_REFUSALS.get(status, OTHER_REFUSAL)
        detail = getattr(exc, "detail", "")
        if status in API_OWN_WORDS and detail and detail != HTTPStatus(status).phrase:
            message = detail
        headers = getattr(exc, "headers", None)
        return problem_response(status, title, message, headers=dict(headers or {}))

    def failed(self, request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        """An unexpected error: logged with the request's id, its route and user, without
        the error's message (which might hold personal data), and answered with a page that
        gives the id."""
        request_id, route = observability.request_id(request.scope), route_of(request.scope)
        log.error(
            "request %s: %s %s failed with %s\n%s",
            request_id,
            request.method,
            route,
            type(exc).__name__,
            "".join(traceback.format_tb(exc.__traceback__)),
            extra={
                "fields": {
                    "request_id": request_id,
                    "route": route,
                    "user_id": user_id_of(request.scope),
                    "error": type(exc).__name__,
                }
            },
        )
        message = (
            "Något gick fel hos Samordna. Försök igen om en stund. Står felet kvar, "
            f"kontakta den som sköter Samordna hos er och uppge felkod {request_id}."
        )
        if is_api(request):
            return problem_response(500, "Något gick fel", message, request_id=request_id)
        return self._page(request, 500, title="Något gick fel", message=message)
