"""A read model rebuilt beside the live one while referrals keep coming: the forms are not
held for the length of the rebuild, and the result equals a rebuild with everything stopped."""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path

from coordination import demo
from coordination.cases import domain as case
from coordination.cases.tables import cases
from coordination.shared.vocabulary import Part
from tests.integration.participant_journey import read_models, services_on

TODAY = date(2026, 11, 17)


def test_forms_go_on_during_a_rebuild_and_the_result_is_whole(
    database_url: str, tmp_path: Path
) -> None:
    services = services_on(database_url, tmp_path)
    demo.seed(services.engine, services.cases, TODAY, years=1)
    [team] = [t for t in services.accounts.teams() if t.name == "Samordningsteamet (demo)"]
    [coordinator] = [
        u for u in services.accounts.team_users(team.id) if u.email == "samordnare@demo.samordna"
    ]
    store = services.cases.store
    [projection] = [p for p in store.inline_projections if cases in p.tables]
    stop = threading.Event()
    appended: list[float] = []  # when each append was done

    def referrals() -> None:
        while not stop.is_set():
            services.cases.register_referral(
                coordinator,
                lambda code: case.RegisterReferral(
                    code, team.id, Part.FK, "Remittenten", "Behöver samordnat stöd", TODAY
                ),
            )
            appended.append(time.monotonic())

    writer = threading.Thread(target=referrals)
    writer.start()
    try:
        while not appended:
            time.sleep(0.01)
        began = time.monotonic()
        built_from = store.rebuild(projection)
        ended = time.monotonic()
    finally:
        stop.set()
        writer.join()

    # Rebuilt in place, every append would wait for the whole rebuild: at most the one
    # waiting would finish inside it.
    during = [moment for moment in appended if began < moment < ended]
    assert len(during) >= 3, (len(during), ended - began)
    assert built_from >= store.head() - len(appended)

    beside = read_models(services.engine, (projection,))
    store.rebuild_in_place(projection)  # everything stopped: the reference
    assert read_models(services.engine, (projection,)) == beside
    services.engine.dispose()
