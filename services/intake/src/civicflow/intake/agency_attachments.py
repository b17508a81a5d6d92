"""An agency fetches an attachment of an application routed to it (civicflow_agency.wire, "An attachment is
fetched ..."): its access token, signed with a signing key the agency registry lists for it, names the attachment;
the file goes out as a JWE to the agency's newest encryption key, like the application itself, so that neither
intake's answer nor anything on the way holds it in clear.

Who may not have it learns nothing of it: an unknown agency, an unknown attachment, one no submission holds, and
one of a submission routed to another agency are all NotFound, and only after the token was checked. The file's
bytes are never logged; a log line names the agency and the attachment by their ids."""

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from civicflow_agency import wire
from joserfc.jwk import RSAKey

from civicflow.intake.domain.agency_keys import AgencyDirectory, AgencyKeys
from civicflow.intake.domain.attachments import AttachmentDamaged, StoredAttachment
from civicflow.intake.handlers import Submissions
from civicflow.shared.events import AttachmentRef

logger = logging.getLogger(__name__)


class RegistryNotRead(Exception):
    """No valid agency registry has been read yet: no agency's keys are known."""


class TokenRefused(Exception):
    """No access token, or one that does not let its bearer fetch this attachment (the message names the check)."""


class NotFound(Exception):
    """Nothing this agency may fetch under this id."""


class NoEncryptionKey(Exception):
    """The agency registered no key to encrypt to: nothing can be sent to it."""


class StoredFiles(Protocol):
    async def find(self, attachment_ids: Sequence[UUID]) -> dict[UUID, StoredAttachment]: ...

    async def open(self, attachment_id: UUID) -> bytes | None:
        """The file's bytes; None if it is not kept. Raises AttachmentDamaged if they cannot be read whole."""


@dataclass(frozen=True)
class SealedAttachment:
    ref: AttachmentRef
    jwe: str  # compact serialization, to the agency's encryption key


@dataclass(frozen=True)
class AgencyAttachments:
    registry: Callable[[], AgencyDirectory]  # the newest version read; LookupError before one is
    attachments: StoredFiles
    submissions: Submissions
    clock: Callable[[], float] = time.time

    async def fetch(self, agency_id: str, attachment_id: str, token: str | None) -> SealedAttachment:
        """Raises RegistryNotRead, NotFound, TokenRefused, NoEncryptionKey, or AttachmentDamaged (the stored bytes
        are not the ones accepted)."""
        agency, file_id = self._agency(agency_id), _attachment_id(attachment_id)
        _check_token(agency, attachment_id, token, int(self.clock()))
        if agency.encryption_key is None:
            raise NoEncryptionKey(agency_id)
        stored = await self._routed_to(agency_id, file_id)
        try:
            data = await self.attachments.open(file_id)
            if data is None:  # forgotten since it was found
                raise NotFound
            # Hashing and encrypting up to a few MiB: off the event loop, which serves other requests meanwhile.
            jwe = await asyncio.to_thread(_sealed, data, stored.ref, agency.encryption_key)
        except AttachmentDamaged:
            logger.error("attachment %s: the stored bytes are not the ones accepted (SHA-256); not sent", file_id)
            raise
        logger.info("attachment %s sent to agency %s", file_id, agency_id)
        return SealedAttachment(stored.ref, jwe)

    def _agency(self, agency_id: str) -> AgencyKeys:
        try:
            directory = self.registry()
        except LookupError:
            raise RegistryNotRead from None
        agency = directory.get(agency_id)
        if agency is None:
            raise NotFound
        return agency

    async def _routed_to(self, agency_id: str, attachment_id: UUID) -> StoredAttachment:
        stored = (await self.attachments.find([attachment_id])).get(attachment_id)
        if stored is None or stored.submission_id is None:
            raise NotFound
        record = await self.submissions.get(stored.submission_id)
        if record is None or record.routed_to != agency_id:
            raise NotFound
        return stored


def _attachment_id(text: str) -> UUID:
    """Only the canonical form, as the application's attachment reference writes it (and the token names it)."""
    try:
        parsed = UUID(text)
    except ValueError:
        raise NotFound from None
    if str(parsed) != text:
        raise NotFound
    return parsed


def _check_token(agency: AgencyKeys, attachment_id: str, token: str | None, now: int) -> None:
    if not token:
        raise TokenRefused("no bearer token")
    try:
        wire.check_access_token(
            token, agency_id=agency.agency_id, attachment_id=attachment_id, public_keys=agency.signing_keys, now=now
        )
    except wire.AccessRefused as refused:
        # The reason names the check that failed, never the token; the ids were checked above (no client text).
        logger.info("agency %s, attachment %s: access token refused (%s)", agency.agency_id, attachment_id, refused)
        raise TokenRefused(str(refused)) from None


def _sealed(data: bytes, ref: AttachmentRef, key: RSAKey) -> str:
    if hashlib.sha256(data).hexdigest() != ref.sha256:
        raise AttachmentDamaged(str(ref.attachment_id))
    return wire.encrypt(data, key, content_type=ref.media_type)
