"""Sample data the unit tests of several modules share: Erika's identity token from the dev provider, the
provider identity checks it against, and a valid application body."""

import copy
from datetime import date
from typing import Any

from civicflow.local.idp import SigningKey
from civicflow.local.sample import BUSINESS_REGISTRATION, ERIKA
from civicflow.shared.identity_providers import IdentityProvider

ISSUER = "http://127.0.0.1:8090"
EXPECTED = IdentityProvider(name="dev", issuer=ISSUER, audience="civicflow")


def token(key: SigningKey, **overrides: Any) -> str:
    """Erika's token at level substantial, as the dev provider signs it, with `overrides` of its claims."""
    claims: dict[str, Any] = {
        "issuer": ISSUER,
        "given_name": "Erika",
        "family_name": "Mustermann",
        "birth_date": date(1964, 8, 12),
        "loa": "substantial",
    }
    claims.update(overrides)
    return key.issue(**claims)


def valid_body() -> dict[str, Any]:
    """A business registration as the API takes it (the token is not checked by intake)."""
    return {
        "service_id": "99050012104000",
        "identity_token": "header.payload.signature",
        "applicant": copy.deepcopy(ERIKA),
        "form": dict(BUSINESS_REGISTRATION),
    }
