"""A development identity provider: one signing key, its JWKS over HTTP, and signed identity tokens.

It stands in for a real eID provider (e.g. the German eID via an OpenID Connect broker) on a developer's
machine. Tokens carry the OpenID Connect claims given_name, family_name and birthdate, and the eIDAS level of
assurance as an `acr` URI. Never used outside dev: the key lives unencrypted under var/.
"""

import argparse
import json
import time
import uuid
from datetime import date
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

AUDIENCE = "civicflow"
LOA_URIS = {level: f"http://eidas.europa.eu/LoA/{level}" for level in ("low", "substantial", "high")}
TOKEN_LIFETIME_SECONDS = 15 * 60


class SigningKey:
    def __init__(self, private_key: ec.EllipticCurvePrivateKey) -> None:
        self.private_key = private_key
        public_der = private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.kid = uuid.uuid5(uuid.NAMESPACE_OID, public_der.hex()).hex[:16]

    @classmethod
    def load_or_create(cls, state_dir: Path) -> "SigningKey":
        path = state_dir / "signing-key.pem"
        if not path.exists():
            state_dir.mkdir(parents=True, exist_ok=True)
            pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(pem)
            tmp.chmod(0o600)
            tmp.replace(path)
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return cls(key)

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
        return jwt.encode(claims, self.private_key, algorithm="ES256", headers={"kid": self.kid})


def subject_of(given_name: str, family_name: str, birth_date: date) -> str:
    """The dev provider's stable identifier for a person, as a real provider keeps one per account."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"civicflow-dev-idp:{given_name}|{family_name}|{birth_date}").hex


def issuer_url(port: int, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{port}"


def serve(state_dir: Path, host: str, port: int) -> None:
    key = SigningKey.load_or_create(state_dir)
    documents = {
        "/.well-known/jwks.json": key.jwks(),
        "/.well-known/openid-configuration": {
            "issuer": issuer_url(port, host),
            "jwks_uri": f"{issuer_url(port, host)}/.well-known/jwks.json",
            "id_token_signing_alg_values_supported": ["ES256"],
            "acr_values_supported": list(LOA_URIS.values()),
        },
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            document = documents.get(self.path)
            body = json.dumps(document if document is not None else {"error": "not found"}).encode()
            self.send_response(HTTPStatus.OK if document is not None else HTTPStatus.NOT_FOUND)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    ThreadingHTTPServer((host, port), Handler).serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description="CivicFlow development identity provider")
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args()
    serve(args.state_dir, args.host, args.port)


if __name__ == "__main__":
    main()
