"""Whether a request the browser sent with our cookies comes from our own pages (OWASP CSRF Prevention Cheat
Sheet, "Verifying Origin With Standard Headers"): its Origin header names this site."""

from urllib.parse import urlsplit

from starlette.requests import Request


def from_this_site(request: Request, *, allow_null: bool) -> bool:
    """True when the Origin header names the host the request was sent to, or there is none (a client that is
    not a browser; browsers send one with every PUT, DELETE and cross-origin request). "null" (a page sent with
    Referrer-Policy: no-referrer, some privacy settings) only where something else decides, such as a CSRF token."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    if origin == "null":
        return allow_null
    return urlsplit(origin).netloc == request.headers.get("host", "")
