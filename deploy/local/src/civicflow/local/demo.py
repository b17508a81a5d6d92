"""`make demo`: one application through the running stack, and its timeline as the citizen sees it."""

import asyncio
import time

import httpx

from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import application
from civicflow.shared.events import Step

DONE_STEPS = {Step.ROUTED, Step.UNROUTABLE, Step.REJECTED}


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
            steps = [entry["step"] for entry in status["timeline"]]
            told = {entry.get("about") for entry in status["timeline"] if entry["step"] == Step.NOTIFIED}
            settled = status["status"] in DONE_STEPS and set(steps) - {Step.NOTIFIED} <= told
            if settled or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
    print(f"\nsubmission {status['submission_id']}: {status['status']}")
    for entry in status["timeline"]:
        extra = {key: value for key, value in entry.items() if key not in ("step", "at")}
        print(f"  {entry['at']}  {entry['step']:<10} {extra or ''}")
    progress = [step for step in dict.fromkeys(steps) if step != Step.NOTIFIED]
    if Step.NOTIFIED in steps:
        progress.append(f"notified ({steps.count(Step.NOTIFIED)} e-mails)")
    print(" → ".join(progress))
    return 0 if status["status"] == Step.ROUTED else 1
