"""Identity tokens an attacker might send: every kind of header, algorithm, key id, payload and signature that
is not a token signed by the identity provider for this applicant."""

import base64
import hashlib
import hmac
import json
import random
from collections.abc import Callable, Iterator
from typing import Any

import jwt

ALGORITHMS: list[Any] = [
    "none",
    "None",
    "HS256",
    "HS512",
    "RS256",
    "PS256",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
    "",
    "ES256 ",
    "es256",
    256,
    None,
    ["ES256"],
    {"alg": "ES256"},
    "A" * 300,
]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(value: Any) -> str:
    return b64(json.dumps(value).encode())


def hostile_tokens(valid: str, kid: str, count: int, seed: int = 5) -> list[str]:
    """`count` tokens derived from a valid one, each broken in a different way (reproducible by seed)."""
    rng = random.Random(seed)
    header, payload, signature = valid.split(".")
    makers: list[Callable[[], str]] = [
        lambda: ".".join([segment({"alg": rng.choice(ALGORITHMS), "kid": kid, "typ": "JWT"}), payload, signature]),
        lambda: ".".join([segment({"alg": "ES256", "kid": rng.choice(_key_ids(rng, kid))}), payload, signature]),
        lambda: ".".join([header, payload, b64(rng.randbytes(rng.choice([0, 1, 63, 64, 65, 512])))]),
        lambda: ".".join([header, segment(_claims(rng)), signature]),
        lambda: ".".join([header, b64(rng.randbytes(rng.randint(0, 200))), signature]),
        lambda: ".".join([b64(rng.randbytes(rng.randint(1, 60))), payload, signature]),
        lambda: ".".join([segment(rng.choice([[], "x", 1, None, {"kid": kid}])), payload, signature]),
        lambda: rng.choice(["", ".", "..", "...", "a.b", "a.b.c.d.e", valid + "."]) or "x",
        lambda: valid[: rng.randint(1, len(valid) - 1)],
        lambda: valid.replace(rng.choice(valid[:20]), rng.choice("!*%$ä€\u0000\ufffd"), 1),
        lambda: ".".join([header, payload, signature[::-1]]),
        lambda: "".join(rng.choice("ABCdef012-_.=+/") for _ in range(rng.randint(1, 4000))),
    ]
    tokens = [makers[index % len(makers)]() for index in range(count)]
    return [token if token != valid else token + "x" for token in tokens]


def _key_ids(rng: random.Random, kid: str) -> list[Any]:
    return [None, "", kid[::-1], kid + " ", "../../etc/passwd", 12345, ["a"], "x" * 5000, rng.randbytes(8).hex()]


def _claims(rng: random.Random) -> Any:
    choices: Iterator[Any] = iter(
        [
            {"exp": "tomorrow", "iat": 0, "iss": "x", "aud": "civicflow", "sub": "s"},
            {"exp": float("nan"), "iat": True, "iss": None, "aud": ["civicflow", 1], "sub": {}},
            [],
            "claims",
            42,
            None,
            {"given_name": "Erika"},
        ]
    )
    return rng.choice(list(choices))


# The order of the group of NIST P-256 (FIPS 186-5 / SEC 2), the curve of ES256.
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def with_s_flipped(token: str) -> str:
    """The same ES256 token with its signature (r, s) written as (r, n - s): another byte string, just as valid
    (ECDSA signatures are malleable), with the same claims and `jti`."""
    header, payload, signature = token.split(".")
    raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    r, s = raw[:32], int.from_bytes(raw[32:], "big")
    return ".".join([header, payload, b64(r + (P256_ORDER - s).to_bytes(32, "big"))])


def hmac_signed_with(token: str, secret: bytes, kid: str) -> str:
    """The token's claims under an HS256 header, signed with `secret` (e.g. the provider's public key, which
    everyone has): the algorithm confusion of RFC 8725 §2.1."""
    payload = token.split(".")[1]
    signing_input = f"{segment({'alg': 'HS256', 'kid': kid, 'typ': 'JWT'})}.{payload}"
    return f"{signing_input}.{b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"


def with_claims(token: str, key: Any, kid: str, **changes: Any) -> str:
    """The token's claims with some changed (None: left out), signed again with `key` (an EC private key) as
    ES256: what a provider that issues odd tokens, or one who holds its key, would send."""
    claims = jwt.decode(token, options={"verify_signature": False})
    claims.update(changes)
    kept = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(kept, key, algorithm="ES256", headers={"kid": kid})


def unsigned(token: str, kid: str) -> str:
    """The token's claims under `alg: none`, with no signature."""
    return f"{segment({'alg': 'none', 'kid': kid, 'typ': 'JWT'})}.{token.split('.')[1]}."
