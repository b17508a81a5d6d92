"""Attacks on identity verification through the real pipeline: each refused with its own reason in the citizen's
status timeline, none on an agency topic; a name written another way is still the same person."""

import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from civicflow.local.idp import AUDIENCE, TOKEN_LIFETIME_SECONDS, SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import BUSINESS_REGISTRATION, ERIKA
from civicflow.local.tail import open_tail
from civicflow.shared import topics
from tests.support.hostile_tokens import hmac_signed_with, unsigned, with_claims
from tests.support.journeys import Posted, post, until_settled

pytestmark = pytest.mark.e2e

AGENCY = topics.agency_submissions("koeln-gewerbe")
SERVICE = "99050012104000"  # business registration, level "substantial"
MUELLER = ERIKA | {"family_name": "Müller"}


def filed(token: str) -> dict[str, Any]:
    return {"service_id": SERVICE, "identity_token": token, "applicant": MUELLER, "form": BUSINESS_REGISTRATION}


def issued(
    key: SigningKey,
    issuer: str,
    family_name: str = "Mueller",
    audience: str = AUDIENCE,
    lifetime_seconds: int = TOKEN_LIFETIME_SECONDS,
) -> str:
    """A token for Erika Müller, as the provider writes her name unless told otherwise."""
    birth_date = date(1964, 8, 12)
    return key.issue(
        issuer=issuer,
        given_name="Erika",
        family_name=family_name,
        birth_date=birth_date,
        loa="substantial",
        audience=audience,
        lifetime_seconds=lifetime_seconds,
    )


def attacks(provider: SigningKey, forger: SigningKey, issuer: str) -> dict[str, tuple[str, str]]:
    """What is tried → (its token, the expected reason or "routed")."""

    def valid(**options: Any) -> str:
        return issued(provider, issuer, **options)

    def changed(**changes: Any) -> str:
        return with_claims(valid(), provider.private_key, provider.kid, **changes)

    public_pem = provider.private_key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    return {
        "umlaut transliterated": (valid(), "routed"),
        "forged": (with_claims(valid(), forger.private_key, provider.kid), "signature_invalid"),
        "unknown key": (issued(forger, issuer), "signature_invalid"),
        "alg none": (unsigned(valid(), provider.kid), "signature_invalid"),
        "HS256 with the public key": (hmac_signed_with(valid(), public_pem, provider.kid), "signature_invalid"),
        "expired": (valid(lifetime_seconds=-120), "token_expired"),
        "not yet valid": (changed(nbf=int(time.time()) + 600), "token_not_yet_valid"),
        "valid for 100 years": (valid(lifetime_seconds=100 * 365 * 24 * 3600), "token_lifetime_too_long"),
        "expiry as a string": (changed(exp=str(int(time.time()) + 600)), "token_malformed"),
        "wrong audience": (valid(audience="someone-else"), "audience_mismatch"),
        "wrong issuer": (issued(provider, "https://evil.example"), "issuer_mismatch"),
        "no jti": (changed(jti=None), "claims_missing"),
        "another name": (valid(family_name="Muller"), "applicant_mismatch"),
    }


async def test_each_attack_is_refused_with_its_reason_and_reaches_no_agency(stack: Layout, tmp_path: Path) -> None:
    provider = SigningKey.load_or_create(stack.idp_state_dir)
    forger = SigningKey.load_or_create(tmp_path / "forger")
    cases = attacks(provider, forger, stack.idp_issuer)
    consumer = await open_tail(stack.kafka_admin, AGENCY)
    posted: dict[str, Posted] = {}
    try:
        async with httpx.AsyncClient(base_url=stack.intake_url, timeout=10.0) as client:
            for name, (token, expect) in cases.items():
                posted[name] = await post(client, filed(token), "routed" if expect == "routed" else "rejected")
            for name, (_, expect) in cases.items():
                status = await until_settled(client, posted[name])
                assert status["status"] == posted[name].expect, name
                if expect != "routed":
                    rejected = next(entry for entry in status["timeline"] if entry["step"] == "rejected")
                    assert rejected["reason"] == expect, name
            # A marker after them all: once it is on the agency topic, anything of theirs would be seen too.
            marker = await post(client, filed(issued(provider, stack.idp_issuer)), "routed")
        delivered: set[str] = set()
        deadline = time.monotonic() + 60
        while marker.submission_id not in delivered:
            assert time.monotonic() < deadline, "the marker did not reach the agency"
            for records in (await consumer.getmany(timeout_ms=500)).values():
                delivered |= {(record.key or b"").decode() for record in records}
        # The marker is behind them in its own partition only: read every partition up to its end as well.
        ends = await consumer.end_offsets(list(consumer.assignment()))
        while any([await consumer.position(partition) < end for partition, end in ends.items()]):
            assert time.monotonic() < deadline, "the agency topic was not read to its end"
            for records in (await consumer.getmany(timeout_ms=500)).values():
                delivered |= {(record.key or b"").decode() for record in records}
    finally:
        await consumer.stop()
    arrived = {name for name, item in posted.items() if item.submission_id in delivered}
    assert arrived == {"umlaut transliterated"}
