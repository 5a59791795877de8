"""Caseload, the referral queue, statistics with their exports, and the SUS export."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Template

from coordination.accounts import insatser
from coordination.reports import queries as reports
from coordination.reports.statistics import SUPPRESSED, Table, period_of, statistics
from coordination.shared import access
from coordination.shared.charts import bar_chart
from coordination.shared.clock import team_now
from coordination.shared.web import current_user, logged_in, page, services_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDeniedException(message)


# -- caseload -----------------------------------------------------------------------------


@get("/arbetsbelastning", guards=[logged_in])
async def caseload_page(request: Request[Any, Any, Any]) -> Template:
    user = current_user(request)
    _require(access.can_see_caseload(user), "Arbetsbelastningen är för teamledare och samordnare.")
    services = services_of(request)
    now = team_now()
    query = request.query_params
    part = query.get("part", "")
    sort = query.get("sortera", "aktiva")
    loads = reports.caseload(services.engine, user.team_id, now)
    shown = [load for load in loads if not part or load.part.value == part]
    shown.sort(key=reports.SORT_KEYS.get(sort, reports.SORT_KEYS["aktiva"]))
    trend = reports.referrals_per_part(services.engine, user.team_id, now.date())
    return page(
        request,
        "caseload.html",
        loads=shown,
        parts=reports.by_part(loads),
        sort=sort,
        part=part,
        chart=bar_chart([(load.name, load.active, str(load.active)) for load in shown]),
        queue=reports.referral_queue(services.engine, user.team_id),
        trend=trend,
        today=now.date(),
    )


@get("/arbetsbelastning/{user_id:str}", guards=[logged_in])
async def caseload_person(request: Request[Any, Any, Any], user_id: FromPath[str]) -> Template:
    user = current_user(request)
    _require(access.can_see_caseload(user), "Arbetsbelastningen är för teamledare och samordnare.")
    services = services_of(request)
    load = next(
        (
            found
            for found in reports.caseload(services.engine, user.team_id, team_now())
            if found.key == user_id
        ),
        None,
    )
    if load is None:
        raise NotFoundException("Personen finns inte i ditt team.")
    return page(
        request,
        "caseload_person.html",
        load=load,
        cases=reports.case_list(services.engine, load.case_ids),
    )


# -- statistics -----------------------------------------------------------------------------


def _chosen(request: Request[Any, Any, Any]) -> dict[str, str]:
    query = request.query_params
    return {name: query.get(name, "") for name in ("ar", "kvartal", "fran", "till", "insats")}


def _tables(request: Request[Any, Any, Any], chosen: dict[str, str]) -> tuple[Any, list[Table]]:
    user = current_user(request)
    _require(access.can_see_statistics(user), "Statistiken är för teamledare och analytiker.")
    services = services_of(request)
    period = period_of(
        chosen["ar"], chosen["kvartal"], chosen["fran"], chosen["till"], services.cases.today()
    )
    tables = statistics(
        reports.case_facts(services.engine, user.team_id, chosen["insats"]),
        reports.follow_up_facts(services.engine, user.team_id),
        period,
        services.settings.timings.follow_up_months,
    )
    return period, tables


@get("/statistik", guards=[logged_in])
async def statistics_page(request: Request[Any, Any, Any]) -> Template:
    chosen = _chosen(request)
    period, tables = _tables(request, chosen)
    occupations = next(t for t in tables if t.key == "sysselsattning-avslut")
    chart = bar_chart(
        [
            (row[0], None if row[1] == SUPPRESSED else int(row[1].split()[0]), row[1])
            for row in occupations.rows
        ]
    )
    query = "&".join(f"{k}={v}" for k, v in chosen.items() if v)
    return page(
        request,
        "statistics.html",
        period=period,
        tables=tables,
        chosen=chosen,
        query=query,
        chart=chart,
        insatser=insatser.team_insatser(services_of(request).engine, current_user(request).team_id),
        may_export_sus=access.can_export_sus(current_user(request)),
    )


def _download(content: bytes, media_type: str, filename: str) -> Response[bytes]:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@get("/statistik/{key:str}/csv", guards=[logged_in])
async def table_csv(request: Request[Any, Any, Any], key: FromPath[str]) -> Response[bytes]:
    table = _table(request, key)
    return _download(
        reports.to_csv(reports.table_rows(table)), "text/csv; charset=utf-8", f"{key}.csv"
    )


@get("/statistik/{key:str}/xlsx", guards=[logged_in])
async def table_xlsx(request: Request[Any, Any, Any], key: FromPath[str]) -> Response[bytes]:
    table = _table(request, key)
    return _download(reports.to_xlsx(table.title, reports.table_rows(table)), XLSX, f"{key}.xlsx")


def _table(request: Request[Any, Any, Any], key: str) -> Table:
    _, tables = _tables(request, _chosen(request))
    found = next((t for t in tables if t.key == key), None)
    if found is None:
        raise NotFoundException("Tabellen finns inte.")
    return found


def _sus(request: Request[Any, Any, Any]) -> list[list[str]]:
    user = current_user(request)
    _require(access.can_export_sus(user), "SUS-exporten är för teamledare och samordnare.")
    services = services_of(request)
    chosen = _chosen(request)
    period = period_of(
        chosen["ar"], chosen["kvartal"], chosen["fran"], chosen["till"], services.cases.today()
    )
    allowed = [
        row.case_id
        for row in services.cases.team_cases(user.team_id)
        if row.start_date is not None
        and row.start_date <= period.end
        and (row.closed_on is None or row.closed_on >= period.start)
        and access.can_see_personal_data(
            user, row.team_id, row.consent_parts, row.consent_withdrawn
        )
    ]
    visible = services.cases.personnummer_of(user, allowed, "SUS-export")
    return [
        reports.SUS_COLUMNS,
        *reports.sus_rows(services.engine, user.team_id, period.start, period.end, visible),
    ]


@get("/sus-export/csv", guards=[logged_in])
async def sus_csv(request: Request[Any, Any, Any]) -> Response[bytes]:
    return _download(
        reports.to_csv(_sus(request)), "text/csv; charset=utf-8", "sus-registrering.csv"
    )


@get("/sus-export/xlsx", guards=[logged_in])
async def sus_xlsx(request: Request[Any, Any, Any]) -> Response[bytes]:
    return _download(
        reports.to_xlsx("SUS-registrering", _sus(request)), XLSX, "sus-registrering.xlsx"
    )


HANDLERS = [
    caseload_page,
    caseload_person,
    statistics_page,
    sus_csv,
    sus_xlsx,
    table_csv,
    table_xlsx,
]
