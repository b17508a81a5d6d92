from pathlib import Path
from typing import Any
from uuid import uuid4

from civicflow.identity.domain.assertion import Expectations
from civicflow.identity.handlers import verify_submission
from civicflow.local.idp import SigningKey
from civicflow.local.sample import BUSINESS_REGISTRATION, ERIKA
from civicflow.shared import topics
from civicflow.shared.events import (
    Applicant,
    IdentityRejected,
    IdentityVerified,
    Recipient,
    SubmissionReceived,
)
from tests.unit.fakes import FakeProcessedEvents, FakePublisher
from tests.unit.identity.test_assertion import EXPECTED, token


class KnownKeys:
    def __init__(self, key: SigningKey) -> None:
        self._keys = {key.kid: key.private_key.public_key()}

    async def key(self, kid: str | None) -> Any | None:
        return self._keys.get(kid) if kid else None


def received(identity_token: str) -> SubmissionReceived:
    applicant = Applicant.model_validate(ERIKA)
    return SubmissionReceived(
        submission_id=uuid4(),
        recipient=Recipient.of(applicant),
        service_id="99050012104000",
        applicant=applicant,
        form=BUSINESS_REGISTRATION,
        identity_token=identity_token,
    )


async def run(
    event: SubmissionReceived,
    keys: KnownKeys,
    publisher: FakePublisher,
    processed: FakeProcessedEvents,
    expected: Expectations = EXPECTED,
) -> None:
    await verify_submission(event, keys, expected, publisher, processed)


async def test_verified_submission_is_passed_on_once(tmp_path: Path) -> None:
    key = SigningKey.load_or_create(tmp_path)
    publisher, processed = FakePublisher(), FakeProcessedEvents()
    event = received(token(key))
    await run(event, KnownKeys(key), publisher, processed)
    await run(event, KnownKeys(key), publisher, processed)  # redelivered
    assert publisher.topics() == [topics.IDENTITY_VERIFIED]
    verified = publisher.published[0][1]
    assert isinstance(verified, IdentityVerified)
    assert verified.level_of_assurance == "substantial" and verified.submission_id == event.submission_id
    assert verified.event_id != event.event_id and verified.received_at == event.occurred_at


async def test_a_forged_token_is_rejected_never_passed_on(tmp_path: Path) -> None:
    real, forger = (
        SigningKey.load_or_create(tmp_path / "real"),
        SigningKey.load_or_create(tmp_path / "forger"),
    )
    publisher = FakePublisher()
    await run(received(token(forger)), KnownKeys(real), publisher, FakeProcessedEvents())
    assert publisher.topics() == [topics.IDENTITY_REJECTED]
    rejected = publisher.published[0][1]
    assert isinstance(rejected, IdentityRejected) and rejected.reason == "signature_invalid"
