"""Signing in on the page without a browser: the same OpenID Connect round trip through the dev identity provider
that a browser makes (intake's /sign-in, the provider's authorize form, intake's callback), leaving the session
cookie in the client."""

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from civicflow.local.sample import ERIKA

PASSED_ON = ("response_type", "client_id", "redirect_uri", "state", "nonce", "code_challenge", "code_challenge_method")


async def sign_in(
    client: httpx.AsyncClient, query: dict[str, str], level: str = "substantial", person: dict[str, Any] | None = None
) -> httpx.Response:
    """Sign in as `person` (Erika) at `level`; `query` is what /sign-in is asked with (e.g. a service id). Returns
    the callback's answer (a redirect to where the page goes on)."""
    person = person or ERIKA
    begun = await client.get("/sign-in", params=query)
    assert begun.status_code == 303, begun.text[:300]
    authorize = urlsplit(begun.headers["location"])
    params = dict(parse_qsl(authorize.query))
    form = {name: params[name] for name in PASSED_ON if name in params}
    form |= {
        "given_name": person["given_name"],
        "family_name": person["family_name"],
        "birthdate": person["birth_date"],
        "level": level,
    }
    async with httpx.AsyncClient(timeout=10.0) as provider:
        granted = await provider.post(f"{authorize.scheme}://{authorize.netloc}/authorize", data=form)
    assert granted.status_code == 303, granted.text[:300]
    back = urlsplit(granted.headers["location"])
    called_back = await client.get(f"{back.path}?{back.query}")
    assert called_back.status_code == 303, called_back.text[:300]
    return called_back
