"""The contract between CivicFlow and an agency, defined once for both sides: CivicFlow's routing writes it, the
agency kit reads it.

An application on `agency.<agency-id>.submissions` is one Kafka record:
- value: a JWE in compact serialization (RFC 7516) of the application's JSON (CivicFlow's `AgencySubmission`),
  encrypted to the agency's newest encryption key from the agency registry: key encryption RSA-OAEP-256, content
  encryption A256GCM, the key's `kid` in the protected header; RSA keys of at least 4096 bits (as FIT-Connect
  requires). Only the holder of the private key reads it.
- key: the submission id.
- headers, in clear, what routing and operators need and nothing personal: the submission id, the service (LeiKa
  key), the agency id, when the application was received and when it was sent, the media type, and the W3C trace
  context (`traceparent`, `tracestate`).

A decision of the agency on `agency.<agency-id>.decisions` is one Kafka record:
- value: a JWS in compact serialization (RFC 7515) of the decision's JSON (`decision_payload`), signed with the
  agency's signing key (RSA of at least 4096 bits, PS256, its `kid` in the protected header). CivicFlow verifies
  it against the signing keys the agency registry lists for that agency; a decision that does not verify, or
  names another agency, or an application that was not delivered to that agency, is refused.
- key: the submission id; headers, in clear: the submission id, the agency id, the media type.

An attachment is fetched by the agency from CivicFlow's HTTP API, `GET ATTACHMENT_PATH`, with a bearer token the
agency signs itself (`access_token`: a JWS, PS256, with its signing key; for one attachment, valid for at most
ACCESS_TOKEN_SECONDS). The answer is the file as a JWE to the agency's newest encryption key, like an application;
its SHA-256, in the application's attachment reference, is checked after decrypting (`open_attachment`).

The citizen's answer to a request for information comes on the submissions topic like an application, a JWE to
the agency's key, its kind named by the header `civicflow-message-kind` (`application` when absent).
"""

import hashlib
import json
import re
import unicodedata
import warnings
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from joserfc import jwe, jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import KeyParameters, KeySet, RSAKey

KEY_ENCRYPTION: Final = "RSA-OAEP-256"
CONTENT_ENCRYPTION: Final = "A256GCM"
MIN_RSA_BITS: Final = 4096
MEDIA_TYPE: Final = "application/jose"
# An agency id, as it stands in its topics' names (`agency.<agency-id>.submissions`, `agency.<agency-id>.decisions`)
# and its Kafka principal (`agency-<agency-id>`).
AGENCY_ID: Final = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
SUBMISSIONS_TOPIC: Final = "agency.{agency_id}.submissions"
DECISIONS_TOPIC: Final = "agency.{agency_id}.decisions"

HEADER_SUBMISSION_ID: Final = "civicflow-submission-id"
HEADER_SERVICE_ID: Final = "civicflow-service-id"
HEADER_AGENCY_ID: Final = "civicflow-agency-id"
HEADER_RECEIVED_AT: Final = "civicflow-received-at"
HEADER_SENT_AT: Final = "civicflow-sent-at"
HEADER_CONTENT_TYPE: Final = "content-type"
HEADER_MESSAGE_KIND: Final = "civicflow-message-kind"
# What a record on the submissions topic is: an application, or the citizen's answer to a request for information.
KIND_APPLICATION: Final = "application"
KIND_INFORMATION: Final = "information"

SIGNATURE: Final = "PS256"
ATTACHMENT_PATH: Final = "/v1/agencies/{agency_id}/attachments/{attachment_id}"
ATTACHMENT_AUDIENCE: Final = "civicflow-attachments"
ACCESS_TOKEN_SECONDS: Final = 300
# What an agency may decide, as `civicflow-agency decide` names it and as the decision's JSON carries it.
OUTCOMES: Final = ("accepted", "rejected", "information_requested")
REASON_MAX_CHARACTERS: Final = 2000


def clear_headers(
    *, submission_id: str, service_id: str, agency_id: str, received_at: datetime, sent_at: datetime
) -> dict[str, str]:
    """The record's headers besides the trace context: routing metadata only, timestamps in RFC 3339."""
    return {
        HEADER_SUBMISSION_ID: submission_id,
        HEADER_SERVICE_ID: service_id,
        HEADER_AGENCY_ID: agency_id,
        HEADER_RECEIVED_AT: received_at.isoformat(),
        HEADER_SENT_AT: sent_at.isoformat(),
        HEADER_CONTENT_TYPE: MEDIA_TYPE,
    }


# Unicode categories no letter needs: controls (but the newline), format characters (bidirectional overrides,
# "Trojan Source", CVE-2021-42574; zero-width spaces), surrogates (bytes a terminal could not decode), private use,
# unassigned code points.
_INVISIBLE: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
# The start of an HTML or XML tag, comment or declaration ("<b", "</", "<!", "<?"; WHATWG HTML 13.2.5.6): what is
# shown to the citizen is text, never markup. A "<" on its own ("weniger als < 3") is text.
_MARKUP: Final = re.compile(r"<\s*[A-Za-z/!?]")


def letter(text: str) -> str:
    """A reason or an answer as CivicFlow takes it, the same rule on both sides (a decision the kit sends is never
    refused for its text): NFC, line breaks as "\n" (CRLF becomes LF), trimmed; 1 to REASON_MAX_CHARACTERS
    characters with a letter or a digit among them; no other control or invisible character; no markup. Anything
    else is a ValueError saying what, never quoting the text."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n")).strip()
    if not any(character.isalnum() for character in text):
        raise ValueError("must contain a letter or a digit (it is empty)")
    if len(text) > REASON_MAX_CHARACTERS:
        raise ValueError(f"has {len(text)} characters, at most {REASON_MAX_CHARACTERS}")
    for character in text:
        category = unicodedata.category(character)
        if category == "Cs":
            raise ValueError(f"is not valid text (found U+{ord(character):04X})")
        if category in _INVISIBLE and character != "\n":
            found = f"U+{ord(character):04X}"
            raise ValueError(f"must not contain control or invisible formatting characters (found {found})")
    if _MARKUP.search(text):
        raise ValueError("must not contain markup such as <tags>")
    return text


def decision_headers(*, submission_id: str, agency_id: str) -> dict[str, str]:
    return {HEADER_SUBMISSION_ID: submission_id, HEADER_AGENCY_ID: agency_id, HEADER_CONTENT_TYPE: MEDIA_TYPE}


def decision_payload(
    *, decision_id: str, submission_id: str, agency_id: str, outcome: str, reason: str, decided_at: datetime
) -> bytes:
    """The JSON an agency signs: which application, which agency, what it decided, why (in words for the
    citizen), when; `decision_id` a UUID of the agency's choosing, the same when the same decision is sent again."""
    if outcome not in OUTCOMES:
        raise ValueError(f"an outcome is one of {', '.join(OUTCOMES)}")
    document = {
        "decision_id": decision_id,
        "submission_id": submission_id,
        "agency_id": agency_id,
        "outcome": outcome,
        "reason": reason,
        "decided_at": decided_at.isoformat(),
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


# joserfc leaves RSA-OAEP-256 out of its defaults; these two, and nothing else, are what the agency topic uses.
_REGISTRY: Final = jwe.JWERegistry(algorithms=[KEY_ENCRYPTION, CONTENT_ENCRYPTION])
# joserfc opens at most 64 KiB of ciphertext by default; an application (its form) or an answer is bounded by the
# Kafka record it travels in, an attachment by the largest file a service may take (20 MiB, the catalogue's
# bound on `max_bytes_each`). joserfc bounds the whole compact token by the same number, so it is given as the
# base64url length of the largest plaintext (A256GCM's ciphertext is as long as the plaintext), with room for the
# header and the wrapped key; the attachment's exact size is checked against its reference (open_attachment).
MAX_RECORD_BYTES: Final = 4 * 1024 * 1024
MAX_ATTACHMENT_BYTES: Final = 20 * 1024 * 1024


def _compact_length(plaintext_bytes: int) -> int:
    return -(-plaintext_bytes * 4 // 3) + 4096


_REGISTRY.max_ciphertext_length = _compact_length(MAX_RECORD_BYTES)
_ATTACHMENTS: Final = jwe.JWERegistry(algorithms=[KEY_ENCRYPTION, CONTENT_ENCRYPTION])
_ATTACHMENTS.max_ciphertext_length = _compact_length(MAX_ATTACHMENT_BYTES)
_SIGNATURES: Final = jws.JWSRegistry(algorithms=[SIGNATURE])


class NotForThisAgency(Exception):
    """The record cannot be decrypted with the keys held: another agency's key, a retired key, or not a JWE."""


class NotSignedByAgency(Exception):
    """The record is not a JWS that one of the agency's registered signing keys made: forged, altered, signed with
    a retired or another agency's key, or not a JWS at all."""


def encryption_key(public_keys: Sequence[Mapping[str, Any]]) -> RSAKey:
    """The key to encrypt to: the first (newest) RSA key in the registry's list meant for encryption."""
    for jwk in public_keys:
        meant = jwk.get("use", "enc") == "enc" and jwk.get("alg", KEY_ENCRYPTION) == KEY_ENCRYPTION
        if jwk.get("kty") == "RSA" and meant:
            return public_key(jwk)
    raise LookupError("the agency has no RSA encryption key")


def signing_keys(public_keys: Sequence[Mapping[str, Any]]) -> list[RSAKey]:
    """Every RSA key in the registry's list meant for signatures: during a rotation, decisions signed with the
    old key and with the new one both verify (the JWS header's kid picks the key)."""
    return [
        public_key(jwk)
        for jwk in public_keys
        if jwk.get("kty") == "RSA" and jwk.get("use") == "sig" and jwk.get("alg", SIGNATURE) == SIGNATURE
    ]


# RFC 7518, 6.3.2: the members only a private RSA key has.
_PRIVATE_MEMBERS: Final = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth"})


def public_key(jwk: Mapping[str, Any]) -> RSAKey:
    """An agency's public RSA key as the registry lists it: no private part, at least MIN_RSA_BITS, a `kid`.
    Anything else is a ValueError naming the key (by its kid, never its material)."""
    kid = jwk.get("kid")
    if _PRIVATE_MEMBERS & jwk.keys():
        raise ValueError(f"key {kid!r}: a registry holds public keys only")
    if jwk.get("kty") != "RSA":
        raise ValueError(f"key {kid!r}: an RSA key (kty RSA) is needed")
    if not kid or not isinstance(kid, str):
        raise ValueError("an agency's key needs a kid")
    try:
        with warnings.catch_warnings():  # joserfc warns of keys under 2048 bits; refused below, with the reason
            warnings.simplefilter("ignore", SecurityWarning)
            key = RSAKey.import_key(dict(jwk))
        bits = key.raw_value.key_size
    except (JoseError, ValueError, TypeError, AttributeError) as error:  # n or e missing or not base64url
        raise ValueError(f"key {kid!r}: not a valid RSA public key ({type(error).__name__})") from None
    if bits < MIN_RSA_BITS:
        raise ValueError(f"key {kid!r}: RSA keys of at least {MIN_RSA_BITS} bits, this has {bits}")
    return key


def new_key() -> RSAKey:
    """A new private key for an agency: RSA of MIN_RSA_BITS for RSA-OAEP-256, its kid the RFC 7638 thumbprint.
    Its public half (`as_dict(private=False)`) goes into the registry."""
    parameters: KeyParameters = {"use": "enc", "alg": KEY_ENCRYPTION}
    return RSAKey.generate_key(MIN_RSA_BITS, parameters=parameters, private=True, auto_kid=True)


def new_signing_key() -> RSAKey:
    """A new private key for an agency to sign its decisions with: RSA of MIN_RSA_BITS for PS256, `use: sig`."""
    parameters: KeyParameters = {"use": "sig", "alg": SIGNATURE}
    return RSAKey.generate_key(MIN_RSA_BITS, parameters=parameters, private=True, auto_kid=True)


def sign(payload: bytes, key: RSAKey) -> str:
    """The JWS compact serialization of `payload`, signed with the agency's private signing key."""
    header = {"alg": SIGNATURE, "kid": key.kid, "cty": "application/json"}
    return jws.serialize_compact(header, payload, key, registry=_SIGNATURES)


def verify(token: str | bytes, public_keys: Sequence[RSAKey]) -> bytes:
    """The payload, if one of `public_keys` (the agency's registered signing keys) signed it."""
    if not public_keys:
        raise NotSignedByAgency("the agency has no signing key")
    try:
        verified = jws.deserialize_compact(token, KeySet(list(public_keys)), registry=_SIGNATURES)
    except (JoseError, ValueError, UnicodeError) as error:  # forged, altered, another key, not a JWS
        raise NotSignedByAgency(type(error).__name__) from error
    return verified.payload


def encrypt(plaintext: bytes, key: RSAKey, content_type: str = "application/json") -> str:
    """The JWE compact serialization of `plaintext` to `key` (a fresh content key each time); `cty` says what is
    inside (JSON, or an attachment's media type)."""
    header = {"alg": KEY_ENCRYPTION, "enc": CONTENT_ENCRYPTION, "kid": key.kid, "cty": content_type}
    return jwe.encrypt_compact(header, plaintext, key, registry=_REGISTRY)


def decrypt(token: str | bytes, private_keys: Sequence[RSAKey], registry: jwe.JWERegistry = _REGISTRY) -> bytes:
    """The plaintext, with whichever of the agency's private keys the record names by `kid`."""
    try:
        opened = jwe.decrypt_compact(token, KeySet(list(private_keys)), registry=registry)
    except (JoseError, ValueError, UnicodeError) as error:  # not a JWE, another agency's key, a retired kid
        raise NotForThisAgency(type(error).__name__) from error
    return opened.plaintext or b""


class AccessRefused(Exception):
    """An access token that does not let its bearer fetch this attachment (the reason names the check, never the
    token)."""


def access_token(*, agency_id: str, attachment_id: str, key: RSAKey, now: int) -> str:
    """The agency's bearer token for fetching one attachment, signed with its signing key; `now` in Unix seconds."""
    claims = {
        "iss": agency_id,
        "aud": ATTACHMENT_AUDIENCE,
        "sub": attachment_id,
        "iat": now,
        "exp": now + ACCESS_TOKEN_SECONDS,
    }
    header = {"alg": SIGNATURE, "kid": key.kid, "typ": "JWT"}
    payload = json.dumps(claims, separators=(",", ":")).encode()
    return jws.serialize_compact(header, payload, key, registry=_SIGNATURES)


def check_access_token(
    token: str, *, agency_id: str, attachment_id: str, public_keys: Sequence[RSAKey], now: int, leeway: int = 30
) -> None:
    """That `token` was signed by one of the agency's registered signing keys, for this agency, audience and
    attachment, and is valid now (iat and exp within ACCESS_TOKEN_SECONDS of each other, a little clock leeway)."""
    try:
        claims = json.loads(verify(token, public_keys))
    except NotSignedByAgency as refused:
        raise AccessRefused(f"not signed by the agency ({refused})") from None
    except ValueError:
        raise AccessRefused("the token's payload is not JSON") from None
    if not isinstance(claims, dict):
        raise AccessRefused("the token's payload is not a JSON object")
    expected = {"iss": agency_id, "aud": ATTACHMENT_AUDIENCE, "sub": attachment_id}
    for name, value in expected.items():
        if claims.get(name) != value:
            raise AccessRefused(f"the token's {name} is not {value!r}")
    issued, expires = claims.get("iat"), claims.get("exp")
    if not isinstance(issued, int) or not isinstance(expires, int) or isinstance(issued, bool):
        raise AccessRefused("the token needs iat and exp as whole seconds")
    if not 0 < expires - issued <= ACCESS_TOKEN_SECONDS:
        raise AccessRefused(f"the token must expire within {ACCESS_TOKEN_SECONDS} seconds of being issued")
    if not issued - leeway <= now < expires + leeway:
        raise AccessRefused("the token is expired or not yet valid")


class AttachmentAltered(Exception):
    """The decrypted file is not the one the application names (its SHA-256 differs)."""


def open_attachment(token: str | bytes, private_keys: Sequence[RSAKey], sha256: str) -> bytes:
    """The attachment's bytes, decrypted with the agency's keys and checked against the SHA-256 the application's
    attachment reference names."""
    content = decrypt(token, private_keys, _ATTACHMENTS)
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise AttachmentAltered(f"the attachment is larger than {MAX_ATTACHMENT_BYTES} bytes")
    if hashlib.sha256(content).hexdigest() != sha256:
        raise AttachmentAltered("the attachment's SHA-256 is not the one the application names")
    return content
