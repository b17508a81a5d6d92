"""/metrics of every service on the real stack, scraped as Prometheus would before and after an application goes
through: every scrape parses, intake counted the POST, the consumers of the submission topic counted it processed,
FastStream's middleware counted what the broker received, and notify counted the message's status by channel."""

from typing import Any

import httpx
import pytest
from prometheus_client.metrics_core import Metric

from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import application
from civicflow.shared import topics
from tests.support.journeys import post, until_settled
from tests.support.metrics import families, total

pytestmark = pytest.mark.e2e

SERVICES = ("intake", "identity", "routing", "notify")
PROCESSED = "civicflow_messages_processed_total"


async def scrape_all(stack: Layout) -> dict[str, dict[str, Metric]]:
    """Each service's /metrics, parsed (a text that does not parse fails here)."""
    found = {}
    async with httpx.AsyncClient(timeout=10.0) as client:
        for service in SERVICES:
            answer = await client.get(f"http://127.0.0.1:{getattr(stack.ports, service)}/metrics")
            assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
            found[service] = families(answer.text)
    return found


def moved(before: dict[str, Metric], after: dict[str, Metric], sample: str, **labels: Any) -> float:
    return total(after, sample, **labels) - total(before, sample, **labels)


async def test_the_counters_move_when_an_application_goes_through(stack: Layout) -> None:
    before = await scrape_all(stack)
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=30.0) as client:
        provider = SigningKey.load_or_create(stack.idp_state_dir)
        posted = await post(client, application(provider, stack.idp_issuer), "routed")
        settled = await until_settled(client, posted)
    assert settled["status"] == "routed"
    after = await scrape_all(stack)

    accepted = {"http_request_method": "POST", "http_route": "/v1/submissions", "http_response_status_code": "202"}
    assert moved(before["intake"], after["intake"], "http_server_request_duration_seconds_count", **accepted) >= 1
    received = {"messaging_destination_name": topics.SUBMISSION_RECEIVED}
    for service in ("identity", "notify"):  # the submission topic's consumers
        group = {"messaging_consumer_group_name": f"civicflow-{service}"}
        assert moved(before[service], after[service], PROCESSED, **received, **group) >= 1, service
        assert (
            moved(
                before[service],
                after[service],
                "faststream_received_messages_total",
                handler=topics.SUBMISSION_RECEIVED,
            )
            >= 1
        )
    verified = {
        "messaging_destination_name": topics.IDENTITY_VERIFIED,
        "messaging_consumer_group_name": "civicflow-routing",
    }
    assert moved(before["routing"], after["routing"], PROCESSED, **verified) >= 1
    assert moved(before["notify"], after["notify"], "civicflow_notification_statuses_total", channel="email") >= 1
    assert "kafka_consumergroup_lag" in after["identity"]
    assert {point.labels["outbox"] for point in after["intake"]["civicflow_outbox_backlog"].samples} == {
        "submissions",
        "ratings",
    }
