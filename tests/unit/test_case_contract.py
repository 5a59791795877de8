"""Every event of a case's streams is registered with the store, and every case event is
projected into the case's read models."""

from __future__ import annotations

from typing import get_args

from coordination.cases import contract as case_events
from coordination.cases import domain as case
from coordination.cases.projection import HANDLERS
from coordination.reminders.events import ReminderEvent


def test_every_event_of_a_case_stream_is_registered_by_its_class_name() -> None:
    classes = get_args(case.Event) + get_args(ReminderEvent)
    assert {cls.__name__: cls for cls in classes} == case_events.EVENT_CLASSES


def test_every_case_event_has_a_handler_in_the_case_projection() -> None:
    assert set(HANDLERS) == set(get_args(case.Event))
