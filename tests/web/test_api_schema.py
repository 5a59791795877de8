"""Schemathesis over the API's own OpenAPI schema, against the app in-process on SQLite and
PostgreSQL: a samordnare's write token and a seeded case; generated requests must get no
server error and no answer the schema does not describe (status, content type, body)."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from litestar import Litestar
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from coordination.cases import contract as case_events
from tests.web.api_support import ongoing_case, token_for

# Per operation and mode (valid and invalid input): enough to reach every field's checks,
# few enough that the whole run stays well under a minute.
EXAMPLES = 12
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_no_server_error_and_every_answer_as_documented(app: Litestar) -> None:
    seeded = {**ongoing_case(app), **token_for(app, "samordnare@test")}
    auth = {"Authorization": seeded["Authorization"]}
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app, headers=auth)
    store = app.state.services.cases.store
    failures: list[str] = []

    def call(case: schemathesis.Case[Any]) -> None:
        # Most generated ids find nothing (404): ask about the seeded case and its meeting
        # and activity, at its current version, so that the commands' own checks are reached.
        for name in ("case_id", "case_ref", "meeting_id", "activity_id"):
            if case.path_parameters and name in case.path_parameters:
                case.path_parameters[name] = seeded[name]
        if isinstance(case.body, dict) and "expected_version" in case.body:
            stream = case_events.case_stream(seeded["case_id"])
            case.body["expected_version"] = store.stream_version(stream)
        case.call_and_validate(headers=auth, checks=CHECKS)

    operations: list[Any] = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) > 20, "the schema documents the API's operations"
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run = settings(
                max_examples=EXAMPLES,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
                derandomize=True,
            )(given(operation.as_strategy(generation_mode=mode))(call))  # type: ignore[no-untyped-call]
            try:
                run()
            except Exception as failure:  # every operation is tried; all failures reported
                failures.append(f"{operation.label} ({mode.value}): {failure}")
    assert not failures, "\n\n".join(failures)
