"""The operators' credential: a bearer token (RFC 6750) configured as INSIGHTS_OPERATOR_TOKEN, compared in constant
time (OWASP ASVS 2.9.3 / CWE-208)."""

import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr

from civicflow.insights.entrypoints.problems import Problem

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="OperatorToken",
    description="The operators' token, INSIGHTS_OPERATOR_TOKEN",
)


def operator_only(expected: SecretStr | None) -> Callable[..., Awaitable[None]]:
    """A dependency that lets only a request with the operators' token through."""

    async def check(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
        sent = credentials.credentials if credentials else None
        if (
            expected is None
            or sent is None
            or not hmac.compare_digest(sent.encode(), expected.get_secret_value().encode())
        ):
            raise _unauthorized(sent is not None)

    return check


def _unauthorized(token_sent: bool) -> Problem:
    # RFC 6750 §3.1: error="invalid_token" for a token that does not do; a request without one gets no error code.
    challenge = 'Bearer error="invalid_token"' if token_sent else "Bearer"
    return Problem(
        401,
        "invalid-token",
        "Invalid operator token",
        "Send the operators' token as a bearer token.",
        headers={"WWW-Authenticate": challenge},
    )
