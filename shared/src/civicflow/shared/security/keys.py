"""The keys for personal data on internal topics, one per purpose, each held only by the services that need it.

A key setting is `<key id>:<base64url of 32 random bytes>`, optionally followed by older keys separated by
commas: the first seals, every one listed opens what it sealed, so a key is rotated by putting a new one in
front and dropping the old one once nothing sealed with it is kept any more (README, "Security")."""

import base64
import binascii
import re
from dataclasses import dataclass
from enum import StrEnum

from pydantic import SecretStr

from civicflow.shared.settings import FieldKeySettings

KEY_BYTES = 32  # AES-256
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class KeyName(StrEnum):
    # The applicant's personal data and the form: sealed by intake, opened by identity and routing.
    APPLICANT = "applicant"
    # The identity assertion: sealed by intake, opened by identity alone.
    IDENTITY_TOKEN = "identity_token"  # noqa: S105 - the name of a key, not a secret
    # Where the citizen is told about their application (an e-mail address): sealed by intake, opened by notify.
    CONTACT = "contact"
    # The key of the pseudonymous citizen id (an HMAC key, never an encryption key): identity and intake.
    PSEUDONYM = "pseudonym"
    # Routing's key for the citizen id each agency sees, derived from identity's (an HMAC key): held by routing
    # alone, so neither identity nor an agency can link one agency's ids to another's.
    AGENCY_PSEUDONYM = "agency_pseudonym"
    # The once-only profile (verified attributes, address, contact preferences): identity keeps it, intake shows
    # it to the signed-in citizen; both seal and open it, no other service holds the key.
    PROFILE = "profile"
    # What the agency and the citizen say to each other about an application: the agency's reason for its decision
    # (routing seals it; intake shows it on the status page, notify mails it) and the citizen's answer to a request
    # for information (intake seals it, routing carries it to the agency, encrypted to the agency's key).
    CORRESPONDENCE = "correspondence"

    @property
    def variable(self) -> str:
        return f"CIVICFLOW_KEYS_{self.name}"


class KeySettingError(ValueError):
    """A key setting that is missing or malformed."""


@dataclass(frozen=True)
class Keyring:
    current_id: str
    keys: dict[str, bytes]

    @property
    def current(self) -> bytes:
        return self.keys[self.current_id]

    @classmethod
    def parse(cls, name: KeyName, setting: str) -> "Keyring":
        keys: dict[str, bytes] = {}
        for entry in setting.split(","):
            key_id, _, encoded = entry.strip().partition(":")
            try:
                key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            except (binascii.Error, ValueError):
                key = b""
            if not _KEY_ID.match(key_id) or len(key) != KEY_BYTES:
                raise KeySettingError(f"{name.variable}: each key must be <id>:<base64url of {KEY_BYTES} bytes>")
            keys.setdefault(key_id, key)
        return cls(next(iter(keys)), keys)


def keyring(settings: FieldKeySettings, name: KeyName) -> Keyring:
    """The keys for `name`; a service that needs them does not start without them."""
    setting: SecretStr | None = getattr(settings, name.value)
    if setting is None:
        raise KeySettingError(f"{name.variable} is not set, and this service needs it")
    return Keyring.parse(name, setting.get_secret_value())
