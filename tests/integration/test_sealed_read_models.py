"""The case read models hold no personal data in plaintext: what a participant told the team
is sealed under their key, opens for the pages, and reads as erased once the key is gone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import events
from coordination.cases.contract import participant_subject
from coordination.cases.projection.rows import clear_blind_index
from coordination.cases.queries import CaseQueries
from coordination.cases.service import Cases
from coordination.cases.tables import case_people, sealed_names
from coordination.shared.vocabulary import AgeGroup, Gender, Stage, SupportSource
from events.schema import subject_keys_table as subject_keys
from tests.integration.participant_journey import (
    MARKERS,
    OTHER_PERSONNUMMER,
    PERSONNUMMER,
    PERSONNUMMER_FORMS,
    START,
    Journey,
    journey_on,
    stored_text,
)

# The forms a marker could be stored in: the ASCII core alone catches escaped forms too.
NEEDLES = [
    *(m.encode() for m in MARKERS.values()),
    *(m.encode("utf-16-le") for m in MARKERS.values()),
    *(m.split()[0].encode() for m in MARKERS.values()),
    *(form.encode() for form in PERSONNUMMER_FORMS),
]


@pytest.fixture
def journey(database_url: str, tmp_path: Path) -> Iterator[Journey]:
    journey = journey_on(database_url, tmp_path)
    yield journey
    journey.services.engine.dispose()


def found_in(stored: bytes) -> list[bytes]:
    return [needle for needle in NEEDLES if needle in stored]


def test_the_database_holds_no_personal_text_in_plaintext(journey: Journey) -> None:
    case_id = journey.whole()
    code = journey.cases.case(case_id).case_code  # type: ignore[union-attr]
    engine = journey.services.engine
    if engine.dialect.name == "sqlite":
        # the file and its write-ahead log as they are now: no checkpoint has emptied the log
        path = Path(str(engine.url.database))
        wal = path.with_name(path.name + "-wal")
        assert wal.exists() and wal.stat().st_size > 0
        stored = path.read_bytes() + wal.read_bytes()
        assert code.encode() in wal.read_bytes()  # the log holds the journey's pages
    else:
        stored = stored_text(engine).encode()
        assert code.encode() in stored
    assert found_in(stored) == []
    # and the pages read every text back
    personal = journey.cases.people(journey.cases.open(journey.user, case_id, "test")) or {}
    assert personal["name"] == MARKERS["name"]
    assert personal["personnummer"] == PERSONNUMMER
    assert queries_of(journey.cases).meetings(case_id)[0].place == MARKERS["moved_place"]


def read_models(journey: Journey, case_id: str) -> dict[str, Any]:
    """What every query of the case's read models returns."""
    queries = queries_of(journey.cases)
    return {
        "personal": (journey.cases.people(journey.cases.open(journey.user, case_id, "test")) or {}),
        "personnummer": journey.cases.personnummer_of(journey.user, [case_id], "test"),
        "assessments": queries.assessments(case_id),
        "plans": queries.plan_versions(case_id),
        "activities": queries.activities(case_id),
        "meetings": queries.meetings(case_id),
        "meeting": [queries.meeting(m.meeting_id) for m in queries.meetings(case_id)],
        "team_meetings": queries.team_meetings(
            journey.team_id, *(m.starts_at for m in queries.meetings(case_id)[::-1])
        ),
        "steps": queries.steps(case_id),
        "follow_ups": queries.follow_ups(case_id),
        "after_support": queries.after_support(case_id),
    }


# Every personal column of the participant's row but the reason a referral was declined.
PEOPLE_WRITTEN = sorted(sealed_names(case_people) - {"decline_reason"})


def test_forgetting_the_participant_erases_every_read_model_copy(journey: Journey) -> None:
    case_id = journey.whole()
    journey.cases.store.forget(participant_subject(case_id))

    found = read_models(journey, case_id)
    assert not any(marker in repr(found) for marker in MARKERS.values())
    assert {name: found["personal"][name] for name in PEOPLE_WRITTEN} == dict.fromkeys(
        PEOPLE_WRITTEN, events.ERASED
    )
    assert found["personal"]["decline_reason"] is None  # never written
    assert found["personnummer"] == {}
    texts = [
        *(a[name] for a in found["assessments"] for name in MARKERS if name in a),
        *(p.reason for p in found["plans"]),
        *(t for a in found["activities"] for t in (a.what, a.drop_reason)),
        *(
            text
            for m in found["meetings"] + found["meeting"] + found["team_meetings"]
            for text in (m.place, m.others_invited, m.agenda, m.note, m.decisions)
        ),
        *(s["text"] for s in found["steps"]),
        *(f["obstacles"] for f in found["follow_ups"]),
        *(e["note"] for e in found["after_support"]),
    ]
    # 7 assessment texts, a plan's reason, an activity's 2, 5 of each of 5 meetings read,
    # a step's and a self-assessment's, a follow-up's, an after-support start's and contact's
    assert len(texts) == 7 + 1 + 2 + 5 * 5 + 2 + 1 + 2
    assert set(texts) == {events.ERASED}
    assert [p.plan for p in found["plans"]] == [None]
    # what is not identifying stays, for the statistics
    row = journey.cases.case(case_id)
    assert row is not None
    assert (row.stage, row.gender, row.age_group) == (
        Stage.CLOSED,
        Gender.WOMAN,
        AgeGroup.AGE_45_59,
    )
    assert row.support_sources == [SupportSource.SOCIAL_ASSISTANCE, SupportSource.SICKNESS_BENEFIT]
    assert (row.start_date, row.closed_on, row.level) == (START, START + timedelta(100), 3)
    assert [f["recorded_on"] for f in found["follow_ups"]] == [START + timedelta(200)]
    assert [m.status for m in found["meetings"]] == ["cancelled", "held"]
    assert [s["level"] for s in found["steps"]] == [3, 3]


def test_a_rebuild_after_forgetting_gives_the_participant_no_new_key(journey: Journey) -> None:
    case_id = journey.whole()
    store = journey.cases.store
    store.forget(participant_subject(case_id))
    for projection in store.inline_projections:
        store.rebuild(projection)

    personal = journey.cases.people(journey.cases.open(journey.user, case_id, "test")) or {}
    assert {name: personal[name] for name in PEOPLE_WRITTEN} == dict.fromkeys(
        PEOPLE_WRITTEN, events.ERASED
    )
    assert [s["text"] for s in queries_of(journey.cases).steps(case_id)] == [events.ERASED] * 2
    with store.engine.connect() as conn:
        wrapped = conn.execute(
            sa.select(subject_keys.c.wrapped_key).where(
                subject_keys.c.subject == participant_subject(case_id)
            )
        ).scalar_one()
    assert wrapped is None
    assert queries_of(journey.cases).cases_with_personnummer(PERSONNUMMER) == []


def test_the_blind_index_finds_a_persons_cases_by_personnummer(journey: Journey) -> None:
    first = journey.enrolled()
    second = journey.enrolled(name="Samma person, ny remiss")
    other = journey.enrolled(OTHER_PERSONNUMMER, "Någon annan")
    queries = queries_of(journey.cases)

    for written in PERSONNUMMER_FORMS:
        assert queries.cases_with_personnummer(written) == sorted([first, second])
    assert queries.cases_with_personnummer(OTHER_PERSONNUMMER) == [other]
    assert queries.cases_with_personnummer("19770723-3819") == []  # no valid personnummer
    assert queries.cases_with_personnummer("") == []

    journey.cases.store.forget(participant_subject(first))
    assert queries.cases_with_personnummer(PERSONNUMMER) == [second]
    with journey.cases.store.transaction() as conn:
        clear_blind_index(conn, second)
    assert queries.cases_with_personnummer(PERSONNUMMER) == []
    with journey.services.engine.connect() as conn:
        indexes = dict(
            conn.execute(sa.select(case_people.c.case_id, case_people.c.personnummer_index)).all()
        )
    assert indexes[second] is None and indexes[first] is not None and indexes[other] is not None


def queries_of(cases: Cases) -> CaseQueries:
    """The read models as they are, past the access gate: what the store holds."""
    return CaseQueries(cases.store.engine, cases.store.keyring)
