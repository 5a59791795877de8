"""The bounds of what may be entered, declared once: the forms check them, the domain refuses
what breaks them whoever sends it, and the tables size their columns from them."""

from __future__ import annotations

import re
from datetime import date, datetime

# A name (of a user, an insats, a referring caseworker) or an email address: one line,
# the width of the `String(200)` columns that hold them.
NAME_LENGTH = 200
# A short reason or a place: one line, the width of `cases.retention_hold`.
LINE_LENGTH = 300
# Free text (an assessment, a plan's goals, a note): lines, at most this many characters.
TEXT_LENGTH = 10_000
# A password: long passphrases are welcome, a megabyte to hash is not.
PASSWORD_LENGTH = 1_000

# Dates the team works with; anything outside is a typing mistake, and dates near the ends of
# the calendar would overflow when a review or an end is counted from them.
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
DATE_MESSAGE = f"Ange ett datum mellan {EARLIEST.isoformat()} och {LATEST.isoformat()}."


# Unicode's control characters (category Cc), lone surrogates (Cs) and the invisible marks
# that reorder or hide text (bidi overrides and isolates: a name shown reversed); free text
# may hold line breaks and tabs, one-line text none of them, nor zero-width characters, a
# byte-order mark or Unicode's own line and paragraph separators.
_REORDERING = "\u202a-\u202e\u2066-\u2069"
_CONTROLS_IN_LINE = re.compile(
    f"[\\x00-\\x1f\\x7f-\\x9f\\ud800-\\udfff{_REORDERING}\\u200b-\\u200f\\u2028\\u2029\\ufeff]"
)
_CONTROLS_IN_TEXT = re.compile(
    f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\ud800-\\udfff{_REORDERING}]"
)


def date_in_bounds(value: date) -> bool:
    """A date, or the day of a date and time, within the bounds."""
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST <= day <= LATEST


def text_problem(value: str, limit: int, lines: bool = False) -> str | None:
    """What is wrong with a text, in Swedish, or None: too long, or with control characters
    (NUL among them, which PostgreSQL refuses); free text (`lines`) may hold line breaks
    and tabs."""
    if len(value) > limit:
        return f"Skriv högst {limit} tecken (nu {len(value)})."
    if (_CONTROLS_IN_TEXT if lines else _CONTROLS_IN_LINE).search(value):
        return (
            "Texten innehåller otillåtna tecken (styrtecken)."
            if lines
            else "Texten får inte innehålla radbrytningar eller styrtecken."
        )
    return None


# A network meeting lasts from one minute to ten hours.
MEETING_MINUTES = (1, 600)
