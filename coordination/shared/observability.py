"""The service's logs: one logfmt line per request and one per unexpected error, on standard
error, sharing a short request id that the error page quotes and every response carries in
`X-Request-Id`.

A line holds the route's template (`/arenden/{case_id:str}`), never the path asked for, the
query string or a form's values: what a user quotes is the id, and the id finds both lines.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.logging.config import LoggingConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("samordna.access")

REQUEST_ID_HEADER = "X-Request-Id"
# The route of a request that matched none (a 404): its path is not logged.
NO_ROUTE = "-"


class LogfmtFormatter(logging.Formatter):
    """`time=… level=… logger=… msg=…` and the record's `fields`, one line (a traceback, when
    there is one, on the lines after it)."""

    def format(self, record: logging.LogRecord) -> str:
        message, _, traceback = record.getMessage().partition("\n")
        values: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": message,
            **getattr(record, "fields", {}),
        }
        line = " ".join(f"{key}={_quoted(value)}" for key, value in values.items())
        if traceback:
            line += "\n" + traceback.rstrip("\n")
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def _quoted(value: Any) -> str:
    text = "-" if value is None else str(value)
    if not text or any(c in text for c in ' "=\n'):
        escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    return text


def logging_config() -> LoggingConfig:
    """Everything at INFO and above, the service's own loggers included, to standard error as
    logfmt (unbuffered: a line is not lost when the process dies). Unexpected errors
    are logged by the error pages, with the request id, so Litestar logs none itself."""
    return LoggingConfig(
        formatters={"logfmt": {"()": LogfmtFormatter}},
        handlers={"console": {"class": "logging.StreamHandler", "formatter": "logfmt"}},
        root={"handlers": ["console"], "level": "INFO"},
        loggers={
            "litestar": {"level": "INFO", "propagate": True},
            "samordna": {"level": "INFO", "propagate": True},
        },
        log_exceptions="never",
    )


def request_id(scope: Scope) -> str:
    """The request's short id (12 hex digits), made when the request came in."""
    state: dict[str, Any] = scope.setdefault("state", {})
    found: str = state.setdefault("request_id", uuid.uuid4().hex[:12])
    return found


def route_of(scope: Scope) -> str:
    """The template of the route the request matched, never its path."""
    return str(scope.get("path_template") or NO_ROUTE)


def user_id_of(scope: Scope) -> str | None:
    user = scope.get("user")
    return getattr(user, "id", None)


class RequestLog:
    """An ASGI wrapper around the whole app (outside routing, so a 404 is logged too): gives
    the request its id, puts it in the response's `X-Request-Id`, and logs the access line
    when the response has been sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500
        rid = request_id(scope)

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            access_log.info(
                "request",
                extra={
                    "fields": {
                        "method": scope.get("method"),
                        "route": route_of(scope),
                        "status": status,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                        "request_id": rid,
                        "user_id": user_id_of(scope),
                    }
                },
            )
