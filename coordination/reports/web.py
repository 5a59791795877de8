"""Caseload, the referral queue, statistics with their exports, and the SUS export."""

from __future__ import annotations

from collections.abc import Sequence

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest

from coordination.accounts.insatser import Insatser
from coordination.accounts.service import Accounts
from coordination.cases.service import Cases
from coordination.config import Settings
from coordination.reports.exports import Cell, table_rows, to_csv, to_workbook, to_xlsx
from coordination.reports.figures import (
    CHOICES,
    chosen_period,
    counted_teams,
    insatser_of,
    statistics_tables,
)
from coordination.reports.queries import SORT_KEYS, SUS_COLUMNS, Reports, by_part
from coordination.reports.statistics import SUPPRESSED, Table
from coordination.shared import access
from coordination.shared.access import User
from coordination.shared.charts import bar_chart
from coordination.shared.clock import Clock
from coordination.shared.web import Page, allowed

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(content: bytes, media_type: str, filename: str) -> Response[bytes]:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


class CaseloadController(Controller):
    path = "/arbetsbelastning"
    guards = (
        allowed(access.can_see_caseload, "Arbetsbelastningen är för teamledare och samordnare."),
    )

    @get(sync_to_thread=True)
    def caseload_page(
        self,
        request: HTMXRequest,
        page: NamedDependency[Page],
        user: NamedDependency[User],
        reports: NamedDependency[Reports],
        clock: NamedDependency[Clock],
    ) -> Response[bytes]:
        now = clock.now()
        part = request.query_params.get("part", "")
        sort = request.query_params.get("sortera", "aktiva")
        loads = reports.caseload(user.team_id, now)
        shown = [load for load in loads if not part or load.part.value == part]
        shown.sort(key=SORT_KEYS.get(sort, SORT_KEYS["aktiva"]))
        return page(
            "reports/caseload.html",
            loads=shown,
            parts=by_part(loads),
            sort=sort,
            part=part,
            chart=bar_chart([(load.name, load.active, str(load.active)) for load in shown]),
            queue=reports.referral_queue(user.team_id),
            trend=reports.referrals_per_part(user.team_id, now.date()),
            today=now.date(),
        )

    @get("/{user_id:str}", sync_to_thread=True)
    def caseload_person(
        self,
        user_id: FromPath[str],
        page: NamedDependency[Page],
        user: NamedDependency[User],
        reports: NamedDependency[Reports],
        clock: NamedDependency[Clock],
    ) -> Response[bytes]:
        load = next(
            (
                found
                for found in reports.caseload(user.team_id, clock.now())
                if found.key == user_id
            ),
            None,
        )
        if load is None:
            raise NotFoundException("Personen finns inte i ditt team.")
        return page(
            "reports/caseload_person.html", load=load, cases=reports.case_list(load.case_ids)
        )


def _chosen(request: HTMXRequest) -> dict[str, str]:
    return {name: request.query_params.get(name, "") for name in CHOICES}


class StatisticsController(Controller):
    path = "/statistik"
    guards = (allowed(access.can_see_statistics, "Statistiken är för teamledare och analytiker."),)

    def _export(
        self,
        request: HTMXRequest,
        key: str,
        user: User,
        reports: Reports,
        insatser: Insatser,
        settings: Settings,
        clock: Clock,
        accounts: Accounts,
    ) -> tuple[Table, list[Sequence[Cell]]]:
        """One table of the page and its rows for a download, under the period and the
        insats it counts."""
        tables = self._export_all(request, user, reports, insatser, settings, clock, accounts)
        found = next((pair for pair in tables if pair[0].key == key), None)
        if found is None:
            raise NotFoundException("Tabellen finns inte.")
        return found

    def _export_all(
        self,
        request: HTMXRequest,
        user: User,
        reports: Reports,
        insatser: Insatser,
        settings: Settings,
        clock: Clock,
        accounts: Accounts,
    ) -> list[tuple[Table, list[Sequence[Cell]]]]:
        """Every table of the page with its rows for a download."""
        chosen = _chosen(request)
        period, tables = statistics_tables(
            chosen, user, reports, settings, clock, accounts, insatser
        )
        counted = counted_teams(chosen, user, accounts)
        insats = next(
            (i.name for i in insatser_of(insatser, counted) if i.id == chosen["insats"]), ""
        )
        teams = ""
        if access.sees_the_forbund(user):
            teams = counted[0].name if len(counted) == 1 else "Hela förbundet"
        return [(table, table_rows(table, period.label, insats, teams)) for table in tables]

    @get("/xlsx", sync_to_thread=True)
    def workbook(
        self,
        request: HTMXRequest,
        user: NamedDependency[User],
        reports: NamedDependency[Reports],
        insatser: NamedDependency[Insatser],
        settings: NamedDependency[Settings],
        clock: NamedDependency[Clock],
        accounts: NamedDependency[Accounts],
    ) -> Response[bytes]:
        """The whole page as one Excel workbook, a sheet per table."""
        tables = self._export_all(request, user, reports, insatser, settings, clock, accounts)
        sheets = [(table.title, rows) for table, rows in tables]
        return _download(to_workbook(sheets), XLSX, "statistik.xlsx")

    @get(sync_to_thread=True)
    def statistics_page(
        self,
        request: HTMXRequest,
        page: NamedDependency[Page],
        user: NamedDependency[User],
        reports: NamedDependency[Reports],
        insatser: NamedDependency[Insatser],
        settings: NamedDependency[Settings],
        clock: NamedDependency[Clock],
        accounts: NamedDependency[Accounts],
    ) -> Response[bytes]:
        chosen = _chosen(request)
        period, tables = statistics_tables(
            chosen, user, reports, settings, clock, accounts, insatser
        )
        occupations = next(t for t in tables if t.key == "sysselsattning-avslut")
        chart = bar_chart(
            [
                (row[0], None if row[1] == SUPPRESSED else int(row[1].split()[0]), row[1])
                for row in occupations.rows
            ]
        )
        return page(
            "reports/statistics.html",
            period=period,
            tables=tables,
            chosen=chosen,
            query="&".join(f"{k}={v}" for k, v in chosen.items() if v),
            chart=chart,
            insatser=insatser_of(insatser, counted_teams(chosen, user, accounts)),
            teams=accounts.teams() if access.sees_the_forbund(user) else [],
            may_export_sus=access.can_export_sus(user),
        )

    @get("/{key:str}/csv", sync_to_thread=True)
    def table_csv(
        self,
        request: HTMXRequest,
        key: FromPath[str],
        user: NamedDependency[User],
        reports: NamedDependency[Reports],
        insatser: NamedDependency[Insatser],
        settings: NamedDependency[Settings],
        clock: NamedDependency[Clock],
        accounts: NamedDependency[Accounts],
    ) -> Response[bytes]:
        _, rows = self._export(request, key, user, reports, insatser, settings, clock, accounts)
        return _download(to_csv(rows), "text/csv", f"{key}.csv")

    @get("/{key:str}/xlsx", sync_to_thread=True)
    def table_xlsx(
        self,
        request: HTMXRequest,
        key: FromPath[str],
        user: NamedDependency[User],
        reports: NamedDependency[Reports],
        insatser: NamedDependency[Insatser],
        settings: NamedDependency[Settings],
        clock: NamedDependency[Clock],
        accounts: NamedDependency[Accounts],
    ) -> Response[bytes]:
        table, rows = self._export(request, key, user, reports, insatser, settings, clock, accounts)
        return _download(to_xlsx(table.title, rows), XLSX, f"{key}.xlsx")


class SusExportController(Controller):
    path = "/sus-export"
    guards = (allowed(access.can_export_sus, "SUS-exporten är för teamledare och samordnare."),)

    @staticmethod
    def _rows(
        request: HTMXRequest,
        user: User,
        cases: Cases,
        reports: Reports,
        clock: Clock,
    ) -> list[list[str]]:
        period = chosen_period(_chosen(request), clock)
        in_period = [
            row
            for row in cases.team_cases(user.team_id)
            if row.start_date is not None
            and row.start_date <= period.end
            and (row.closed_on is None or row.closed_on >= period.start)
        ]
        visible = cases.visible_personnummer(user, in_period, "SUS-export")
        return [
            SUS_COLUMNS,
            *reports.sus_rows(user.team_id, period.start, period.end, visible),
        ]

    @get("/csv", sync_to_thread=True)
    def sus_csv(
        self,
        request: HTMXRequest,
        user: NamedDependency[User],
        cases: NamedDependency[Cases],
        reports: NamedDependency[Reports],
        clock: NamedDependency[Clock],
    ) -> Response[bytes]:
        rows = self._rows(request, user, cases, reports, clock)
        return _download(to_csv(rows), "text/csv", "sus-registrering.csv")

    @get("/xlsx", sync_to_thread=True)
    def sus_xlsx(
        self,
        request: HTMXRequest,
        user: NamedDependency[User],
        cases: NamedDependency[Cases],
        reports: NamedDependency[Reports],
        clock: NamedDependency[Clock],
    ) -> Response[bytes]:
        rows = self._rows(request, user, cases, reports, clock)
        return _download(to_xlsx("SUS-registrering", rows), XLSX, "sus-registrering.xlsx")


CONTROLLERS = [CaseloadController, StatisticsController, SusExportController]
