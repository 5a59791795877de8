"""The guards every phase of the journey shares, and the rejection they raise."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from coordination.cases.domain.state import CaseState
from coordination.shared.vocabulary import Stage

ANONYMOUS_TEXT = "Ett anonymt ärende sparar bara kön och datum: skriv ingen text här."
CLOSED = "Ärendet är avslutat: bara uppföljning, efterstöd och återöppning kan registreras."


class Rejected(Exception):
    """A command that is not allowed, with a Swedish message per field ("" for the form)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = dict(errors)


def raise_if(errors: Mapping[str, str]) -> None:
    if errors:
        raise Rejected(errors)


def require(condition: bool, field_name: str, message: str) -> None:
    if not condition:
        raise Rejected({field_name: message})


def given(value: date | None) -> date:
    assert value is not None
    return value


def require_enrolled(state: CaseState) -> None:
    if state.stage in (None, Stage.REFERRAL, Stage.DECLINED):
        raise Rejected({"": "Deltagaren är inte inskriven."})


def require_open_case(state: CaseState) -> None:
    require_enrolled(state)
    if state.stage is Stage.CLOSED:
        raise Rejected({"": CLOSED})


def refuse_anonymous(state: CaseState) -> None:
    if state.anonymous:
        raise Rejected({"": "Ett anonymt ärende sparar bara kön och datum: det förs inte här."})


def day_errors(day: date, state: CaseState, today: date, name: str) -> dict[str, str]:
    """A day on which something happened: not before the start, not in the future."""
    if day > today:
        return {name: "Datumet kan inte ligga i framtiden."}
    if state.start_date and day < state.start_date:
        return {name: f"Datumet kan inte vara före inskrivningen ({state.start_date})."}
    return {}
