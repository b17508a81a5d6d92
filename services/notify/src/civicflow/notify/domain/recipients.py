"""Whom notify counts and remembers (domain.flooding): an HMAC (RFC 2104) of the normalised address or of the
sender's citizen id, never the address or the id. The address is personal data notify may open only to send; a count
kept under its HMAC tells a reader of the store nothing without the key, and cannot be turned back into an address."""

import hashlib
import hmac
import re
import unicodedata

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# The HKDF label (RFC 5869 "info"): fixed, because another label is another key, under which every count and bounce
# kept so far is forgotten.
COUNTING_KEY_LABEL = b"civicflow notify: recipient and sender key for sending limits, v1"
# What people put between the digits of a phone number (E.164 has none of it).
_PHONE_PUNCTUATION = re.compile(r"[\s\-./()]")


def counting_key(contact_key: bytes) -> bytes:
    """Derived from the CONTACT key (the one notify opens addresses with) under a label of its own: a new key name
    would have to be provisioned wherever keys are (deploy/local, compose, k8s, generate-secrets) for a value no one
    needs to know, and HKDF keeps the HMAC key apart from the encryption key. Rotating the CONTACT key derives a new
    one: counts start again and bounces are forgotten."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=COUNTING_KEY_LABEL).derive(contact_key)


def normalised(address: str) -> str:
    """One mailbox however it is written, else an address could be varied without end to escape its limit. E-mail:
    NFC, lower case, and no sub-address ("erika+1@" is erika's mailbox, RFC 5233); a phone number or portal id:
    without spaces and punctuation. Where a server takes case or "+" as part of the name, two mailboxes share one
    count: that errs towards sending less."""
    text = unicodedata.normalize("NFC", address.strip()).casefold()
    if "@" not in text:
        return _PHONE_PUNCTUATION.sub("", text)
    local, _, domain = text.rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def recipient_key(key: bytes, address: str) -> str:
    return _keyed(key, "recipient", normalised(address))


def sender_key(key: bytes, citizen_id: str) -> str:
    """The citizen id is a pseudonym already, but notify has no other need to keep it."""
    return _keyed(key, "sender", citizen_id)


def _keyed(key: bytes, kind: str, value: str) -> str:
    # The kind in front, so that no address and citizen id ever share a count.
    return hmac.new(key, f"{kind}\0{value}".encode(), hashlib.sha256).hexdigest()
