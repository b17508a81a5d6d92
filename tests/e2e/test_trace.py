"""`civicflow trace`, as an operator runs it: an application posted, routed and told, then its trace printed from
the stack's Jaeger as a waterfall across the four services."""

import asyncio
import os
import subprocess
import time
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import application
from tests.support.journeys import post, until_settled
from tests.support.otlp import Collector

pytestmark = pytest.mark.e2e

SERVICES = ("civicflow-intake", "civicflow-identity", "civicflow-routing", "civicflow-notify")


async def test_an_applications_trace_is_printed_across_all_four_services(stack: Layout, collector: Collector) -> None:
    provider = SigningKey.load_or_create(stack.idp_state_dir)
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=10.0) as client:
        posted = await post(client, application(provider, stack.idp_issuer), "routed")
        status = await until_settled(client, posted)  # routed, and the citizen's message handed to the mail server
    assert status["status"] == "routed"

    # Spans reach Jaeger a moment after each step (the services export in batches, the test collector passes them
    # on): the command is run again until the notify service's part has arrived.
    deadline = time.monotonic() + 30.0
    while True:
        run = await asyncio.to_thread(trace, stack, posted.submission_id)
        if run.returncode == 0 and all(service in run.stdout for service in SERVICES) and "smtp send" in run.stdout:
            break
        assert time.monotonic() < deadline, (run.returncode, run.stdout, run.stderr, collector.forward_failures)
        await asyncio.sleep(1.0)

    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_uri)
    record = await mongo["civicflow_intake"]["submissions"].find_one({"_id": posted.submission_id})
    await mongo.close()
    assert record is not None
    head, services, _, _, *rows = run.stdout.splitlines()  # summary, services, blank, titles, one row a span
    assert head.startswith(f"trace {record['trace_id']}: "), head
    assert set(SERVICES) <= set(services.removeprefix("services: ").split(", ")), services
    for service in SERVICES:
        assert any(f" {service} " in row and " process" in row for row in rows), (service, run.stdout)
    # intake's request came first: the first row, at offset zero; the mail went out within the trace
    assert "civicflow-intake" in rows[0] and "POST" in rows[0] and "+0.0 ms" in rows[0], rows[0]
    assert any(" civicflow-notify " in row and "smtp send" in row for row in rows), run.stdout


def trace(stack: Layout, submission_id: str) -> "subprocess.CompletedProcess[str]":
    """The console script, as an operator types it; the test stack's store and Jaeger are not at the defaults."""
    env: dict[str, Any] = os.environ | {"MONGODB_URI": stack.mongo_uri, "COLUMNS": "200"}
    return subprocess.run(
        [stack.console_script("civicflow"), "trace", submission_id, "--jaeger", stack.jaeger_query_url],
        capture_output=True,
        text=True,
        env=env,
        cwd=stack.root,
        timeout=60,
        check=False,
    )
