"""The emails Samordna sends: Swedish, short, and without personal data (a case code and a
link, never a name or a personnummer)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from coordination.shared.vocabulary import ReminderKind

FOOTER = (
    "\n\nDu får det här mejlet från Samordna. Under Inställningar väljer du om "
    "påminnelser kommer ett och ett eller bara i veckosammanställningen."
)


@dataclass(frozen=True)
class DueItem:
    """A due reminder as an email names it."""

    case_id: str
    case_code: str
    kind: ReminderKind
    due_on: date
    detail: str


def link(base_url: str, item: DueItem) -> str:
    """Where the reminder is acted on: a follow-up opens its form, the rest the case page."""
    if item.kind is ReminderKind.FOLLOW_UP:
        return f"{base_url}/arenden/{item.case_id}/uppfoljning/{item.detail}"
    return f"{base_url}/arenden/{item.case_id}"


def what(item: DueItem) -> str:
    if item.kind is ReminderKind.FOLLOW_UP:
        return f"Uppföljning {item.detail} månader efter avslut"
    if item.kind is ReminderKind.MEETING_SOON:
        return f"Nätverksmöte {item.detail.replace('T', ' klockan ')}"
    return item.kind.label


def reminder(base_url: str, item: DueItem) -> tuple[str, str]:
    subject = f"Påminnelse: {what(item)} – ärende {item.case_code}"
    body = (
        f"Hej!\n\n{what(item)} i ärende {item.case_code} är aktuell från {item.due_on}.\n\n"
        f"Öppna ärendet: {link(base_url, item)}{FOOTER}"
    )
    return subject, body


def digest(base_url: str, items: Sequence[DueItem], today: date) -> tuple[str, str]:
    overdue = [i for i in items if i.due_on < today]
    lines = [
        f"- {'FÖRSENAD ' if i.due_on < today else ''}{i.due_on}: {what(i)}, ärende "
        f"{i.case_code}: {link(base_url, i)}"
        for i in items
    ]
    subject = f"Veckans påminnelser: {len(items)} att göra, {len(overdue)} försenade"
    body = (
        "Hej!\n\nDet här är dina påminnelser för veckan, de försenade först.\n\n"
        + "\n".join(lines)
        + f"\n\nAlla påminnelser: {base_url}/paminnelser{FOOTER}"
    )
    return subject, body


def summary(
    base_url: str, counts: Counter[tuple[str, ReminderKind]], overdue: Counter[str]
) -> tuple[str, str]:
    """The team leader's week: due reminders per person and kind, overdue per person."""
    people = sorted({person for person, _ in counts})
    lines = []
    for person in people:
        kinds = ", ".join(
            f"{kind.label.lower()} {count}"
            for (who, kind), count in sorted(counts.items(), key=lambda c: c[0][1].label)
            if who == person
        )
        lines.append(f"- {person}: {kinds} (försenade: {overdue[person]})")
    subject = (
        f"Teamets vecka: {sum(counts.values())} påminnelser, {sum(overdue.values())} försenade"
    )
    body = (
        "Hej!\n\nSå här ligger teamets påminnelser i dag, per person.\n\n"
        + ("\n".join(lines) or "Inga påminnelser är aktuella.")
        + f"\n\nTeamets ärenden: {base_url}/{FOOTER}"
    )
    return subject, body
