"""An agency fetching an attachment, with the ports faked: with its own access token for an attachment of an
application routed to it, the file comes as a JWE only its key opens, not cached, with its SHA-256; a missing,
forged, expired or misdirected token is a 401 that never quotes it; what the agency may not have is the same 404
whatever the reason; an agency without an encryption key gets a 409, a damaged file is a 500 logged by its id only,
and before a registry is read every fetch is a 503."""

import base64
import hashlib
import json
import logging
from datetime import UTC, datetime
from functools import cache
from uuid import UUID, uuid4

import httpx
import pytest
from civicflow_agency import wire
from fastapi import FastAPI
from fastapi.testclient import TestClient
from joserfc import jws
from joserfc.jwk import RSAKey

from civicflow.intake.agency_attachments import AgencyAttachments
from civicflow.intake.domain.agency_keys import AgencyDirectory, parse_agency_keys
from civicflow.intake.domain.attachments import CheckedUpload
from civicflow.intake.domain.submission import SubmissionRecord, TimelineEntry
from civicflow.intake.entrypoints.agency_attachments_http import SHA256_HEADER, agency_attachments_router
from civicflow.shared.events import AttachmentRef, Step
from civicflow.shared.problems import install_problem_handlers
from tests.support import sample_files
from tests.support.agencies import registry_json, unit_key, unit_signing_key
from tests.unit.intake.fakes import FakeAttachments, FakeSubmissions

GEWERBE, STANDESAMT, STEUERAMT = "koeln-gewerbe", "koeln-standesamt", "koeln-steueramt"
BUSINESS = "99050012104000"
NOW = 1_800_000_000
PERMIT = sample_files.pdf(padding=2000)
SIGNATURES = jws.JWSRegistry(algorithms=[wire.SIGNATURE])


@cache
def directory() -> AgencyDirectory:
    """The bundled registry with the unit keys: signing keys for Gewerbe and Standesamt; the Steueramt with a signing
    key (the other agencies' shared one) but no encryption key."""
    registry = json.loads(registry_json(without_keys=(STEUERAMT,)))
    for agency in registry["agencies"]:
        if agency["agency_id"] in (GEWERBE, STANDESAMT, STEUERAMT):
            signing = unit_signing_key(agency["agency_id"]).as_dict(private=False)
            agency["public_keys"] = [*agency.get("public_keys", []), signing]
    return parse_agency_keys(json.dumps(registry).encode())


class Office:
    """Intake's attachment fetching, over a store holding one application (by Erika, for the business registration)
    with one attachment."""

    def __init__(self) -> None:
        self.submissions, self.attachments = FakeSubmissions(), FakeAttachments()
        self.registry: AgencyDirectory | None = directory()
        app = FastAPI()
        install_problem_handlers(app)
        fetching = AgencyAttachments(self._current, self.attachments, self.submissions, clock=lambda: NOW)
        app.include_router(agency_attachments_router(fetching))
        self.client = TestClient(app, raise_server_exceptions=False)

    def _current(self) -> AgencyDirectory:
        if self.registry is None:
            raise LookupError("no agency registry has been read yet")
        return self.registry

    async def filed(self, *routed_to: str, bound: bool = True) -> AttachmentRef:
        """An attachment of an application routed to these agencies in turn (none: not routed)."""
        upload = CheckedUpload("Erlaubnis.pdf", "application/pdf", hashlib.sha256(PERMIT).hexdigest(), PERMIT)
        ref = await self.attachments.put(BUSINESS, upload)
        if not bound:
            return ref
        submission_id = uuid4()
        await self.attachments.bind([ref.attachment_id], submission_id)
        steps = [self._entry(submission_id, Step.RECEIVED, 0, {})]
        steps += [self._entry(submission_id, Step.ROUTED, n + 1, {"agency_id": a}) for n, a in enumerate(routed_to)]
        self.submissions.records[submission_id] = SubmissionRecord(
            submission_id=submission_id,
            service_id=BUSINESS,
            status_token_hash="0" * 64,
            trace_id=None,
            received_at=datetime.fromtimestamp(NOW, UTC),
            timeline=tuple(reversed(steps)),  # kept in any order: the latest routed step counts
        )
        return ref

    def fetch(self, agency_id: str, attachment_id: UUID | str, token: str | None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        path = wire.ATTACHMENT_PATH.format(agency_id=agency_id, attachment_id=attachment_id)
        answer: httpx.Response = self.client.get(path, headers=headers)
        return answer

    @staticmethod
    def _entry(submission_id: UUID, step: Step, minute: int, detail: dict[str, str]) -> TimelineEntry:
        at = datetime.fromtimestamp(NOW + 60 * minute, UTC)
        return TimelineEntry(event_id=uuid4(), submission_id=submission_id, step=step, at=at, detail=detail)


def token(agency_id: str, attachment_id: UUID | str, *, key: RSAKey | None = None, now: int = NOW) -> str:
    signing = key or unit_signing_key(agency_id)
    return wire.access_token(agency_id=agency_id, attachment_id=str(attachment_id), key=signing, now=now)


@pytest.fixture
def office() -> Office:
    return Office()


async def test_the_agency_gets_the_file_as_a_jwe_only_its_key_opens(office: Office) -> None:
    ref = await office.filed(GEWERBE)
    answer = office.fetch(GEWERBE, ref.attachment_id, token(GEWERBE, ref.attachment_id))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/jose"
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers[SHA256_HEADER] == ref.sha256
    assert PERMIT not in answer.content
    assert wire.open_attachment(answer.content, [unit_key(GEWERBE)], ref.sha256) == PERMIT
    protected = json.loads(base64.urlsafe_b64decode(answer.content.split(b".")[0] + b"=="))
    assert protected["cty"] == "application/pdf" and protected["kid"] == unit_key(GEWERBE).kid
    with pytest.raises(wire.NotForThisAgency):
        wire.decrypt(answer.content, [unit_key(STANDESAMT)])


async def test_the_agency_it_was_routed_to_last_is_the_one_that_gets_it(office: Office) -> None:
    ref = await office.filed(STANDESAMT, GEWERBE)  # routed again, after the citizen's clarification
    assert office.fetch(GEWERBE, ref.attachment_id, token(GEWERBE, ref.attachment_id)).status_code == 200
    assert office.fetch(STANDESAMT, ref.attachment_id, token(STANDESAMT, ref.attachment_id)).status_code == 404


@pytest.mark.parametrize(
    "case",
    ["none", "garbage", "expired", "not yet valid", "another attachment", "another agency's key", "wrong audience"],
)
async def test_a_token_that_does_not_let_the_agency_fetch_this_attachment_is_a_401_never_quoting_it(
    office: Office, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    ref = await office.filed(GEWERBE)
    own = ref.attachment_id
    sent = {
        "none": None,
        "garbage": "not.a.token",
        "expired": token(GEWERBE, own, now=NOW - wire.ACCESS_TOKEN_SECONDS - 60),
        "not yet valid": token(GEWERBE, own, now=NOW + 120),
        "another attachment": token(GEWERBE, uuid4()),
        "another agency's key": token(GEWERBE, own, key=unit_signing_key(STANDESAMT)),
        "wrong audience": _signed(GEWERBE, {"aud": "civicflow-other", "sub": str(own)}),
    }[case]
    with caplog.at_level(logging.INFO):
        answer = office.fetch(GEWERBE, own, sent)
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    challenge = "Bearer" if sent is None else 'Bearer error="invalid_token"'
    assert answer.headers["www-authenticate"] == challenge
    assert answer.json()["type"] == "/problems/invalid-token"
    if sent is not None:
        assert sent not in answer.text and sent not in caplog.text


async def test_a_token_signed_by_the_agency_named_in_the_path_but_for_another_agency_is_a_401(office: Office) -> None:
    ref = await office.filed(GEWERBE)
    # Standesamt's own token, valid for Standesamt, presented on Gewerbe's path: it is not Gewerbe's signature.
    answer = office.fetch(GEWERBE, ref.attachment_id, token(STANDESAMT, ref.attachment_id))
    assert answer.status_code == 401


async def test_what_the_agency_may_not_have_is_one_404_whatever_the_reason(office: Office) -> None:
    routed_elsewhere = (await office.filed(STANDESAMT)).attachment_id
    not_routed = (await office.filed()).attachment_id
    pending = (await office.filed(bound=False)).attachment_id
    unknown = uuid4()
    answers = [
        office.fetch(GEWERBE, attachment_id, token(GEWERBE, attachment_id))
        for attachment_id in (routed_elsewhere, not_routed, pending, unknown)
    ]
    unregistered = office.fetch("nirgendwo-amt", unknown, token(GEWERBE, unknown))
    not_an_id = office.fetch(GEWERBE, "not-an-id", token(GEWERBE, "not-an-id"))
    upper = office.fetch(GEWERBE, str(unknown).upper(), token(GEWERBE, str(unknown).upper()))
    bodies = {(answer.status_code, answer.json()["detail"]) for answer in [*answers, unregistered, not_an_id, upper]}
    assert bodies == {(404, "No attachment with this id is this agency's to fetch.")}


async def test_an_agency_without_an_encryption_key_is_told_so(office: Office) -> None:
    ref = await office.filed(STEUERAMT)
    answer = office.fetch(STEUERAMT, ref.attachment_id, token(STEUERAMT, ref.attachment_id))
    assert answer.status_code == 409 and answer.json()["type"] == "/problems/no-encryption-key"


async def test_a_damaged_file_is_not_sent_and_is_logged_by_its_id_only(
    office: Office, caplog: pytest.LogCaptureFixture
) -> None:
    ref = await office.filed(GEWERBE)
    office.attachments.data[ref.attachment_id] = PERMIT[:-1] + b"!"
    with caplog.at_level(logging.INFO):
        answer = office.fetch(GEWERBE, ref.attachment_id, token(GEWERBE, ref.attachment_id))
    assert answer.status_code == 500 and answer.json()["type"] == "/problems/attachment-damaged"
    assert str(ref.attachment_id) in caplog.text
    assert "%PDF" not in caplog.text and "Erlaubnis" not in caplog.text


async def test_before_a_registry_is_read_every_fetch_is_a_503_to_retry(office: Office) -> None:
    ref = await office.filed(GEWERBE)
    office.registry = None
    answer = office.fetch(GEWERBE, ref.attachment_id, token(GEWERBE, ref.attachment_id))
    assert answer.status_code == 503 and answer.headers["retry-after"]


async def test_nothing_of_the_file_is_logged_when_it_is_sent(office: Office, caplog: pytest.LogCaptureFixture) -> None:
    ref = await office.filed(GEWERBE)
    with caplog.at_level(logging.DEBUG):
        assert office.fetch(GEWERBE, ref.attachment_id, token(GEWERBE, ref.attachment_id)).status_code == 200
    assert str(ref.attachment_id) in caplog.text
    assert "%PDF" not in caplog.text and "Erlaubnis" not in caplog.text


def _signed(agency_id: str, claims: dict[str, str]) -> str:
    """A token as wire.access_token makes it, with some claims of another value."""
    payload = {"iss": agency_id, "aud": wire.ATTACHMENT_AUDIENCE, "iat": NOW, "exp": NOW + 60} | claims
    key = unit_signing_key(agency_id)
    header = {"alg": wire.SIGNATURE, "kid": key.kid}
    return jws.serialize_compact(header, json.dumps(payload).encode(), key, registry=SIGNATURES)
