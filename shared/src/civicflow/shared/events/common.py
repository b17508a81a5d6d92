"""Value objects shared by several events."""

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from civicflow.shared.security.sealing import Sealed

Language = Literal["de", "en"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
PostalCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{5}$")]


class Address(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    street: Name
    postal_code: PostalCode
    city: Name


class Applicant(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    given_name: Name
    family_name: Name
    birth_date: date
    email: EmailStr
    language: Language = "de"
    address: Address


class Recipient(BaseModel):
    """Where and how the citizen wants to hear about their application; the address (an e-mail address) is
    sealed for notify (events.personal.CONTACT_ADDRESS)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    address: Sealed
    language: Language
    channel: str = Field(default="email", pattern=r"^[a-z][a-z0-9-]{0,31}$")
