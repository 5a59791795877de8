"""The one access gate of the case context.

Every query and every command that touches a case asks the decisions below, in the case
service; handlers never decide access themselves. What a reader may see of a case is a
`CaseFile`, which only the service makes (after writing the Läslogg entry when the file
opens the participant's personal data).

The decisions, in the words of the privacy rules:
- A case is visible (its code, stage, dates and SUS categories) to its own team's staff,
  the förbund's analytiker and tjänsteperson excepted. Anyone else is told the case does not exist.
- Personal data is open to the team's samordnare and to handläggare whose part the consent
  covers (before enrolment: the part that sent the referral); withdrawn consent closes it for
  everyone at once, and erased data is gone.
- A command needs the same as reading personal data, because every form of the journey shows
  it or carries it. A handläggare outside the consent sees the case code and stage only and
  runs no command. With withdrawn consent the samordnare may still renew the consent, close
  the case or reopen it with new consent; nothing else. Erased cases take no command.
- Erasure is asked for, and retention held, by the team's administratör; a teamledare or
  another administratör confirms it (two people for an irreversible step).
- Every person and insats a command names must belong to the case's team.
- A registerutdrag (everything held about a participant who asks) is compiled by the team's
  administratör, and its reads are in the Läslogg too.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass

from coordination.cases import domain as case
from coordination.shared import access
from coordination.shared.access import User
from coordination.shared.vocabulary import Part, Role

NOT_COVERED = "Du ser inte deltagarens uppgifter: din part omfattas inte av samtycket."
WITHDRAWN = (
    "Samtycket är återkallat: bara teamets samordnare kan förnya samtycket eller avsluta ärendet."
)
ERASED = "Deltagarens personuppgifter är raderade: ärendet kan inte ändras längre."
ROLE = "Din roll får inte ändra ärenden."
ELSEWHERE = "Välj någon i teamet."
NOT_COORDINATOR = "Välj en av teamets samordnare."
FOREIGN_INSATS = "Välj en av teamets insatser."

ERASURE_ROLE = "Bara teamets administratörer begär radering och undantar ärenden från gallring."
CONFIRMER_ROLE = "Radering bekräftas av en teamledare eller en annan administratör."
ERASURE_COMMANDS = (
    case.RequestErasure,
    case.CancelErasure,
    case.ConfirmErasure,
    case.EraseAfterRetention,
    case.HoldRetention,
    case.ReleaseRetention,
)

# What the samordnare may still do once consent is withdrawn.
AFTER_WITHDRAWAL = (case.RenewConsent, case.CloseCase, case.ReopenCase)


class CaseNotFound(Exception):
    """The case does not exist for this reader (another team's, say)."""

    detail = "Ärendet finns inte."
    status_code = 404


class CaseRefused(Exception):
    """The reader sees the case but may not do or see what they asked for."""

    status_code = 403

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class Facts:
    """What the gate needs to know of a case."""

    team_id: str
    consent_parts: Collection[Part]
    consent_withdrawn: bool
    erased: bool


def visible(user: User, facts: Facts) -> bool:
    return user.team_id == facts.team_id and access.can_see_case_list(user)


def opens_personal_data(user: User, facts: Facts) -> bool:
    return not facts.erased and access.can_see_personal_data(
        user, facts.team_id, facts.consent_parts, facts.consent_withdrawn
    )


def opens_for_subject_access(user: User, facts: Facts) -> bool:
    """A registerutdrag: the team's administratör compiles everything held about a
    participant who asked for it (the read is logged like any other)."""
    return user.team_id == facts.team_id and user.role is Role.ADMINISTRATOR and not facts.erased


def personal_refusal(user: User, facts: Facts) -> str:
    """Why the user does not see the participant's personal data."""
    if facts.erased:
        return ERASED
    if user.role not in access.CASE_WORKERS:
        return "Din roll ser inte deltagarens personuppgifter, bara ärendekoden och läget."
    if facts.consent_withdrawn:
        return "Samtycket är återkallat: deltagarens uppgifter visas inte."
    return NOT_COVERED


def works_case(user: User, facts: Facts) -> bool:
    """Whether the journey's forms are offered to the user (some, with withdrawn consent)."""
    if not access.can_work_cases(user, facts.team_id) or facts.erased:
        return False
    if facts.consent_withdrawn:
        return user.role is Role.COORDINATOR
    return opens_personal_data(user, facts)


def may_act(user: User, facts: Facts) -> bool:
    """Whether the user may run any command at all on the case (asked before a form is
    read): working it, or erasure and retention by their roles."""
    stewards = (Role.ADMINISTRATOR, Role.TEAM_LEADER)
    on_team = user.team_id == facts.team_id and not facts.erased
    return works_case(user, facts) or (on_team and user.role in stewards)


def act_refusal(user: User, facts: Facts) -> str:
    """Why the user may run no command on the case."""
    if facts.erased:
        return ERASED
    return command_refusal(user, facts, type(None)) or ROLE


def command_refusal(user: User, facts: Facts, command: object) -> str | None:
    """Why the user may not run the command (or a command of this class: a form about to
    be drawn) on the case; None when they may."""
    kind = command if isinstance(command, type) else type(command)
    if issubclass(kind, ERASURE_COMMANDS):
        return _erasure_refusal(user, facts, kind)
    if not access.can_work_cases(user, facts.team_id):
        return ROLE
    if facts.erased:
        return ERASED
    if facts.consent_withdrawn:
        allowed = user.role is Role.COORDINATOR and issubclass(kind, AFTER_WITHDRAWAL)
        return None if allowed else WITHDRAWN
    return None if opens_personal_data(user, facts) else NOT_COVERED


def _erasure_refusal(user: User, facts: Facts, kind: type) -> str | None:
    """Erasure is asked for (and retention held) by an administrator, and confirmed by a
    teamledare or another administrator; the retention rule's own erasure by no one."""
    if user.team_id != facts.team_id or issubclass(kind, case.EraseAfterRetention):
        return ERASURE_ROLE
    if facts.erased:
        return ERASED
    confirmers = (Role.ADMINISTRATOR, Role.TEAM_LEADER)
    if issubclass(kind, case.ConfirmErasure):
        return None if user.role in confirmers else CONFIRMER_ROLE
    return None if user.role is Role.ADMINISTRATOR else ERASURE_ROLE


def _people(command: object) -> Iterator[tuple[str, str]]:
    """(form field, user id) of every person the command names."""
    if isinstance(command, case.AgreePlan):
        yield from (("agreed_by", uid) for uid in command.plan.agreed_by)
        yield from (("", a.responsible_id) for a in command.plan.activities)
    elif isinstance(command, case.ScheduleMeeting):
        yield from (("invitee_ids", uid) for uid in command.meeting.invitee_ids)
    elif isinstance(command, case.RecordMeeting):
        yield from (("new.0.responsible_id", a.responsible_id) for a in command.new_activities)
        if command.next_meeting is not None:
            yield from (("invitee_ids", uid) for uid in command.next_meeting.invitee_ids)
    elif isinstance(command, case.HandOver):
        yield "to_id", command.to_id


def foreign_ids(
    command: object, staff: Collection[User], insats_ids: Collection[str]
) -> dict[str, str]:
    """A message per form field naming someone or something outside the case's team."""
    working = {u.id for u in staff if u.role in access.CASE_WORKERS}
    errors = {field: ELSEWHERE for field, uid in _people(command) if uid not in working}
    if isinstance(command, case.Enrol):
        coordinators = {u.id for u in staff if u.role is Role.COORDINATOR}
        if command.coordinator_id not in coordinators:
            errors["coordinator_id"] = NOT_COORDINATOR
        if command.insats_id not in insats_ids:
            errors["insats_id"] = FOREIGN_INSATS
    return errors
