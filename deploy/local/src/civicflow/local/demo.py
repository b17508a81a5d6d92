"""`make demo`: one application through the running stack, and its timeline as the citizen sees it."""

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from civicflow.local.chaos.timeline import Told, messages, settled
from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import application
from civicflow.shared.events import Step


async def run_demo(layout: Layout, timeout_seconds: float = 60.0) -> int:
    body = application(SigningKey.load_or_create(layout.idp_state_dir), layout.idp_issuer)
    async with httpx.AsyncClient(base_url=layout.intake_url, timeout=10.0) as client:
        response = await client.post("/v1/submissions", json=body)
        print(f"POST /v1/submissions -> {response.status_code} Location: {response.headers.get('location')}")
        if response.status_code != 202:
            print(response.text)
            return 1
        accepted = response.json()
        headers = {"Authorization": f"Bearer {accepted['status_token']}"}
        deadline = time.monotonic() + timeout_seconds
        while True:
            status = (await client.get(response.headers["location"], headers=headers)).json()
            if settled(status) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
    print(f"\nsubmission {status['submission_id']}: {status['status']}")
    for entry in status["timeline"]:
        extra = {key: value for key, value in entry.items() if key not in ("step", "at") and value is not None}
        print(f"  {entry['at']}  {entry['step']:<10} {extra or ''}")
    print(journey(status["timeline"]))
    return 0 if status["status"] == Step.ROUTED else 1


def journey(timeline: Sequence[Mapping[str, Any]]) -> str:
    """The steps in turn, then the messages: `received → verified → routed → notified (1 message: routed, sending)`."""
    steps = [str(entry["step"]) for entry in timeline]
    progress = [step for step in dict.fromkeys(steps) if step != Step.NOTIFIED]
    told = messages(timeline)
    if told:
        progress.append(f"notified ({_count(told)}: {'; '.join(f'{m.message_type}, {m.status}' for m in told)})")
    return " → ".join(progress)


def _count(told: Sequence[Told]) -> str:
    return f"{len(told)} message" + ("" if len(told) == 1 else "s")
