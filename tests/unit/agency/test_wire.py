"""The sizes the agency contract opens: an application with a long form, an attachment of the largest size a service
may take (joserfc's own default stops at 64 KiB of ciphertext)."""

import hashlib
import json
import os

import pytest
from civicflow_agency import wire
from joserfc.jwk import RSAKey


def test_an_application_larger_than_64_kib_opens(agency_key: RSAKey) -> None:
    application = json.dumps({"form": {"description": "x" * 200_000}}).encode()
    assert wire.decrypt(wire.encrypt(application, agency_key), [agency_key]) == application


def test_an_attachment_of_the_largest_size_a_service_takes_opens_and_no_larger(agency_key: RSAKey) -> None:
    largest = os.urandom(wire.MAX_ATTACHMENT_BYTES)
    token = wire.encrypt(largest, agency_key, "application/pdf")
    assert wire.open_attachment(token, [agency_key], hashlib.sha256(largest).hexdigest()) == largest
    larger = largest + b"!"
    with pytest.raises(wire.AttachmentAltered, match="larger than"):
        wire.open_attachment(wire.encrypt(larger, agency_key), [agency_key], hashlib.sha256(larger).hexdigest())


def test_an_attachment_that_is_not_the_one_named_is_refused(agency_key: RSAKey) -> None:
    with pytest.raises(wire.AttachmentAltered):
        wire.open_attachment(wire.encrypt(b"%PDF-1.7", agency_key), [agency_key], hashlib.sha256(b"other").hexdigest())
