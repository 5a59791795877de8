"""Logging in and out, and changing one's password."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template

from coordination.accounts import service as accounts
from coordination.shared.web import (
    SESSION_COOKIE,
    current_user,
    logged_in,
    page,
    posted,
    services_of,
)


def _next_page(value: str) -> str:
    """Only a path of this app: never another site."""
    return value if value.startswith("/") and not value.startswith("//") else "/"


@get("/logga-in")
async def login_form(request: Request[Any, Any, Any]) -> Template:
    return page(request, "login.html", next=_next_page(request.query_params.get("nasta", "/")))


@post("/logga-in")
async def login(request: Request[Any, Any, Any]) -> Response[Any]:
    services = services_of(request)
    form = await posted(request)
    email = form.get("email", "")
    try:
        user = accounts.log_in(services.engine, email, form.get("password", ""), services.now())
    except accounts.LoginRefused as refused:
        return page(
            request,
            "login.html",
            422,
            form={"email": email},
            errors={"": str(refused)},
            next=_next_page(form.get("nasta", "/")),
        )
    minutes = services.settings.session_minutes
    token = accounts.start_session(
        services.engine, user, services.now(), timedelta(minutes=minutes)
    )
    response: Response[Any] = Redirect(_next_page(form.get("nasta", "/")))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=services.settings.base_url.startswith("https"),
        max_age=minutes * 60,
    )
    return response


@post("/logga-ut", guards=[logged_in])
async def logout(request: Request[Any, Any, Any]) -> Response[Any]:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.end_session(services_of(request).engine, token)
    response: Response[Any] = Redirect("/logga-in")
    response.delete_cookie(SESSION_COOKIE)
    return response


@get("/losenord", guards=[logged_in])
async def password_form(request: Request[Any, Any, Any]) -> Template:
    return page(request, "password.html", changed=False)


@post("/losenord", guards=[logged_in])
async def change_password(request: Request[Any, Any, Any]) -> Template:
    form = await posted(request)
    errors = accounts.change_password(
        services_of(request).engine,
        current_user(request),
        form.get("current", ""),
        form.get("new", ""),
    )
    return page(request, "password.html", 422 if errors else 200, errors=errors, changed=not errors)


HANDLERS = [login_form, login, logout, password_form, change_password]
