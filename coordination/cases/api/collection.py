"""The team's cases and one case (`GET /api/v1/cases`), and a new referral (`POST`)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import (
    FromPath,
    FromQuery,
    HeaderParameter,
    JSONBody,
    QueryParameter,
)

from coordination.cases import domain as case
from coordination.cases import gate
from coordination.cases.api.answers import SHOWN_BY, CaseDetail, CaseSummary, CommandDone, detail_of
from coordination.cases.api.bodies import FREE_TEXT, ReferralBody
from coordination.cases.api.commands import CaseCommands
from coordination.cases.service import Cases
from coordination.shared import access
from coordination.shared.access import User
from coordination.shared.api import (
    API_V1,
    COMMAND_PROBLEMS,
    PROBLEMS,
    invalid,
    may_write,
    text_problems,
)
from coordination.shared.vocabulary import (
    Stage,
)
from coordination.shared.web import allowed


def _summaries(cases: Cases, user: User, entries: list[Any]) -> list[CaseSummary]:
    rows = cases.rows_of(user.team_id, [e.case_id for e in entries])
    return [CaseSummary.of(rows[e.case_id]) for e in entries if e.case_id in rows]


# "Visa fler" goes no further on the team page either.
MOST_ROWS = 2_000
OPEN_STAGES = frozenset(Stage) - {Stage.CLOSED, Stage.DECLINED}


class CasesApi(Controller):
    path = f"{API_V1}/cases"
    tags = ["Ärenden"]
    dependencies = {"commands": Provide(CaseCommands, sync_to_thread=False)}

    @get(
        guards=[allowed(access.can_see_case_list, "Din roll ser bara statistik, inte ärenden.")],
        sync_to_thread=True,
        responses=PROBLEMS,
    )
    def list_cases(
        self,
        user: NamedDependency[User],
        cases: NamedDependency[Cases],
        stage: FromQuery[Stage | None] = None,
        mine: Annotated[
            bool, QueryParameter(description="Bara ärenden vars samtycke omfattar min part.")
        ] = False,
        closed: Annotated[
            bool | None,
            QueryParameter(
                description="true: bara avslutade och avböjda; false: bara öppna; utan: alla."
            ),
        ] = None,
        code: Annotated[str, QueryParameter(max_length=20, description="Del av ärendekoden.")] = "",
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=MOST_ROWS)] = 100,
    ) -> list[CaseSummary]:
        """The team's cases (no personal data), newest referral first, as the team page
        lists them."""
        board = cases.team_board(
            user.team_id, stage=stage, code=code, covering=user.part if mine else None
        )
        if closed is not None:
            board = [e for e in board if (e.stage not in OPEN_STAGES) is closed]
        board.sort(key=lambda e: (e.referral_date, e.case_code), reverse=True)
        return _summaries(cases, user, board[offset : offset + limit])

    @get("/{case_ref:str}", sync_to_thread=True, responses=PROBLEMS)
    def get_case(
        self,
        case_ref: FromPath[str],
        user: NamedDependency[User],
        cases: NamedDependency[Cases],
    ) -> CaseDetail:
        """One case with its plan, meetings, steps, follow-ups and timeline; the
        participant's personal data only where the gate opens it, and then the read is in
        the Läslogg before anything is answered."""
        case_id = cases.case_with_code(case_ref.strip().upper()) or case_ref
        return detail_of(cases, cases.open(user, case_id, f"{SHOWN_BY}: ärendet"))

    @post(
        guards=[may_write, allowed(access.can_register_referrals, gate.ROLE)],
        sync_to_thread=True,
        responses=COMMAND_PROBLEMS,
    )
    def register_referral(
        self,
        data: JSONBody[ReferralBody],
        commands: NamedDependency[CaseCommands],
        idempotency_key: Annotated[
            str | None,
            HeaderParameter(
                name="Idempotency-Key",
                max_length=36,
                description="En UUID som du väljer: samma nyckel igen (ett nytt försök efter "
                "ett avbrott) startar inget nytt ärende utan svarar med det första.",
            ),
        ] = None,
    ) -> CommandDone:
        """A new referral in the user's team: the case starts (version 1). With an
        `Idempotency-Key`, a request sent again starts no second case."""
        user, today = commands.user, commands.clock.today()
        errors = text_problems(data, FREE_TEXT)
        once = None
        if idempotency_key is not None:
            try:
                once = str(uuid.UUID(idempotency_key))
            except ValueError:
                errors["Idempotency-Key"] = "Ange en UUID, till exempel från uuidgen."

        def command(code: str) -> case.RegisterReferral:
            referred = today if "referral_date" in errors else data.referral_date
            return case.RegisterReferral(
                code, user.team_id, data.from_part, data.from_caseworker, data.reason, referred
            )

        errors = {**case.referral_problems(command(""), today), **errors}
        if errors:
            raise invalid(errors)
        try:
            case_id = commands.cases.register_referral(user, command, once)
        except case.Rejected as rejected:
            raise invalid(dict(rejected.errors)) from None
        return CommandDone(case_id, 1)
