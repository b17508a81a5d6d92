"""`civicflow-agency decide`: the agency's decision on an application, signed with its signing key and published
on `agency.<agency-id>.decisions` (civicflow_agency.wire), for CivicFlow to verify and to tell the citizen.

Building and signing (`signed_decision`) is kept apart from sending (`publish`): everything that can be wrong
with the agency's input is found before connecting, and what is signed can be checked without a broker."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from aiokafka import AIOKafkaProducer
from joserfc.jwk import RSAKey

from civicflow_agency import wire
from civicflow_agency.kafka import Connection, decisions_topic

# As the command takes them, and as the decision's JSON carries them (wire.OUTCOMES).
OUTCOMES: Final = {"accept": "accepted", "reject": "rejected", "request-info": "information_requested"}


@dataclass(frozen=True)
class SignedDecision:
    """One record of the agency's decisions topic, ready to send: key the submission id, value the JWS."""

    decision_id: str
    topic: str
    key: bytes
    value: bytes
    headers: tuple[tuple[str, bytes], ...]


def checked_uuid(value: str, what: str) -> str:
    """`value` in the canonical form of a UUID (lower case, with dashes), as CivicFlow writes its ids."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError(f"{what} {value!r} is not a UUID") from None


def checked_reason(reason: str) -> str:
    """The reason as CivicFlow will take it and show it to the citizen (wire.letter), or a ValueError saying why."""
    try:
        return wire.letter(reason)
    except ValueError as error:
        raise ValueError(f"--reason {error}") from None


def signed_decision(
    *,
    agency_id: str,
    submission_id: str,
    outcome: str,
    reason: str,
    key: RSAKey,
    decision_id: str | None = None,
    decided_at: datetime | None = None,
) -> SignedDecision:
    """The decision as wire.decision_payload has it, signed with `key`; a new decision id unless one is given (the
    same id as before sends the same decision again), decided now unless said otherwise."""
    topic = decisions_topic(agency_id)
    submission_id = checked_uuid(submission_id, "submission id")
    decision_id = checked_uuid(decision_id, "--decision-id") if decision_id is not None else str(uuid.uuid4())
    payload = wire.decision_payload(
        decision_id=decision_id,
        submission_id=submission_id,
        agency_id=agency_id,
        outcome=outcome,
        reason=checked_reason(reason),
        decided_at=decided_at or datetime.now(UTC),
    )
    headers = wire.decision_headers(submission_id=submission_id, agency_id=agency_id)
    return SignedDecision(
        decision_id=decision_id,
        topic=topic,
        key=submission_id.encode(),
        value=wire.sign(payload, key).encode(),
        headers=tuple((name, value.encode()) for name, value in headers.items()),
    )


async def publish(connection: Connection, decision: SignedDecision) -> None:
    """Sent, and confirmed by every in-sync replica (acks=all) before this returns; the idempotent producer keeps
    its own retries from writing the record twice. aiokafka's defaults (acks=1, no idempotence) could lose it."""
    producer = AIOKafkaProducer(**connection.options(), acks="all", enable_idempotence=True, retry_backoff_ms=500)
    try:
        await producer.start()
        await producer.send_and_wait(decision.topic, decision.value, key=decision.key, headers=list(decision.headers))
    finally:  # also after a failed start: stop() then only closes the connections
        await producer.stop()
