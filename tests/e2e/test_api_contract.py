"""intake's API answers as its OpenAPI document says: schemathesis generates well over a thousand requests from
the document (valid and deliberately invalid bodies, parameters and headers), sends them to the real intake, and
checks every answer: never a 5xx, a documented status, content type and headers, and a body that conforms to the
documented schema."""

import contextlib
from collections import Counter
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode

from civicflow.local.layout import Layout

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION_AND_MODE = 400


def test_generated_requests_are_answered_as_documented(stack: Layout) -> None:
    api = schemathesis.openapi.from_url(f"{stack.intake_url}/openapi.json")
    answered: Counter[tuple[str, int]] = Counter()
    for found in api.get_all_operations():
        assert isinstance(found, Ok), found  # the document itself is valid OpenAPI
        operation = found.ok()
        _exercise(operation, GenerationMode.POSITIVE, answered)
        with contextlib.suppress(Unsatisfiable):  # an operation whose inputs accept any string has no invalid ones
            _exercise(operation, GenerationMode.NEGATIVE, answered)
    assert sum(answered.values()) >= 1000, answered
    assert ("POST /v1/submissions", 202) in answered and ("POST /v1/submissions", 422) in answered, answered


def _exercise(operation: Any, mode: GenerationMode, answered: Counter[tuple[str, int]]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES_PER_OPERATION_AND_MODE, deadline=None, suppress_health_check=list(HealthCheck))
    def answer(case: Any) -> None:
        response = case.call_and_validate(checks=CHECKS)
        answered[(operation.label, response.status_code)] += 1

    answer()


def test_the_status_link_of_an_accepted_submission_answers_as_documented(stack: Layout) -> None:
    """Stateful: schemathesis follows the OpenAPI link from each 202 to its status (the id and the bearer token
    taken from the answer), and checks those answers as well."""
    api = schemathesis.openapi.from_url(f"{stack.intake_url}/openapi.json")
    followed: Counter[int] = Counter()

    class Followed(api.as_state_machine()):  # type: ignore[misc]
        def after_call(self, response: Any, case: Any) -> None:
            if case.operation.label == "GET /v1/submissions/{submission_id}":
                followed[response.status_code] += 1

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    Followed.run(
        settings=settings(
            max_examples=40, stateful_step_count=4, deadline=None, suppress_health_check=list(HealthCheck)
        )
    )
    assert followed[200] > 0, followed  # the link led to a real status at least once
