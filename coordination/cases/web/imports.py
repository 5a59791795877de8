"""Importera ärenden: an administratör brings in a caseload from a file made from the
template, checked whole before anything is stored (`coordination.cases.imports`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body

from coordination.accounts.insatser import Insatser
from coordination.accounts.service import Accounts
from coordination.cases import imports
from coordination.cases.service import Cases
from coordination.shared import access
from coordination.shared.access import User
from coordination.shared.clock import Clock
from coordination.shared.web import Page, allowed

MOST_BYTES = 5_000_000  # some thousand rows; a larger caseload is imported in parts


@dataclass
class ImportForm:
    fil: UploadFile | None = None
    importera: str = ""  # the "Importera" button; without it the file is only checked


class ImportController(Controller):
    path = "/admin/import"
    guards = (allowed(access.can_administer, "Bara administratörer importerar ärenden."),)

    @get(sync_to_thread=True)
    def import_page(self, page: NamedDependency[Page]) -> Response[bytes]:
        return page("cases/import.html", headings=imports.COLUMNS)

    @get("/mall.csv", sync_to_thread=False)
    def template(self) -> Response[bytes]:
        return Response(
            imports.template(),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="importmall.csv"'},
        )

    @post(sync_to_thread=True)
    def import_file(
        self,
        data: Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)],
        page: NamedDependency[Page],
        user: NamedDependency[User],
        accounts: NamedDependency[Accounts],
        insatser: NamedDependency[Insatser],
        cases: NamedDependency[Cases],
        clock: NamedDependency[Clock],
    ) -> Response[Any]:
        shown: dict[str, Any] = {"headings": imports.COLUMNS}
        upload = data.fil
        content = upload.file.read(MOST_BYTES + 1) if upload is not None else b""
        if upload is None or not upload.filename or not content:
            return page("cases/import.html", 422, file_error="Välj en fil att importera.", **shown)
        if len(content) > MOST_BYTES:
            return page(
                "cases/import.html",
                422,
                file_error="Filen är för stor: dela upp den i flera.",
                **shown,
            )
        try:
            rows = imports.read_rows(upload.filename, content)
        except imports.ImportFileError as error:
            return page("cases/import.html", 422, file_error=str(error), **shown)
        team = imports.import_team(
            cases, user, accounts.team_users(user.team_id), insatser.team_insatser(user.team_id)
        )
        found = imports.plan(rows, team, clock.today())
        if found.problems:
            return page("cases/import.html", 422, plan=found, filename=upload.filename, **shown)
        if not data.importera:
            return page("cases/import.html", plan=found, filename=upload.filename, **shown)
        new, before = imports.store(cases, found)
        return page("cases/import.html", imported=(new, before), filename=upload.filename, **shown)


CONTROLLERS = [ImportController]
