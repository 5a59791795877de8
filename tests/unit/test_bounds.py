"""What the forms and the API accept as text: the characters a person can see."""

from __future__ import annotations

import pytest

from coordination.shared.bounds import NAME_LENGTH, TEXT_LENGTH, text_problem


@pytest.mark.parametrize(
    "name",
    [
        "Anna \u202eannA",  # right-to-left override: shown reversed
        "Anna\u2066 Berg",  # an isolate
        "An\u200bna",  # zero-width space
        "Anna\u2028Berg",  # Unicode's line separator in a one-line field
        "\ufeffAnna",
        "Anna\nBerg",
        "Anna\x00",
    ],
)
def test_a_one_line_text_with_hidden_or_reordering_characters_is_refused(name: str) -> None:
    assert text_problem(name, NAME_LENGTH) == (
        "Texten får inte innehålla radbrytningar eller styrtecken."
    )


def test_free_text_keeps_its_lines_but_not_reordering_marks() -> None:
    assert text_problem("Mål:\n\tarbete – 50 %", TEXT_LENGTH, lines=True) is None
    assert text_problem("Åsa Öberg-Ärlig, född i Göteborg", NAME_LENGTH) is None
    assert text_problem("se \u202ebilaga", TEXT_LENGTH, lines=True) == (
        "Texten innehåller otillåtna tecken (styrtecken)."
    )
