"""The demo's years of cases, seeded through the bulk path, and the read models the bulk path
leaves: the same as the events applied one at a time."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

import events
from coordination import demo
from coordination.app import Services
from coordination.cases import domain as case
from coordination.cases.service import CaseHistory
from coordination.cases.tables import case_after_support, case_follow_ups, cases
from coordination.reminders.tables import due_reminders
from coordination.shared.vocabulary import Stage
from tests.integration.participant_journey import read_models, services_on

TODAY = date(2026, 11, 17)


@pytest.fixture
def seeded(database_url: str, tmp_path: Path) -> Services:
    services = services_on(database_url, tmp_path)
    demo.seed(services.engine, services.cases, TODAY, years=1)
    return services


def test_a_year_of_the_demo_seeded_in_bulk_as_if_one_event_at_a_time(seeded: Services) -> None:
    """Every stage, follow-ups and after-support; and read models equal to those the same
    events give applied one at a time (a rebuild in batches of one)."""
    with seeded.engine.connect() as conn:
        stages: dict[str, int] = {
            stage: n
            for stage, n in conn.execute(
                sa.select(cases.c.stage, sa.func.count()).group_by(cases.c.stage)
            )
        }
        months = set(conn.execute(sa.select(case_follow_ups.c.months).distinct()).scalars())
        after_support = conn.execute(
            sa.select(sa.func.count()).select_from(case_after_support)
        ).scalar_one()
        due = conn.execute(sa.select(sa.func.count()).select_from(due_reminders)).scalar_one()
    assert set(stages) == {s.value for s in Stage}, stages
    assert sum(stages.values()) == 12 * demo.journeys.REFERRALS_PER_MONTH
    # a year back: the first closers are followed up, none closed twelve months ago yet
    assert 3 in months and 12 not in months
    assert after_support > 0 and due > 0

    store = seeded.cases.store
    projections = store.inline_projections
    bulk = read_models(seeded.engine, projections)
    one_at_a_time = events.EventStore(
        seeded.engine, store.types, store.keyring, projections, batch_size=1
    )
    for projection in projections:
        one_at_a_time.rebuild(projection)
    assert read_models(seeded.engine, projections) == bulk


def test_a_refused_command_names_its_case_and_appends_nothing(
    database_url: str, tmp_path: Path
) -> None:
    services = services_on(database_url, tmp_path)
    team = demo.large.create_team(services.engine, TODAY, coordinators=1)
    histories = list(demo.large.histories(team, TODAY, 3))
    on, actor, referral = histories[2].steps[0]
    late = histories[2].steps[1]
    # the third case accepted before it was referred
    broken = CaseHistory(histories[2].case_id, [late, (on, actor, referral)])
    with pytest.raises(case.Rejected) as refused:
        services.cases.import_histories([*histories[:2], broken])
    assert histories[2].case_id in "".join(getattr(refused.value, "__notes__", []))
    assert services.cases.last_change() == 0  # one transaction for all three: nothing stored
