"""GET wire.ATTACHMENT_PATH: an agency fetches an attachment of an application routed to it, with the access token
it signed itself as a bearer token (RFC 6750). The body is a JWE (application/jose) to the agency's encryption key;
the attachment's SHA-256, which its application's reference names too, is the CivicFlow-Attachment-SHA256 header: a
Repr-Digest (RFC 9530) would have to be the digest of the JWE sent, which is new each time, not of the file."""

from typing import Annotated

from civicflow_agency import wire
from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from civicflow.intake.agency_attachments import (
    AgencyAttachments,
    NoEncryptionKey,
    NotFound,
    RegistryNotRead,
    TokenRefused,
)
from civicflow.intake.domain.attachments import AttachmentDamaged
from civicflow.intake.entrypoints.openapi import agency_attachment_answers
from civicflow.shared.problems import Problem

SHA256_HEADER = "CivicFlow-Attachment-SHA256"
# Where every agency's requests go ("/v1/agencies/"): counted against a rate limit of their own (entrypoints.limits).
AGENCY_PATHS = wire.ATTACHMENT_PATH.partition("{")[0]
# The file is the citizen's: no cache along the way keeps it, even encrypted (RFC 9111 §5.2).
NO_STORE = {"Cache-Control": "no-store"}

NOT_FOUND = Problem(404, "not-found", "Not found", "No attachment with this id is this agency's to fetch.")
REGISTRY_NOT_READ = Problem(
    503,
    "temporarily-unavailable",
    "Temporarily unavailable",
    "The agency registry has not been read yet. Please retry.",
    headers={"Retry-After": "10"},
)
NO_ENCRYPTION_KEY = Problem(
    409,
    "no-encryption-key",
    "No encryption key",
    "The agency registry lists no encryption key for this agency, so nothing can be sent to it: register one "
    "(`civicflow agencies publish`), then fetch again.",
)
DAMAGED = Problem(
    500,
    "attachment-damaged",
    "Attachment damaged",
    "The stored file is not the one accepted (its SHA-256 differs); it was not sent. The operators are told.",
)

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="AgencyAccessToken",
    bearerFormat="JWT",
    description="A JWS (PS256) the agency signs with a registered signing key: civicflow_agency.wire.access_token",
)


def agency_attachments_router(attachments: AgencyAttachments) -> APIRouter:
    router = APIRouter()

    @router.get(
        wire.ATTACHMENT_PATH,
        operation_id="fetch_agency_attachment",
        response_class=Response,
        responses=agency_attachment_answers(SHA256_HEADER),
    )
    async def fetch_attachment(
        agency_id: Annotated[str, Path(description="The agency's id in the agency registry")],
        attachment_id: Annotated[str, Path(description="The attachment's id, as its application's reference names it")],
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Response:
        token = credentials.credentials if credentials else None
        try:
            sealed = await attachments.fetch(agency_id, attachment_id, token)
        except RegistryNotRead as error:
            raise REGISTRY_NOT_READ from error
        except NotFound as error:
            raise NOT_FOUND from error
        except TokenRefused as error:
            raise _unauthorized(token is not None) from error
        except NoEncryptionKey as error:
            raise NO_ENCRYPTION_KEY from error
        except AttachmentDamaged as error:
            raise DAMAGED from error
        headers = NO_STORE | {SHA256_HEADER: sealed.ref.sha256}
        return Response(sealed.jwe, media_type=wire.MEDIA_TYPE, headers=headers)

    return router


def _unauthorized(token_sent: bool) -> Problem:
    # RFC 6750 §3.1: error="invalid_token" for a token that does not do; a request without one gets no error code.
    challenge = 'Bearer error="invalid_token"' if token_sent else "Bearer"
    return Problem(
        401,
        "invalid-token",
        "Invalid access token",
        "Send a bearer token the agency signed for this attachment with a registered signing key, valid now "
        "(civicflow_agency.wire.access_token).",
        headers={"WWW-Authenticate": challenge},
    )
