"""Requests per access token: each token may make `per_minute` requests in any sliding
minute; more are answered `429` with `Retry-After` and a problem-details body (RFC 9457).

The count is kept in the process (per app instance): with two instances behind the proxy a
token may make up to twice as many. Refused requests are not counted, so a token is let in
again as soon as its oldest counted request is a minute old."""

from __future__ import annotations

import math
from collections import deque
from datetime import datetime, timedelta
from typing import Any

from litestar import Request, Response
from litestar.exceptions import TooManyRequestsException

from coordination.shared.api import problem_response

WINDOW = timedelta(minutes=1)


class RateLimited(TooManyRequestsException):
    """The token has made its requests of the minute; `retry_after` seconds until the next."""

    def __init__(self, per_minute: int, retry_after: int) -> None:
        super().__init__(
            detail=f"För många förfrågningar med den här åtkomsttoken: högst {per_minute} i "
            f"minuten. Försök igen om {retry_after} sekunder.",
            headers={"Retry-After": str(retry_after)},
        )
        self.retry_after = retry_after


class TokenRateLimit:
    """A sliding-window log per token id: the times of its counted requests of the last
    minute. The authentication middleware asks it on the event loop, one request at a time,
    so it needs no lock. A token keeps at most `per_minute` times."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._requests: dict[str, deque[datetime]] = {}

    def admit(self, token_id: str, now: datetime) -> None:
        """Count a request of the token, or raise RateLimited when it has had its minute's."""
        times = self._requests.setdefault(token_id, deque())
        while times and times[0] <= now - WINDOW:
            times.popleft()
        if len(times) >= self.per_minute:
            wait = (times[0] + WINDOW - now).total_seconds()
            raise RateLimited(self.per_minute, max(1, math.ceil(wait)))
        times.append(now)


def too_many_requests(_: Request[Any, Any, Any], exc: RateLimited) -> Response[Any]:
    """The refusal as the API's problem details, in Swedish."""
    return problem_response(
        429,
        "För många förfrågningar",
        exc.detail,
        headers={"Retry-After": str(exc.retry_after)},
    )
