"""Field-level envelope encryption of personal data on internal topics.

Each value is encrypted (AES-256-GCM) with a data key of its own, and that data key is encrypted (wrapped) with
the key of its purpose (civicflow.shared.security.keys), which only the services allowed to read the value
hold. Both are bound to the submission and the field they belong to (GCM's associated data), so a sealed value
copied into another submission's event, or into another field, does not open: a service that cannot seal
cannot forge an event that opens either. A reader of the raw topic without the key sees only the envelope.
"""

import base64
import functools
import os
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from civicflow.shared.security.keys import KEY_BYTES, KeyName, Keyring, keyring
from civicflow.shared.settings import FieldKeySettings

NONCE_BYTES = 12
Base64 = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]*$", max_length=1_400_000)]
T = TypeVar("T")


class Sealed(BaseModel):
    """A value only the holders of `sealed_for`'s key can read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sealed_for: KeyName
    key_id: str = Field(max_length=32)
    wrapped_key: Base64
    ciphertext: Base64


@dataclass(frozen=True)
class SealedField(Generic[T]):
    """A field of personal data on an internal topic: its name, the key that seals it, what it holds."""

    name: str
    key: KeyName
    holds: Any  # the type T, or a typing form such as dict[str, Any]


class Unsealable(ValueError):
    """A sealed value that does not open with our keys for this submission and field: forged, copied or corrupt.
    It comes from the message, so it is permanent for that message (a dead letter), never a reason to stop."""


@functools.cache
def _adapter(holds: Any) -> TypeAdapter[Any]:
    """One adapter per type: building one costs far more than the sealing itself."""
    return TypeAdapter(holds)


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _context(field: SealedField[Any], submission_id: UUID) -> bytes:
    return f"civicflow/{field.key}/{field.name}/{submission_id}".encode()


class Sealer:
    """Seals and opens values with the keys one service holds."""

    def __init__(self, keyrings: dict[KeyName, Keyring]) -> None:
        self._keyrings = keyrings

    def seal(self, field: SealedField[T], value: T, submission_id: UUID) -> Sealed:
        keyring = self._keyrings[field.key]
        context = _context(field, submission_id)
        data_key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
        plaintext = _adapter(field.holds).dump_json(value)
        nonce, key_nonce = os.urandom(NONCE_BYTES), os.urandom(NONCE_BYTES)
        return Sealed(
            sealed_for=field.key,
            key_id=keyring.current_id,
            wrapped_key=_encode(key_nonce + AESGCM(keyring.current).encrypt(key_nonce, data_key, context)),
            ciphertext=_encode(nonce + AESGCM(data_key).encrypt(nonce, plaintext, context)),
        )

    def open(self, field: SealedField[T], sealed: Sealed, submission_id: UUID) -> T:
        keyring = self._keyrings.get(field.key)
        key = keyring.keys.get(sealed.key_id) if keyring and sealed.sealed_for == field.key else None
        if key is None:
            raise Unsealable(f"{field.name}: no key {sealed.sealed_for}/{sealed.key_id} here")
        context = _context(field, submission_id)
        try:
            wrapped, data = _decode(sealed.wrapped_key), _decode(sealed.ciphertext)
            data_key = AESGCM(key).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], context)
            plaintext = AESGCM(data_key).decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], context)
            opened: T = _adapter(field.holds).validate_json(plaintext)
        except (InvalidTag, ValueError) as error:
            raise Unsealable(f"{field.name} does not open: {type(error).__name__}") from None
        return opened


def sealer_for(settings: FieldKeySettings, *names: KeyName) -> Sealer:
    """The sealer of a service that holds the keys `names`; refuses to build without one of them."""
    return Sealer({name: keyring(settings, name) for name in names})
