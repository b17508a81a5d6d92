"""An application's journey as a citizen follows it: posted, its status polled until every step is reached and
told, and the mails in the local mailbox."""

import asyncio
import email
import email.policy
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

FINAL = {"routed", "unroutable", "rejected"}


@dataclass
class Posted:
    submission_id: str
    location: str
    token: str
    expect: str


async def post(client: httpx.AsyncClient, body: dict[str, Any], expect: str) -> Posted:
    response = await client.post("/v1/submissions", json=body)
    assert response.status_code == 202, response.text
    accepted = response.json()
    return Posted(accepted["submission_id"], response.headers["location"], accepted["status_token"], expect)


async def status_of(client: httpx.AsyncClient, posted: Posted) -> dict[str, Any]:
    response = await client.get(posted.location, headers={"Authorization": f"Bearer {posted.token}"})
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


# The steps notify's shipped policy tells of (civicflow/notify/policy/default.toml); the others are quiet.
TOLD = {"received", "rejected", "unroutable", "clarification_needed", "decided"}
# A message in one of these is done: handed on, delivered, or given up on.
SENT = {"sending", "delivered", "permanent-failure", "technical-failure"}


def messages(timeline: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each message to the citizen at its latest status (the timeline has an entry per status), by its id."""
    by_message: dict[str, list[dict[str, Any]]] = {}
    for entry in timeline:
        if entry["step"] == "notified":
            by_message.setdefault(entry["notification_id"], []).append(entry)
    # The latest attempt's outcome; "created" comes before any attempt.
    return {
        message: max(entries, key=lambda entry: (entry["attempt"], entry["status"] != "created"))
        for message, entries in by_message.items()
    }


def told_of(timeline: list[dict[str, Any]]) -> set[str]:
    """The steps messages that went out told of."""
    return {step for message in messages(timeline).values() if message["status"] in SENT for step in message["about"]}


async def until_settled(client: httpx.AsyncClient, posted: Posted, timeout: float = 90.0) -> dict[str, Any]:
    """The status once the application reached its final step and every message about it went out: one message
    for steps close together, none for the quiet ones."""
    deadline = time.monotonic() + timeout
    while True:
        status = await status_of(client, posted)
        timeline = status["timeline"]
        reached = {entry["step"] for entry in timeline} & TOLD
        sent = all(message["status"] in SENT for message in messages(timeline).values())
        if status["status"] in FINAL and sent and reached <= told_of(timeline):
            return status
        assert time.monotonic() < deadline, f"not settled in time: {status}"
        await asyncio.sleep(0.3)


def mails(mail_dir: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted(mail_dir.glob("*.eml"))
    ]


def mailed_steps(mail_dir: Path, submission_id: str) -> list[str]:
    return [
        str(m["Message-ID"]).strip().strip("<>").split("@")[0].rsplit(".", 1)[1]
        for m in mails(mail_dir)
        if submission_id in str(m["Message-ID"])
    ]


T = TypeVar("T")


async def eventually(probe: Callable[[], Awaitable[T]], done: Callable[[T], bool], timeout: float = 90.0) -> T:
    """What `probe` answers once `done` says it is there (the pipeline is asynchronous), within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = await probe()
        if done(found):
            return found
        assert time.monotonic() < deadline, f"not reached in time: {found!r}"
        await asyncio.sleep(0.3)
