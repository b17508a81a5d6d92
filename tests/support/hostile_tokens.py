"""Identity tokens an attacker might send: every kind of header, algorithm, key id, payload and signature that
is not a token signed by the identity provider for this applicant."""

import base64
import json
import random
from collections.abc import Callable, Iterator
from typing import Any

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
