"""Tillfällen: the sessions of the team's volym- and strukturinsatser, counted, never named."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from coordination.accounts.insatser import (
    MOST_AT_A_SESSION,
    Insats,
    Insatser,
    Session,
    Sessions,
    session_errors,
)
from coordination.shared import access
from coordination.shared.access import User
from coordination.shared.clock import Clock
from coordination.shared.forms import FormErrors
from coordination.shared.vocabulary import AgeGroup, Gender, Part, RegistrationKind
from coordination.shared.web import Form, Page, allowed, form_of, once_of

SHOWN = 50  # the latest sessions listed under the form


def _count(form: dict[str, Any], name: str, errors: FormErrors) -> int:
    """A count typed in a field; an empty field is none."""
    if not str(form.get(name, "")).strip():
        return 0
    return max(errors.number(form, name, 0, MOST_AT_A_SESSION), 0)


def _read(insats: Insats, form: dict[str, Any], errors: FormErrors) -> Session:
    """The counts the insats's kind is registered with; whatever else was posted is not read."""
    volume = insats.registration_kind is RegistrationKind.VOLUME
    return Session(
        once_of(form) or str(uuid.uuid4()),
        insats.id,
        errors.date(form, "held_on"),
        {g: _count(form, f"gender_{g.value}", errors) for g in Gender} if volume else {},
        {a: _count(form, f"age_{a.value}", errors) for a in AgeGroup} if volume else {},
        {} if volume else {p: _count(form, f"staff_{p.value}", errors) for p in Part},
    )


class SessionsController(Controller):
    path = "/tillfallen"
    guards = (
        allowed(
            access.can_record_sessions,
            "Tillfällen registreras av samordnare, teamledare och administratörer.",
        ),
    )

    @get(sync_to_thread=True)
    def sessions_page(
        self,
        page: NamedDependency[Page],
        user: NamedDependency[User],
        insatser: NamedDependency[Insatser],
        sessions: NamedDependency[Sessions],
    ) -> Response[bytes]:
        """The team's volym- and strukturinsatser, and their latest sessions."""
        counted = [i for i in insatser.team_insatser(user.team_id) if i.counted]
        return page(
            "accounts/sessions.html",
            counted=counted,
            names={i.id: i for i in counted},
            sessions=sessions.of_team(user.team_id)[:SHOWN],
        )

    @staticmethod
    def _counted(insatser: Insatser, user: User, insats_id: str) -> Insats:
        found = next((i for i in insatser.team_insatser(user.team_id) if i.id == insats_id), None)
        if found is None or not found.counted:
            raise NotFoundException("Teamet har ingen sådan volym- eller strukturinsats.")
        return found

    @get("/{session_insats:str}", sync_to_thread=True)
    def session_form(
        self,
        session_insats: FromPath[str],
        page: NamedDependency[Page],
        user: NamedDependency[User],
        insatser: NamedDependency[Insatser],
        clock: NamedDependency[Clock],
    ) -> Response[bytes]:
        insats = self._counted(insatser, user, session_insats)
        form = {"held_on": clock.today().isoformat()}
        return page("accounts/session.html", insats=insats, form=form)

    @post("/{session_insats:str}", sync_to_thread=True)
    def record_session(
        self,
        session_insats: FromPath[str],
        data: Form,
        page: NamedDependency[Page],
        user: NamedDependency[User],
        insatser: NamedDependency[Insatser],
        sessions: NamedDependency[Sessions],
        clock: NamedDependency[Clock],
    ) -> Response[Any]:
        insats = self._counted(insatser, user, session_insats)
        form = form_of(data)
        errors = FormErrors(clock.today())
        session = _read(insats, form, errors)
        held_on = None if "held_on" in errors else session.held_on
        for field, message in session_errors(insats, held_on, session, clock.today()).items():
            errors.setdefault(field, message)
        if errors:
            return page("accounts/session.html", 422, insats=insats, form=form, errors=errors)
        sessions.record(user.team_id, session, user.id, clock.now())
        return Redirect("/tillfallen?klart=1")


CONTROLLERS = [SessionsController]
