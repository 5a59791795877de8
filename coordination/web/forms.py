"""Reading posted forms into commands, with a Swedish message per bad field."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TypeVar

from coordination.domain.vocabulary import Labelled

L = TypeVar("L", bound=Labelled)


class FormErrors(dict[str, str]):
    def date(self, form: Mapping[str, str], name: str) -> datetime.date:
        value = form.get(name, "").strip()
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self[name] = "Ange ett datum som ÅÅÅÅ-MM-DD."
            return datetime.date.min

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
