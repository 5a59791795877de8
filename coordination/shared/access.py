"""Who may see and do what: the one set of access rules.

Pure functions of the signed-in user. Services and handlers ask them; the role guards of the
web controllers and the navigation in the page header are both drawn from `PAGES` below, so
the menu never offers a page its guard refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from coordination.shared.vocabulary import Part, Role


@dataclass(frozen=True)
class User:
    """The signed-in person: their team, their part and their role."""

    id: str
    team_id: str
    name: str
    email: str
    part: Part
    role: Role


Rule = Callable[[User], bool]

CASE_WORKERS = frozenset({Role.CASEWORKER, Role.COORDINATOR})
# The förbund's analytiker and tjänsteperson: every team's aggregates, never a case.
FORBUND_READERS = frozenset({Role.ANALYST, Role.FORBUND})


def can_see_case_list(user: User) -> bool:
    """Case codes, stages and dates (no personal data) for the user's own team."""
    return user.role not in FORBUND_READERS


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


def can_register_referrals(user: User) -> bool:
    return can_work_cases(user, user.team_id)


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
    return user.role in (Role.TEAM_LEADER, Role.ADMINISTRATOR, Role.COORDINATOR) or (
        user.role in FORBUND_READERS
    )


def sees_the_forbund(user: User) -> bool:
    """Statistics of every team of the förbund (the installation), not only one's own: the
    analytiker and the förbund's tjänsteperson."""
    return user.role in FORBUND_READERS


def can_export_sus(user: User) -> bool:
    """The per-case SUS registration export (personnummer only where consent allows)."""
    return user.role in (Role.TEAM_LEADER, Role.ADMINISTRATOR, Role.COORDINATOR)


def can_record_sessions(user: User) -> bool:
    """Record the sessions of the team's volym- and strukturinsatser (counts only)."""
    return user.role in (Role.COORDINATOR, Role.TEAM_LEADER, Role.ADMINISTRATOR)


def anyone(_: User) -> bool:
    return True


@dataclass(frozen=True)
class Entry:
    """A page of the main menu and the rule that opens it."""

    path: str
    label: str
    rule: Rule


PAGES = (
    Entry("/", "Teamets ärenden", can_see_case_list),
    Entry("/paminnelser", "Mina påminnelser", can_see_case_list),
    Entry("/remisser/ny", "Ny remiss", can_register_referrals),
    Entry("/arbetsbelastning", "Arbetsbelastning", can_see_caseload),
    Entry("/tillfallen", "Tillfällen", can_record_sessions),
    Entry("/statistik", "Statistik", can_see_statistics),
    Entry("/granskning", "Läslogg", can_review_audit),
    Entry("/admin/anvandare", "Användare", can_administer),
    Entry("/admin/insatser", "Insatser", can_administer),
    Entry("/admin/import", "Importera ärenden", can_administer),
    Entry("/admin/utkorg", "Utkorg", can_administer),
    Entry("/admin/gallring", "Gallring", can_administer),
    Entry("/admin/registerutdrag", "Registerutdrag", can_administer),
    Entry("/admin/inloggning", "Inloggning", can_administer),
    Entry("/installningar", "Inställningar", anyone),
    Entry("/losenord", "Byt lösenord", anyone),
)


def navigation(user: User) -> list[Entry]:
    """The main menu of this user: every page whose rule lets them in."""
    return [entry for entry in PAGES if entry.rule(user)]
