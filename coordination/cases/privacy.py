"""Retention (gallring) of the participants' personal data and what administrators see of
it, and the registerutdrag. Erasure on request goes through the case service's commands and
gate like any other; the retention rule erases on its own, from the clock, unless a case is
held."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from coordination.cases import domain as case
from coordination.cases.board import CASE_QUERY, CaseRow, case_row
from coordination.cases.gate import CaseRefused
from coordination.cases.queries import Meeting, PlanVersion
from coordination.cases.reading import CaseFile
from coordination.cases.service import CaseChanged, Cases
from coordination.cases.tables import cases
from coordination.shared import access
from coordination.shared.access import User

log = logging.getLogger(__name__)

# How far ahead administrators see what the retention rule will erase.
NOTICE_DAYS = 30


@dataclass(frozen=True)
class Due:
    """A case whose personal data the retention rule erases on `erases_on` (unless held)."""

    row: CaseRow
    erases_on: date


class Retention:
    def __init__(self, cases_: Cases, months: int) -> None:
        self.cases = cases_
        self.months = months

    def _cutoff(self, day: date) -> date:
        """Cases whose retention time counts from this day or earlier are due on `day`."""
        return day - relativedelta(months=self.months)

    def apply(self) -> int:
        """Erase every due case that is not held. Returns how many were erased. Safe to run
        on several instances at once: a case someone else erased first is a conflict and is
        left alone."""
        cutoff = self._cutoff(self.cases.clock.today())
        query = sa.select(cases.c.case_id, cases.c.version).where(
            cases.c.retention_from <= cutoff,
            cases.c.erased_on.is_(None),
            cases.c.retention_hold.is_(None),
        )
        with self.cases.store.engine.connect() as conn:
            due = conn.execute(query).all()
        erased = 0
        for case_id, version in due:
            try:
                self.cases.erase_after_retention(case_id, version)
                erased += 1
            except (CaseChanged, case.Rejected):
                continue
        if erased:
            log.info("retention erased the personal data of %d cases", erased)
        return erased

    def coming(self, reader: User) -> list[Due]:
        """The reader's team's cases whose personal data the rule erases within the notice
        period (held ones too, with their reason), soonest first. Administrators only."""
        if not access.can_administer(reader):
            raise CaseRefused("Bara administratörer ser gallringen.")
        horizon = self._cutoff(self.cases.clock.today() + timedelta(days=NOTICE_DAYS))
        query = CASE_QUERY.where(
            cases.c.team_id == reader.team_id,
            cases.c.retention_from <= horizon,
            cases.c.erased_on.is_(None),
        ).order_by(cases.c.retention_from, cases.c.case_code)
        with self.cases.store.engine.connect() as conn:
            rows = [case_row(row) for row in conn.execute(query)]
        return [
            Due(row, row.retention_from + relativedelta(months=self.months))
            for row in rows
            if row.retention_from is not None
        ]


@dataclass(frozen=True)
class Extract:
    """Everything Samordna holds about the participant in one case, for a registerutdrag."""

    file: CaseFile
    people: dict[str, Any]
    assessments: list[dict[str, Any]]
    plan_versions: list[PlanVersion]
    activities: list[case.Activity]
    meetings: list[Meeting]
    steps: list[dict[str, Any]]
    follow_ups: list[dict[str, Any]]
    after_support: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    reads: list[dict[str, Any]]


class SubjectAccess:
    """Registerutdrag: for one participant, everything held about them, including who read
    their data and when. Each case's read is itself written to the Läslogg."""

    def __init__(self, cases_: Cases) -> None:
        self.cases = cases_

    def extract(self, reader: User, number: str) -> list[Extract]:
        if not access.can_administer(reader):
            raise CaseRefused("Bara teamets administratörer gör registerutdrag.")
        return [
            self._case(reader, case_id) for case_id in self.cases.cases_of_person(reader, number)
        ]

    def _case(self, reader: User, case_id: str) -> Extract:
        file = self.cases.open_for_subject_access(reader, case_id)
        journey = self.cases.reader
        return Extract(
            file=file,
            people=self.cases.people(file) or {},
            assessments=journey.assessments(file),
            plan_versions=journey.plan_versions(file),
            activities=journey.activities(file),
            meetings=journey.meetings(file),
            steps=journey.steps(file),
            follow_ups=journey.follow_ups(file),
            after_support=journey.after_support(file),
            timeline=self.cases.timeline(file),
            reads=self.cases.audit_log(reader.team_id, case_id=case_id),
        )
