"""Erasure takes two people and cannot be undone; retention erases unless the case is held."""

from __future__ import annotations

from datetime import date

import pytest

from coordination.cases.domain import (
    AcceptReferral,
    CancelErasure,
    ConfirmErasure,
    EraseAfterRetention,
    ErasureCancelled,
    ErasureRequested,
    Event,
    HoldRetention,
    PersonalDataErased,
    RecordStep,
    Rejected,
    ReleaseRetention,
    RequestErasure,
    RetentionHeld,
    RetentionReleased,
    decide,
    fold,
)
from coordination.shared.vocabulary import ErasureReason
from tests.unit.test_case_decider import ENROL, REFERRAL, TODAY

REQUEST = RequestErasure(ErasureReason.REQUEST, "admin-1", TODAY)


def history(*more: Event) -> list[Event]:
    """An enrolled participant's events, then `more`."""
    events: list[Event] = []
    for command in (REFERRAL, AcceptReferral(date(2026, 11, 10)), ENROL):
        events.extend(decide(command, fold(events), TODAY))
    return [*events, *more]


def rejection(command: object, events: list[Event]) -> str:
    with pytest.raises(Rejected) as refused:
        decide(command, fold(events), TODAY)  # type: ignore[arg-type]
    return " ".join(refused.value.errors.values())


def test_an_erasure_is_asked_for_and_then_confirmed_by_someone_else() -> None:
    asked = decide(REQUEST, fold(history()), TODAY)
    assert asked == [ErasureRequested(ErasureReason.REQUEST, "admin-1", TODAY)]
    confirmed = decide(ConfirmErasure("leader-2", TODAY), fold(history(*asked)), TODAY)
    assert confirmed == [PersonalDataErased(ErasureReason.REQUEST, "admin-1", "leader-2", TODAY)]


def test_the_one_who_asked_cannot_confirm() -> None:
    asked = ErasureRequested(ErasureReason.REQUEST, "admin-1", TODAY)
    message = rejection(ConfirmErasure("admin-1", TODAY), history(asked))
    assert "annan person" in message


def test_nothing_to_confirm_or_cancel_without_a_request() -> None:
    assert "ingen begäran" in rejection(ConfirmErasure("leader-2", TODAY), history())
    assert "ingen begäran" in rejection(CancelErasure(TODAY), history())


def test_a_second_request_waits_for_the_first() -> None:
    asked = ErasureRequested(ErasureReason.REQUEST, "admin-1", TODAY)
    assert "väntar redan" in rejection(REQUEST, history(asked))


def test_a_cancelled_request_can_no_longer_be_confirmed() -> None:
    asked = ErasureRequested(ErasureReason.REQUEST, "admin-1", TODAY)
    events = history(asked, ErasureCancelled(TODAY))
    assert "ingen begäran" in rejection(ConfirmErasure("leader-2", TODAY), events)
    assert decide(REQUEST, fold(events), TODAY)  # and may be asked for again


def test_an_erased_case_takes_no_command_at_all() -> None:
    erased = PersonalDataErased(ErasureReason.REQUEST, "admin-1", "leader-2", TODAY)
    for command in (
        REQUEST,
        HoldRetention("Begäran om utlämnande", TODAY),
        RecordStep(TODAY, 2, "Praktik"),
        EraseAfterRetention(TODAY),
    ):
        assert "raderade" in rejection(command, history(erased))


def test_retention_erases_unless_the_case_is_held() -> None:
    assert decide(EraseAfterRetention(TODAY), fold(history()), TODAY) == [
        PersonalDataErased(ErasureReason.RETENTION, "", "", TODAY)
    ]
    held = RetentionHeld("Pågående begäran om utlämnande", TODAY)
    assert "undantaget" in rejection(EraseAfterRetention(TODAY), history(held))
    released = history(held, RetentionReleased(TODAY))
    assert decide(EraseAfterRetention(TODAY), fold(released), TODAY)


def test_a_hold_needs_a_short_reason() -> None:
    assert "Skriv varför" in rejection(HoldRetention("  ", TODAY), history())
    assert "högst 300" in rejection(HoldRetention("x" * 301, TODAY), history())
    assert "inte undantaget" in rejection(ReleaseRetention(TODAY), history())
