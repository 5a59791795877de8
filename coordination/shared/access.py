"""Who may see and do what: pure rules, checked by every handler."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from coordination.shared.vocabulary import Part, Role


@dataclass(frozen=True)
class User:
    id: str
    team_id: str
    name: str
    email: str
    part: Part
    role: Role


CASE_WORKERS = frozenset({Role.CASEWORKER, Role.COORDINATOR})


def can_see_case_list(user: User) -> bool:
    """Case codes, stages and dates (no personal data) for the user's own team."""
    return user.role is not Role.ANALYST


def can_see_personal_data(
    user: User, case_team_id: str, consent_parts: Collection[Part], consent_withdrawn: bool
) -> bool:
    """A participant's personal data: only staff working the team's cases, and only as far as
    the participant's consent reaches. Withdrawn consent closes it at once."""
    if user.team_id != case_team_id or consent_withdrawn:
        return False
    if user.role is Role.COORDINATOR:
        return True
    return user.role is Role.CASEWORKER and user.part in consent_parts


def can_work_cases(user: User, case_team_id: str) -> bool:
    """Register referrals, enrol, change consent."""
    return user.team_id == case_team_id and user.role in CASE_WORKERS


def can_review_audit(user: User) -> bool:
    return user.role in (Role.TEAM_LEADER, Role.ADMINISTRATOR)


def can_administer(user: User) -> bool:
    """Manage the team's users and insatser."""
    return user.role is Role.ADMINISTRATOR


def can_see_caseload(user: User) -> bool:
    """The team's caseload per person, and drill-down to case codes."""
    return user.role in (Role.TEAM_LEADER, Role.ADMINISTRATOR, Role.COORDINATOR)


def can_see_statistics(user: User) -> bool:
    """Aggregates only, with small cells hidden."""
    return user.role in (Role.TEAM_LEADER, Role.ADMINISTRATOR, Role.ANALYST, Role.COORDINATOR)


def can_export_sus(user: User) -> bool:
    """The per-case SUS registration export (personnummer only where consent allows)."""
    return user.role in (Role.TEAM_LEADER, Role.ADMINISTRATOR, Role.COORDINATOR)
