"""What the JSON API under `/api/v1` shares: its refusals as RFC 9457 problem details in
Swedish, the check that a token may write, and the translation of a body that does not
parse into a message per field."""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.openapi.datastructures import ResponseSpec

from coordination.shared import bounds

API_PATH = "/api/"
API_V1 = "/api/v1"
PROBLEM_JSON = "application/problem+json"

READ_ONLY = "Token får bara läsa."
BAD_INPUT = "Uppgifterna är inte giltiga. Se meddelandet vid varje fält."


def is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith(API_PATH)


class ProblemDetails(msgspec.Struct, frozen=True, omit_defaults=True):
    """A refusal or failure of the API (RFC 9457): `errors` names each wrong field, and a
    failure gives the `request_id` to quote to whoever runs Samordna."""

    title: str
    status: int
    detail: str
    type: str = "about:blank"
    errors: dict[str, str] | None = None
    request_id: str | None = None


class Problem(Exception):
    """A refusal the API answers with problem details."""

    def __init__(
        self, status: int, title: str, detail: str, errors: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status_code = status
        self.title = title
        self.detail = detail
        self.errors = errors


def invalid(errors: dict[str, str]) -> Problem:
    return Problem(422, "Ogiltiga uppgifter", BAD_INPUT, errors)


def problem_response(
    status: int,
    title: str,
    detail: str,
    errors: dict[str, str] | None = None,
    request_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response[ProblemDetails]:
    return Response(
        ProblemDetails(title, status, detail, errors=errors, request_id=request_id),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


async def not_found_as_problem(response: Response[Any]) -> Response[Any]:
    """The schema's router answers any other path under it with an HTML 404 of Litestar's:
    on the API, problem details like every other refusal."""
    if response.status_code != 404:
        return response
    return problem_response(404, "Finns inte", "Det finns inget här. Se /api/v1/openapi.json.")


def answer_problem(_: Request[Any, Any, Any], exc: Problem) -> Response[ProblemDetails]:
    return problem_response(exc.status_code, exc.title, exc.detail, exc.errors)


async def may_write(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A guard of the API's commands: a read-only token is refused (403). Asynchronous, as
    it does no blocking work."""
    grant = connection.scope.get("auth")
    if not getattr(grant, "may_write", False):
        raise PermissionDeniedException(READ_ONLY)


# The refusals every operation may answer, documented in the schema.
PROBLEMS = {
    status: ResponseSpec(ProblemDetails, description=text, media_type=PROBLEM_JSON)
    for status, text in (
        (401, "Ingen giltig åtkomsttoken"),
        (403, "Ingen behörighet"),
        (404, "Finns inte, eller är inte synligt för dig"),
        (413, "För stort"),
        (422, "Ogiltiga uppgifter, med ett meddelande per fält"),
        (429, "För många anrop"),
        (500, "Fel hos Samordna (med felkod)"),
    )
}
# ... and those of a command besides.
COMMAND_PROBLEMS = {
    **PROBLEMS,
    400: ResponseSpec(ProblemDetails, description="Kunde inte läsas", media_type=PROBLEM_JSON),
    409: ResponseSpec(
        ProblemDetails, description="Ärendet har ändrats av någon annan", media_type=PROBLEM_JSON
    ),
}

# -- a body or query that does not parse -------------------------------------------------------

_AT = re.compile(r"at `\$\.?([^`]*)`")
_MISSING = re.compile(r"missing required field `([^`]+)`")
# Litestar's and msgspec's words (English) to the forms' Swedish ones, by what was expected.
_MEANINGS = (
    ("datetime", "Ange datum och tid, till exempel 2026-12-01T09:00."),
    ("date", "Ange ett datum som ÅÅÅÅ-MM-DD."),
    ("enum", "Välj ett av alternativen."),
    ("`int`", "Ange ett heltal."),
    ("`bool`", "Ange true eller false."),
    ("`array`", "Ange en lista."),
    ("`str`", "Ange en text."),
    ("`object`", "Ange ett objekt."),
)
# "Expected `bool | null`, got `str`": the meaning is in what was expected, not what came.
_EXPECTED = re.compile(r"expected `([^`]*)`")


def field_messages(extra: Any) -> dict[str, str]:
    """A Swedish message per field from a Litestar validation error's `extra`."""
    found: dict[str, str] = {}
    for item in extra if isinstance(extra, list) else []:
        message = str(item.get("message", "")) if isinstance(item, dict) else str(item)
        key = str(item.get("key", "")) if isinstance(item, dict) else ""
        missing = _MISSING.search(message)
        at = _AT.search(message)
        if missing:
            name = ".".join(p for p in (at.group(1) if at else "", missing.group(1)) if p)
            found[name] = "Uppgiften saknas."
            continue
        name = (at.group(1) if at else key).replace("data.", "") or key or ""
        lowered = message.lower()
        expected = _EXPECTED.search(lowered)
        meant = expected.group(1) if expected else lowered
        found[name] = next(
            (
                swedish
                for word, swedish in _MEANINGS
                if (word.strip("`") if expected else word) in meant
            ),
            "Värdet är inte giltigt.",
        )
    return found or {"": "Det som skickades gick inte att läsa som JSON."}


def text_problems(body: object, long_text: frozenset[str] = frozenset()) -> dict[str, str]:
    """The forms' checks of a parsed body, field by field: each one-line text within
    `bounds.LINE_LENGTH` (the free texts named in `long_text` within `bounds.TEXT_LENGTH`),
    each date within the bounds. Nested bodies are checked as `outer.inner`."""
    found: dict[str, str] = {}
    if not is_dataclass(body):
        return found
    for item in fields(body):
        value = getattr(body, item.name)
        if isinstance(value, str):
            lines = item.name in long_text
            limit = bounds.TEXT_LENGTH if lines else bounds.LINE_LENGTH
            problem = bounds.text_problem(value, limit, lines)
            if problem:
                found[item.name] = problem
        elif isinstance(value, date | datetime) and not bounds.date_in_bounds(value):
            found[item.name] = bounds.DATE_MESSAGE
        elif is_dataclass(value):
            inner = text_problems(value, long_text)
            found.update({f"{item.name}.{k}": v for k, v in inner.items()})
        elif isinstance(value, list | tuple):
            for index, element in enumerate(value):
                if isinstance(element, str):
                    problem = bounds.text_problem(element, bounds.NAME_LENGTH)
                    if problem:
                        found[f"{item.name}.{index}"] = problem
                else:
                    inner = text_problems(element, long_text)
                    found.update({f"{item.name}.{index}.{k}": v for k, v in inner.items()})
    return found
