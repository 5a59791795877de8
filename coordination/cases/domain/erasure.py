"""Erasure (radering) and retention (gallring) of the participant's personal data.

Erasure is irreversible, so it takes two people: one asks, with a reason, and another
confirms. The retention rule erases without anyone asking, unless the case is held.
"""

from __future__ import annotations

from datetime import date

from coordination.cases.domain.commands import (
    CancelErasure,
    ConfirmErasure,
    EraseAfterRetention,
    HoldRetention,
    ReleaseRetention,
    RequestErasure,
)
from coordination.cases.domain.events import (
    ErasureCancelled,
    ErasureRequested,
    Event,
    PersonalDataErased,
    RetentionHeld,
    RetentionReleased,
)
from coordination.cases.domain.rules import Rejected, require
from coordination.cases.domain.state import CaseState
from coordination.shared.vocabulary import ErasureReason

ERASED = "Deltagarens personuppgifter är raderade: ärendet kan inte ändras längre."
HOLD_REASON_LENGTH = 300


def refuse_erased(state: CaseState) -> None:
    if state.erased:
        raise Rejected({"": ERASED})


def request_erasure(command: RequestErasure, state: CaseState, today: date) -> list[Event]:
    require(state.exists, "", "Ärendet finns inte.")
    require(
        not state.erasure_requested_by,
        "",
        "En begäran om radering väntar redan på att någon annan bekräftar den.",
    )
    return [ErasureRequested(command.reason, command.requested_by, today)]


def cancel_erasure(command: CancelErasure, state: CaseState, today: date) -> list[Event]:
    require(bool(state.erasure_requested_by), "", "Det finns ingen begäran om radering.")
    return [ErasureCancelled(today)]


def confirm_erasure(command: ConfirmErasure, state: CaseState, today: date) -> list[Event]:
    requested_by = state.erasure_requested_by
    require(bool(requested_by), "", "Det finns ingen begäran om radering att bekräfta.")
    require(
        command.confirmed_by != requested_by,
        "",
        "Raderingen ska bekräftas av en annan person än den som begärde den.",
    )
    reason = state.erasure_reason or ErasureReason.REQUEST
    return [PersonalDataErased(reason, requested_by, command.confirmed_by, today)]


def erase_after_retention(
    command: EraseAfterRetention, state: CaseState, today: date
) -> list[Event]:
    require(not state.retention_held, "", "Ärendet är undantaget från gallring.")
    return [PersonalDataErased(ErasureReason.RETENTION, "", "", today)]


def hold_retention(command: HoldRetention, state: CaseState, today: date) -> list[Event]:
    reason = command.reason.strip()
    require(bool(reason), "hold_reason", "Skriv varför ärendet undantas från gallring.")
    require(
        len(reason) <= HOLD_REASON_LENGTH,
        "hold_reason",
        f"Skriv högst {HOLD_REASON_LENGTH} tecken.",
    )
    require(not state.retention_held, "", "Ärendet är redan undantaget från gallring.")
    return [RetentionHeld(reason, today)]


def release_retention(command: ReleaseRetention, state: CaseState, today: date) -> list[Event]:
    require(state.retention_held, "", "Ärendet är inte undantaget från gallring.")
    return [RetentionReleased(today)]
