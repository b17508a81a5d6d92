"""Sealing personal data in tests as intake does, with keys made for the test (or the local stack's own)."""

import base64
import secrets
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from civicflow.local.layout import Layout
from civicflow.shared.events import Applicant, IdentityVerified, Recipient, SubmissionReceived, personal
from civicflow.shared.events.identity import AssuranceLevel
from civicflow.shared.security.keys import KeyName
from civicflow.shared.security.sealing import Sealer, sealer_for
from civicflow.shared.settings import FieldKeySettings


def new_key(key_id: str = "k1") -> str:
    return f"{key_id}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip('=')}"


def made_keys() -> FieldKeySettings:
    return FieldKeySettings.model_validate({name.value: new_key() for name in KeyName})


def sealer_with_every_key(keys: FieldKeySettings | None = None) -> Sealer:
    return sealer_for(keys or made_keys(), *KeyName)


def stack_sealer(layout: Layout) -> Sealer:
    """Sealing and opening as the local stack's services do, with its keys."""
    keys = FieldKeySettings.model_validate({name.value: layout.secrets.field_key(name) for name in KeyName})
    return sealer_for(keys, *KeyName)


def recipient(
    sealer: Sealer, submission_id: UUID, email: str, language: str = "de", channel: str = "email"
) -> Recipient:
    address = sealer.seal(personal.CONTACT_ADDRESS, email, submission_id)
    return Recipient.model_validate({"address": address, "language": language, "channel": channel})


def received(
    sealer: Sealer,
    applicant: Applicant,
    form: dict[str, Any],
    identity_token: str | None,
    service_id: str,
    minimum_level_of_assurance: AssuranceLevel = "low",
) -> SubmissionReceived:
    """A SubmissionReceived as intake makes it."""
    submission_id = uuid4()
    return SubmissionReceived(
        submission_id=submission_id,
        recipient=recipient(sealer, submission_id, applicant.email, applicant.language),
        service_id=service_id,
        applicant=sealer.seal(personal.APPLICANT, applicant, submission_id),
        form=sealer.seal(personal.FORM, form, submission_id),
        minimum_level_of_assurance=minimum_level_of_assurance,
        identity_token=(
            None if identity_token is None else sealer.seal(personal.IDENTITY_TOKEN, identity_token, submission_id)
        ),
    )


def verified(
    sealer: Sealer, applicant: Applicant, form: dict[str, Any], service_id: str, submission_id: UUID | None = None
) -> IdentityVerified:
    """An IdentityVerified as identity makes it, for an applicant sealed as intake seals them."""
    submission_id = submission_id or uuid4()
    return IdentityVerified(
        submission_id=submission_id,
        recipient=recipient(sealer, submission_id, applicant.email, applicant.language),
        service_id=service_id,
        applicant=sealer.seal(personal.APPLICANT, applicant, submission_id),
        form=sealer.seal(personal.FORM, form, submission_id),
        level_of_assurance="substantial",
        citizen_id="a" * 32,
        received_at=datetime.now(UTC),
    )
