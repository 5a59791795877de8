"""Reading posted forms into commands, with a Swedish message per bad field."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TypeVar

from coordination.shared import bounds
from coordination.shared.vocabulary import Labelled

L = TypeVar("L", bound=Labelled)


class FormErrors(dict[str, str]):
    """The messages of a form by field. A reader of a bad field leaves its message and
    returns a harmless stand-in (`date.min` for a date out of bounds, or `today` when
    given), so that a builder may count on any value it got and never overflows before the
    messages are shown. With `today` as the stand-in, the domain can still be asked about
    the other fields (every problem is then reported at once)."""

    def __init__(self, today: datetime.date | None = None) -> None:
        super().__init__()
        self.stand_in = today or datetime.date.min

    def date(self, form: Mapping[str, str], name: str) -> datetime.date:
        value = form.get(name, "").strip()
        try:
            found = datetime.date.fromisoformat(value)
        except ValueError:
            self[name] = "Ange ett datum som ÅÅÅÅ-MM-DD."
            return self.stand_in
        if not bounds.date_in_bounds(found):
            self[name] = bounds.DATE_MESSAGE
            return self.stand_in
        return found

    def optional_date(self, form: Mapping[str, str], name: str) -> datetime.date | None:
        return self.date(form, name) if form.get(name, "").strip() else None

    def choice(self, form: Mapping[str, str], name: str, vocabulary: type[L]) -> L | None:
        found = vocabulary.parse(form.get(name, ""))
        if found is None:
            self[name] = "Välj ett av alternativen."
        return found

    def optional_choice(self, form: Mapping[str, str], name: str, vocabulary: type[L]) -> L | None:
        value = form.get(name, "")
        return self.choice(form, name, vocabulary) if value else None

    def choices(self, values: list[str], name: str, vocabulary: type[L]) -> tuple[L, ...]:
        parsed = [vocabulary.parse(v) for v in values]
        if any(p is None for p in parsed):
            self[name] = "Okänt alternativ."
        return tuple(p for p in parsed if p is not None)

    def datetime(self, form: Mapping[str, str], name: str) -> datetime.datetime:
        """A local date and time as a datetime-local field sends it (ÅÅÅÅ-MM-DDTTT:MM)."""
        value = form.get(name, "").strip()
        try:
            found = datetime.datetime.fromisoformat(value).replace(second=0, microsecond=0)
        except ValueError:
            found = None
        if found is None or found.tzinfo is not None:  # the team's local time, no zone
            self[name] = "Ange datum och tid, till exempel 2026-12-01 09:00."
            return datetime.datetime.combine(self.stand_in, datetime.time())
        if not bounds.date_in_bounds(found):
            self[name] = bounds.DATE_MESSAGE
            return datetime.datetime.combine(self.stand_in, datetime.time())
        return found

    def number(self, form: Mapping[str, str], name: str, low: int, high: int) -> int:
        """A whole number in [low, high]; -1 after a message when it is not."""
        try:
            value = int(form.get(name, "").strip())
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            self[name] = f"Ange ett heltal från {low} till {high}."
            return -1
        return value

    def text(self, form: Mapping[str, str], name: str, limit: int = bounds.LINE_LENGTH) -> str:
        """One line of text of at most `limit` characters, as typed (the domain trims it)."""
        return self._checked(form, name, limit, lines=False)

    def free_text(self, form: Mapping[str, str], name: str, limit: int = bounds.TEXT_LENGTH) -> str:
        """Text of several lines (a textarea) of at most `limit` characters."""
        return self._checked(form, name, limit, lines=True)

    def _checked(self, form: Mapping[str, str], name: str, limit: int, lines: bool) -> str:
        value = form.get(name, "")
        value = value if isinstance(value, str) else ""
        problem = bounds.text_problem(value, limit, lines)
        if problem is not None:
            self[name] = problem
        return value
