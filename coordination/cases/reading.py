"""What one reader may see of one case: a `CaseFile` made by the gate in the case service,
and the journey read through it. Without the file's say-so the participant's personal data
stays out: texts read as empty, personal sections as nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from coordination.cases import domain as case
from coordination.cases.board import CaseRow
from coordination.cases.gate import CaseNotFound
from coordination.cases.queries import CaseQueries, Meeting, PlanVersion
from coordination.shared.access import User


@dataclass(frozen=True)
class CaseFile:
    """One case as `reader` may see it. `personal`: the participant's personal data is open
    to the reader and the read is already in the Läslogg. `may_work`: the reader may run the
    journey's commands on it."""

    row: CaseRow
    reader: User
    personal: bool
    may_work: bool

    @property
    def case_id(self) -> str:
        return self.row.case_id


class MeetingNotFound(CaseNotFound):
    detail = "Mötet finns inte."


def _without_personal(meeting: Meeting) -> Meeting:
    return replace(meeting, place="", others_invited="", agenda="", note="", decisions="")


class CaseReader:
    """The journey's read models through a case file."""

    def __init__(self, queries: CaseQueries) -> None:
        self._queries = queries

    def assessments(self, file: CaseFile) -> list[dict[str, Any]]:
        return self._queries.assessments(file.case_id) if file.personal else []

    def plan_versions(self, file: CaseFile) -> list[PlanVersion]:
        return self._queries.plan_versions(file.case_id) if file.personal else []

    def activities(self, file: CaseFile) -> list[case.Activity]:
        return self._queries.activities(file.case_id) if file.personal else []

    def after_support(self, file: CaseFile) -> list[dict[str, Any]]:
        return self._queries.after_support(file.case_id) if file.personal else []

    def meetings(self, file: CaseFile) -> list[Meeting]:
        """Every meeting's time and status; place, agenda and decisions only when personal."""
        found = self._queries.meetings(file.case_id)
        return found if file.personal else [_without_personal(m) for m in found]

    def meeting(self, file: CaseFile, meeting_id: str) -> Meeting:
        found = self._queries.meeting(meeting_id)
        if found is None or found.case_id != file.case_id:
            raise MeetingNotFound()
        return found if file.personal else _without_personal(found)

    def team_meetings(self, reader: User, start: datetime, end: datetime) -> list[Meeting]:
        """The reader's team's meetings in [start, end): times and case codes only."""
        found = self._queries.team_meetings(reader.team_id, start, end)
        return [_without_personal(m) for m in found]

    def invited_meetings(self, invitee: User, since: datetime) -> list[Meeting]:
        """The meetings of the invitee's team from `since` on to which they are invited:
        times, form and case codes only."""
        found = self._queries.team_meetings_since(invitee.team_id, since)
        return [_without_personal(m) for m in found if invitee.id in m.invitee_ids]

    def steps(self, file: CaseFile) -> list[dict[str, Any]]:
        """Steps and self-assessments; their evidence and notes only when personal."""
        found = self._queries.steps(file.case_id)
        return found if file.personal else [{**s, "text": ""} for s in found]

    def follow_ups(self, file: CaseFile) -> list[dict[str, Any]]:
        found = self._queries.follow_ups(file.case_id)
        return found if file.personal else [{**f, "obstacles": ""} for f in found]
