from pathlib import Path
from uuid import uuid4

import jwt

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
from tests.unit.fakes import FakePublisher
from tests.unit.identity.test_assertion import EXPECTED, token


class KnownKeys:
    def __init__(self, key: SigningKey) -> None:
        self._keys = {key.kid: jwt.PyJWK(key.jwks()["keys"][0])}

    async def key(self, kid: str | None) -> jwt.PyJWK | None:
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
    expected: Expectations = EXPECTED,
) -> None:
    await verify_submission(event, keys, expected, publisher)


async def test_a_verified_submission_is_passed_on_with_an_id_derived_from_its_cause(tmp_path: Path) -> None:
    key = SigningKey.load_or_create(tmp_path)
    publisher = FakePublisher()
    event = received(token(key))
    await run(event, KnownKeys(key), publisher)
    await run(event, KnownKeys(key), publisher)  # redelivered: the same event id, which routing skips
    assert publisher.topics() == [topics.IDENTITY_VERIFIED] * 2
    verified, again = publisher.published[0][1], publisher.published[1][1]
    assert isinstance(verified, IdentityVerified) and isinstance(again, IdentityVerified)
    assert verified.event_id == again.event_id
    assert verified.level_of_assurance == "substantial" and verified.submission_id == event.submission_id
    assert verified.event_id != event.event_id and verified.received_at == event.occurred_at


async def test_a_forged_token_is_rejected_never_passed_on(tmp_path: Path) -> None:
    real, forger = (
        SigningKey.load_or_create(tmp_path / "real"),
        SigningKey.load_or_create(tmp_path / "forger"),
    )
    publisher = FakePublisher()
    await run(received(token(forger)), KnownKeys(real), publisher)
    assert publisher.topics() == [topics.IDENTITY_REJECTED]
    rejected = publisher.published[0][1]
    assert isinstance(rejected, IdentityRejected) and rejected.reason == "signature_invalid"
