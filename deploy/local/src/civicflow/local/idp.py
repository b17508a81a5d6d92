"""A development identity provider: its signing keys (rotated with `civicflow idp-rotate`), signed identity
tokens, and its OpenID Connect endpoints (oidc_provider) over HTTP.

It stands in for a real eID provider (e.g. the German eID via an OpenID Connect broker) on a developer's
machine. Tokens carry the OpenID Connect claims given_name, family_name and birthdate, and the eIDAS level of
assurance as an `acr` URI. Never used outside dev: the key lives unencrypted under var/.
"""

import json
import time
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from civicflow.shared.identity_providers import EIDAS_LOA

AUDIENCE = "civicflow"
# The eIDAS level URIs as the provider writes them in `acr` (defined once, in shared.identity_providers).
LOA_URIS: dict[str, str] = {level: uri for uri, level in EIDAS_LOA.items()}
TOKEN_LIFETIME_SECONDS = 15 * 60
CURRENT = "signing-key.pem"
PREVIOUS = "previous-signing-key.pem"


class SigningKey:
    def __init__(self, private_key: ec.EllipticCurvePrivateKey) -> None:
        self.private_key = private_key
        public_der = private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.kid = uuid.uuid5(uuid.NAMESPACE_OID, public_der.hex()).hex[:16]

    @classmethod
    def load(cls, path: Path) -> "SigningKey":
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return cls(key)

    @classmethod
    def load_or_create(cls, state_dir: Path) -> "SigningKey":
        path = state_dir / CURRENT
        if not path.exists():
            state_dir.mkdir(parents=True, exist_ok=True)
            pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(pem)
            tmp.chmod(0o600)
            tmp.replace(path)
        return cls.load(path)

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.private_key.public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "ES256"})
        return {"keys": [jwk]}

    def issue(
        self,
        *,
        issuer: str,
        given_name: str,
        family_name: str,
        birth_date: date,
        loa: str,
        audience: str = AUDIENCE,
        lifetime_seconds: int = TOKEN_LIFETIME_SECONDS,
        nonce: str | None = None,
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": issuer,
            "aud": audience,
            "sub": subject_of(given_name, family_name, birth_date),
            "iat": now,
            "nbf": now,
            "exp": now + lifetime_seconds,
            "jti": uuid.uuid4().hex,
            "acr": LOA_URIS[loa],
            "given_name": given_name,
            "family_name": family_name,
            "birthdate": birth_date.isoformat(),
        }
        if nonce is not None:
            claims["nonce"] = nonce
        return jwt.encode(claims, self.private_key, algorithm="ES256", headers={"kid": self.kid})


@dataclass(frozen=True)
class KeyPair:
    """The key that signs now, and the one before it: both are in the JWKS until the next rotation, so a token
    signed just before a rotation still verifies (RFC 7517 key sets; OpenID Connect Core §10.1.1)."""

    current: SigningKey
    previous: SigningKey | None

    @classmethod
    def load_or_create(cls, state_dir: Path) -> "KeyPair":
        current = SigningKey.load_or_create(state_dir)
        previous_path = state_dir / PREVIOUS
        return cls(current, SigningKey.load(previous_path) if previous_path.exists() else None)

    @classmethod
    def rotate(cls, state_dir: Path) -> "KeyPair":
        """A new current key; the current one becomes the previous, the previous one is dropped."""
        SigningKey.load_or_create(state_dir)
        (state_dir / CURRENT).replace(state_dir / PREVIOUS)
        return cls.load_or_create(state_dir)

    def jwks(self) -> dict[str, Any]:
        keys = [*self.current.jwks()["keys"], *(self.previous.jwks()["keys"] if self.previous else [])]
        return {"keys": keys}


def subject_of(given_name: str, family_name: str, birth_date: date) -> str:
    """The dev provider's stable identifier for a person, as a real provider keeps one per account."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"civicflow-dev-idp:{given_name}|{family_name}|{birth_date}").hex


def issuer_url(port: int, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{port}"
