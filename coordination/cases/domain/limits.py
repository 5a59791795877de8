"""The input bounds (`coordination.shared.bounds`) as a rule of the domain: whoever sends a
command (a form, the command line, an integration), no date in it lies outside the bounds and
no text in it is too long or holds control characters. The forms check the same bounds field
by field with their messages beside the fields; this is the backstop."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from coordination.cases.domain.commands import HoldRetention, RegisterReferral
from coordination.cases.domain.rules import Rejected
from coordination.shared import bounds

# The fields held by narrower columns than free text: one line of at most this many characters.
ONE_LINE: Mapping[tuple[type, str], int] = {
    (RegisterReferral, "from_caseworker"): bounds.NAME_LENGTH,
    (HoldRetention, "reason"): bounds.LINE_LENGTH,
}


_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(kind: type) -> tuple[str, ...] | None:
    """The fields of a dataclass, None for any other type: looked up once per type."""
    if kind not in _FIELD_NAMES:
        fields = dataclasses.fields(kind) if dataclasses.is_dataclass(kind) else None
        _FIELD_NAMES[kind] = None if fields is None else tuple(f.name for f in fields)
    return _FIELD_NAMES[kind]


def _values(value: Any, name: str) -> Iterator[tuple[str, Any]]:
    """Every value inside a command with the name of the field it came in, nested commands,
    plans, activities and collections opened."""
    names = _field_names(type(value))
    if names is not None:
        for field_name in names:
            yield from _values(getattr(value, field_name), field_name)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _values(key, name)
            yield from _values(item, name)
    elif isinstance(value, tuple | list | frozenset | set):
        for item in value:
            yield from _values(item, name)
    else:
        yield name, value


def refuse_out_of_bounds(command: object) -> None:
    """Raises Rejected, with a message for the whole form, when the command breaks a bound."""
    for name, value in _values(command, ""):
        if isinstance(value, date) and not bounds.date_in_bounds(value):
            raise Rejected({"": bounds.DATE_MESSAGE})
        if isinstance(value, str):
            limit = ONE_LINE.get((type(command), name))
            problem = bounds.text_problem(value, limit or bounds.TEXT_LENGTH, lines=limit is None)
            if problem is not None:
                raise Rejected({"": problem})
