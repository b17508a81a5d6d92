"""Cross-site request forgery protection for the page's form posts (OWASP CSRF Prevention Cheat Sheet): a random
token in a SameSite=Strict cookie and the same token in a hidden field ("double submit cookie"), plus the Origin
header, where the browser sends one, naming this site."""

import hmac
import secrets
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "civicflow_csrf"
FIELD = "csrf"
# A journey of filling, checking and submitting fits in a working day; a stale page simply starts again.
MAX_AGE_SECONDS = 8 * 3600


def token_for(request: Request) -> str:
    """The token this browser holds already, else a new one (set with `remember`)."""
    held = request.cookies.get(COOKIE, "")
    return held if 20 <= len(held) <= 64 else secrets.token_urlsafe(32)


def remember(response: Response, token: str, *, secure: bool) -> None:
    response.set_cookie(
        COOKIE, token, max_age=MAX_AGE_SECONDS, path="/", secure=secure, httponly=True, samesite="strict"
    )


def genuine(request: Request, posted: object) -> bool:
    held = request.cookies.get(COOKIE, "")
    if not (isinstance(posted, str) and held and hmac.compare_digest(held.encode(), posted.encode())):
        return False
    # A browser that sends no Origin, or "null" (as the Fetch standard has it for a page sent with
    # Referrer-Policy: no-referrer, and some privacy settings do), leaves the decision to the token.
    origin = request.headers.get("origin")
    return origin in (None, "null") or urlsplit(origin).netloc == request.headers.get("host", "")
