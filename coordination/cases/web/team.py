"""The team page, new referrals and the review of the read audit."""

from __future__ import annotations

import hashlib
from datetime import datetime, time, timedelta
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect

from coordination.cases import domain as case
from coordination.cases.web.desk import DESK, CaseDesk, posted
from coordination.reminders.service import Reminders
from coordination.shared import access, bounds
from coordination.shared.forms import FormErrors
from coordination.shared.vocabulary import Part, Role, Stage
from coordination.shared.web import Form, allowed, once_of


class TeamController(Controller):
    dependencies = DESK

    @get("/", sync_to_thread=True)
    def team_page(
        self,
        request: HTMXRequest,
        desk: NamedDependency[CaseDesk],
        reminders: NamedDependency[Reminders],
    ) -> Response[Any]:
        user = desk.user
        if not access.can_see_case_list(user):
            return Redirect("/statistik")  # the förbund's start page: aggregates only
        query = request.query_params
        # The 30-second refresh asks with the ETag it got: the log's position when the page
        # was drawn and a hash of the rest it shows. Nothing appended since to the team's
        # cases or their reminders, no one in the team or its insatser changed, same day,
        # same user and address: the answer is an empty 304.
        drawn_as = hashlib.sha256(
            f"{desk.accounts.team_revision(user.team_id)}|{desk.clock.today()}|{user.id}|"
            f"{request.url.query}|{bool(request.htmx)}".encode()
        ).hexdigest()[:32]
        asked = _drawn_at(request.headers.get("if-none-match", ""), drawn_as)
        if asked is not None and not desk.cases.changed_since(asked, {user.team_id}):
            tag = f'"{asked}.{drawn_as}"'
            return Response(b"", status_code=304, headers=_REVALIDATE | {"ETag": tag})
        # the position read before the page is drawn: what is appended meanwhile is a change
        tag = f'"{desk.cases.last_change()}.{drawn_as}"'
        filters = {name: query.get(name, "") for name in ("part", "coordinator", "stage", "code")}
        # a handläggare starts from the cases they work on; the others from the whole team
        filters["vy"] = query.get("vy") or ("mina" if user.role is Role.CASEWORKER else "alla")
        shown = {s: _count(query.get(f"visa_{s.value}")) for s in Stage}
        # each stage's count and its first cases, the earliest due first: only those are read
        counts, first = desk.cases.team_stages(
            user.team_id,
            shown,
            part=Part.parse(filters["part"]),
            coordinator_id=filters["coordinator"] or None,
            stage=Stage.parse(filters["stage"]),
            code=filters["code"],
            covering=user.part if filters["vy"] == "mina" else None,
        )
        shown_ids = [case_id for ids in first.values() for case_id in ids]
        rows = desk.cases.rows_of(user.team_id, shown_ids)
        today = desk.clock.today()
        week_start = datetime.combine(today - timedelta(days=today.weekday()), time())
        response = desk.page(
            "cases/team.html",
            first_due=reminders.first_due(user.team_id, shown_ids),
            week_meetings=desk.reader.team_meetings(
                user, week_start, week_start + timedelta(days=7)
            ),
            counts=counts,
            by_stage={
                stage: [rows[case_id] for case_id in ids if case_id in rows]
                for stage, ids in first.items()
            },
            shown=shown,
            filters=filters,
            colleagues=desk.accounts.team_users(user.team_id),
            total=sum(counts.values()),
        )
        response.headers.update(_REVALIDATE | {"ETag": tag})
        return response


PAGE_ROWS = 25  # rows per stage, and how many more "Visa fler" shows
_REVALIDATE = {"Cache-Control": "private, no-cache"}


# "Visa fler" up to this many rows of a stage: beyond it, a filter finds a case sooner (and
# the page's reads stay well inside the database's limit of bound parameters)
MOST_ROWS = 2_000


def _drawn_at(etag: str, drawn_as: str) -> int | None:
    """The log's position an ETag of the team page was drawn at, when the rest of it is
    `drawn_as`."""
    position, _, rest = etag.strip('"').partition(".")
    # a position is a bigint: a longer run of digits was never one of ours
    if rest != drawn_as or not (position.isascii() and position.isdigit()) or len(position) > 18:
        return None
    return int(position)


def _count(value: str | None) -> int:
    try:
        return max(PAGE_ROWS, min(int(value or PAGE_ROWS), MOST_ROWS))
    except ValueError:
        return PAGE_ROWS


REFERRAL_FIELDS = ("from_part", "from_caseworker", "reason", "referral_date")


class ReferralController(Controller):
    path = "/remisser/ny"
    dependencies = DESK
    guards = (allowed(access.can_register_referrals, "Din roll får inte ändra ärenden."),)

    @get(sync_to_thread=False)
    def referral_form(self, desk: NamedDependency[CaseDesk]) -> Response[bytes]:
        return desk.page(
            "cases/referral.html", form={"referral_date": desk.clock.today().isoformat()}
        )

    @post(sync_to_thread=True)
    def register_referral(self, data: Form, desk: NamedDependency[CaseDesk]) -> Response[Any]:
        form, user = posted(data), desk.user
        errors = FormErrors()
        part = errors.choice(form, "from_part", Part)
        from_caseworker = errors.text(form, "from_caseworker", bounds.NAME_LENGTH)
        reason = errors.free_text(form, "reason")
        referral_date = errors.date(form, "referral_date")

        def command(code: str) -> case.RegisterReferral:
            chosen = part or Part.AF  # a stand-in while the part is missing
            return case.RegisterReferral(
                code, user.team_id, chosen, from_caseworker, reason, referral_date
            )

        if errors:  # with what the domain says of the other fields: every problem at once
            problems = case.referral_problems(command(""), desk.clock.today())
            every = {**problems, **errors}
            ordered = {name: every[name] for name in REFERRAL_FIELDS if name in every}
            return desk.page("cases/referral.html", 422, form=form, errors=ordered)
        try:
            case_id = desk.cases.register_referral(user, command, once_of(form))
        except case.Rejected as rejected:
            return desk.page("cases/referral.html", 422, form=form, errors=rejected.errors)
        return Redirect(f"/arenden/{case_id}?klart=RegisterReferral")


class AuditController(Controller):
    path = "/granskning"
    dependencies = DESK
    guards = (
        allowed(access.can_review_audit, "Bara teamledare och administratörer granskar läsloggen."),
    )

    @get(sync_to_thread=True)
    def audit_page(self, request: HTMXRequest, desk: NamedDependency[CaseDesk]) -> Response[bytes]:
        query = request.query_params
        entries = desk.cases.audit_log(
            desk.user.team_id,
            case_id=query.get("case") or None,
            user_id=query.get("user") or None,
        )
        return desk.page("cases/audit.html", entries=entries)


CONTROLLERS = [TeamController, ReferralController, AuditController]
