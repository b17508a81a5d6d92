"""The channel a citizen chooses for an application (`notify_by`): checked, and sealed for notify with its address."""

from typing import Any

import pytest

from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.domain.validation import FieldError, ValidSubmission, validate_submission
from civicflow.intake.handlers import Intake, TraceContext, accept_submission
from civicflow.shared.events import SubmissionReceived, personal
from tests.support.samples import valid_body
from tests.support.sealing import sealer_with_every_key
from tests.unit.intake.fakes import FakeAttachments, FakeRelay, FakeSubmissions

CATALOGUE = Catalogue.bundled()
SEALER = sealer_with_every_key()


def checked(notify_by: Any) -> ValidSubmission | list[FieldError]:
    return validate_submission(valid_body() | {"notify_by": notify_by}, CATALOGUE)


@pytest.mark.parametrize(
    ("notify_by", "pointer"),
    [
        ({"channel": "sms"}, "/notify_by/phone"),  # no number to send to
        ({"channel": "webhook", "phone": "+4915112345678"}, "/notify_by/mailbox"),  # no mailbox
        ({"channel": "sms", "phone": "0151 1234567"}, "/notify_by/phone"),  # not E.164
        ({"channel": "webhook", "mailbox": "<script>"}, "/notify_by/mailbox"),
        ({"channel": "carrier-pigeon"}, "/notify_by/channel"),
        ({"channel": "email", "fax": "+4922112345"}, "/notify_by/fax"),
    ],
)
def test_a_channel_without_its_address_or_with_a_malformed_one_is_refused_by_name(notify_by: Any, pointer: str) -> None:
    result = checked(notify_by)
    assert isinstance(result, list) and pointer in {error.pointer for error in result}
    assert all("0151" not in error.detail and "script" not in error.detail for error in result)


async def test_the_chosen_channel_and_its_address_travel_sealed_for_notify() -> None:
    valid = checked({"channel": "sms", "phone": "+4915112345678"})
    assert isinstance(valid, ValidSubmission)
    submissions = FakeSubmissions()
    accepted = await accept_submission(
        valid, Intake(submissions, FakeAttachments(), FakeRelay(), SEALER), TraceContext("ab" * 16, {})
    )
    (outgoing,) = submissions.outbox.values()
    event = SubmissionReceived.model_validate_json(outgoing.value)
    recipient = event.recipient
    assert recipient.channel == "sms" and recipient.mailbox is None and recipient.phone is not None
    assert b"4915112345678" not in outgoing.value
    assert SEALER.open(personal.CONTACT_PHONE, recipient.phone, accepted.submission_id) == "+4915112345678"


async def test_without_a_choice_the_citizen_hears_by_email() -> None:
    valid = validate_submission(valid_body(), CATALOGUE)
    assert isinstance(valid, ValidSubmission)
    submissions = FakeSubmissions()
    await accept_submission(
        valid, Intake(submissions, FakeAttachments(), FakeRelay(), SEALER), TraceContext("ab" * 16, {})
    )
    (outgoing,) = submissions.outbox.values()
    recipient = SubmissionReceived.model_validate_json(outgoing.value).recipient
    assert (recipient.channel, recipient.phone, recipient.mailbox) == ("email", None, None)
