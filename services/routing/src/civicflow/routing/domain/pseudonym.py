"""The citizen id an agency sees: the same for every application of one person to that agency, and different
at every other agency, so two agencies cannot join their records on it (data minimisation, GDPR Art. 5(1)(c)
and pseudonymisation, Art. 4(5)). An HMAC (RFC 2104) of the agency id and identity's citizen id under a key
only routing holds: identity cannot compute it from its own id, an agency cannot compute another agency's."""

import base64
import hashlib
import hmac

# Domain separation: this key's HMACs are never confused with those of any other purpose it might be reused for.
_PURPOSE = b"civicflow-agency-pseudonym\x00"


def agency_citizen_id(key: bytes, agency_id: str, citizen_id: str | None) -> str | None:
    """None stays None: an application filed without identity has no citizen id at any agency."""
    if citizen_id is None:
        return None
    message = _PURPOSE + agency_id.encode() + b"\x00" + citizen_id.encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:32]  # 160 bits, as identity's (CitizenId)
