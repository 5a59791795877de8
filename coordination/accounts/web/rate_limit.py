"""Requests per access token: each token may make `per_minute` requests in any sliding
minute; more are answered `429` with `Retry-After` and a problem-details body (RFC 9457).

The requests are counted in the database (`AccessTokens.admit`), so every app instance
behind the proxy counts the same ones. Refused requests are not counted, so a token is let
in again as soon as its oldest counted request is a minute old."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import TooManyRequestsException

from coordination.shared.api import problem_response


class RateLimited(TooManyRequestsException):
    """The token has made its requests of the minute; `retry_after` seconds until the next."""

    def __init__(self, per_minute: int, retry_after: int) -> None:
        super().__init__(
            detail=f"För många förfrågningar med den här åtkomsttoken: högst {per_minute} i "
            f"minuten. Försök igen om {retry_after} sekunder.",
            headers={"Retry-After": str(retry_after)},
        )
        self.retry_after = retry_after


def too_many_requests(_: Request[Any, Any, Any], exc: RateLimited) -> Response[Any]:
    """The refusal as the API's problem details, in Swedish."""
    return problem_response(
        429,
        "För många förfrågningar",
        exc.detail,
        headers={"Retry-After": str(exc.retry_after)},
    )
