"""intake's API answers as its OpenAPI document says: schemathesis generates well over a thousand requests from
the document (valid and deliberately invalid bodies, parameters and headers), sends them to the real intake, and
checks every answer: never a 5xx, a documented status, content type and headers, and a body that conforms to the
documented schema."""

import contextlib
import re
from collections import Counter
from typing import Any

import schemathesis
from hypothesis import HealthCheck, example, given, settings
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
from civicflow.local.sample import BUSINESS_REGISTRATION, ERIKA

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


def test_the_status_link_of_each_accepted_submission_answers_as_documented(stack: Layout) -> None:
    """Stateful: for every 202 among generated submissions, the OpenAPI link the 202 documents is followed to the
    submission's status (its id and bearer token taken from the answer as the link's runtime expressions say), and
    that answer is checked against the document too."""
    api = schemathesis.openapi.from_url(f"{stack.intake_url}/openapi.json")
    submit = api["/v1/submissions"]["POST"]
    status = api["/v1/submissions/{submission_id}"]["GET"]
    link = submit.definition.raw["responses"]["202"]["links"]["status"]
    assert link["operationId"] == status.definition.raw["operationId"]
    followed: Counter[int] = Counter()

    # Generated bodies are accepted only now and then (a random name is seldom plain text); one known to be valid
    # makes sure the link is followed in every run.
    valid: dict[str, Any] = {
        "service_id": "99050012104000",
        "identity_token": "header.payload.signature",  # intake stores it; identity checks it later
        "applicant": ERIKA,
        "form": BUSINESS_REGISTRATION,
    }

    @given(case=submit.as_strategy(generation_mode=GenerationMode.POSITIVE))
    @example(case=submit.Case(body=valid, media_type="application/json"))
    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    def follow(case: Any) -> None:
        response = case.call_and_validate(checks=CHECKS)
        if response.status_code != 202:
            return
        values = {name: _evaluated(expression, response.json()) for name, expression in link["parameters"].items()}
        linked = status.Case(
            path_parameters={"submission_id": values["path.submission_id"]},
            headers={"authorization": values["header.authorization"]},
        )
        followed[linked.call_and_validate(checks=CHECKS).status_code] += 1

    follow()
    assert followed[200] > 0 and set(followed) == {200}, followed


def _evaluated(expression: str, body: dict[str, Any]) -> str:
    """An OpenAPI runtime expression over the response body, alone or embedded in braces (OpenAPI 3.1 §4.8.20.4)."""
    whole = re.fullmatch(r"\$response\.body#/(\w+)", expression)
    if whole:
        return str(body[whole.group(1)])
    return re.sub(r"\{\$response\.body#/(\w+)\}", lambda found: str(body[found.group(1)]), expression)
