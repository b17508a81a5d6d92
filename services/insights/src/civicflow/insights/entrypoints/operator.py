"""The operators' credential: a token configured as INSIGHTS_OPERATOR_TOKEN, compared in constant time (OWASP ASVS
2.9.3 / CWE-208). The API takes it as a bearer token (RFC 6750); the staff page also as HTTP Basic's password (RFC
7617, any user name), so that a browser asks for it and sends it on to the page's CSV and JSON links."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBasic, HTTPBasicCredentials, HTTPBearer
from pydantic import SecretStr

from civicflow.shared.operators import operator_token_matches
from civicflow.shared.problems import Problem

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="OperatorToken",
    description="The operators' token, INSIGHTS_OPERATOR_TOKEN",
)


basic = HTTPBasic(auto_error=False, scheme_name="OperatorPassword", realm="CivicFlow insights")
# What a browser is asked for on the staff page: the token as the password.
PAGE_CHALLENGE = 'Basic realm="CivicFlow insights", charset="UTF-8"'


def operator_only(expected: SecretStr | None, *, page: bool = False) -> Callable[..., Awaitable[None]]:
    """A dependency that lets only a request with the operators' token through (for the `page`, Basic's too)."""

    async def check(
        token: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        password: Annotated[HTTPBasicCredentials | None, Depends(basic)],
    ) -> None:
        sent = token.credentials if token else (password.password if password and page else None)
        if not operator_token_matches(sent, expected):
            raise _unauthorized(sent is not None, page)

    return check


def _unauthorized(token_sent: bool, page: bool) -> Problem:
    # RFC 6750 §3.1: error="invalid_token" for a token that does not do; a request without one gets no error code.
    challenge = 'Bearer error="invalid_token"' if token_sent else "Bearer"
    if page:
        challenge = f"{PAGE_CHALLENGE}, {challenge}"
    return Problem(
        401,
        "invalid-token",
        "Invalid operator token",
        "Send the operators' token as a bearer token.",
        headers={"WWW-Authenticate": challenge},
    )
