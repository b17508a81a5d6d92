"""Value objects shared by several events."""

import re
import unicodedata
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from civicflow_agency import wire
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from civicflow.shared.security.sealing import Sealed

Language = Literal["de", "en"]
# Unicode categories no name or address needs: controls (NUL, ANSI escapes), format characters (right-to-left
# overrides, zero-width spaces), surrogates, private use and unassigned code points.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
# The start of an HTML or XML tag, comment or declaration ("<b", "</", "<!", "<?"): a "<" before a letter or one
# of those marks. A comparison ("< 5", "> 0") and an ampersand are plain text and stay allowed.
_MARKUP = re.compile(r"<\s*[A-Za-z/!?]")


def plain_text(value: str) -> str:
    """Text as a person would type it: NFC-normalised, no control or format characters, no markup (what reaches an
    agency's system is text, never a tag it might render), something visible."""
    value = unicodedata.normalize("NFC", value)
    if any(unicodedata.category(character) in _INVISIBLE for character in value):
        raise ValueError("must not contain control or invisible formatting characters")
    if _MARKUP.search(value):
        raise ValueError("must not contain markup such as <tags>")
    if not any(character.isalnum() for character in value):
        raise ValueError("must contain a letter or a digit")
    return value


def letter_text(value: str) -> str:
    """Text of several lines, as the agency writes a reason or the citizen an answer: the rule both sides of the
    agency contract apply (civicflow_agency.wire.letter)."""
    return wire.letter(value)


def _iso_date(value: Any) -> Any:
    # pydantic would also take a number as seconds since 1970 (0 is 1970-01-01): a date is written as one.
    if isinstance(value, str | date):
        return value
    raise ValueError("must be a date written as YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(plain_text)
]
PostalCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{5}$")]
# The pseudonymous citizen id (civicflow.shared.security.pseudonyms): base32 of 160 bits of an HMAC.
CitizenId = Annotated[str, Field(pattern=r"^[a-z2-7]{32}$")]
# How the citizen wants to hear from us: a channel notify knows (e-mail to begin with).
Channel = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,31}$")]
# The channels a citizen may choose, and the address each needs besides the e-mail address (the fallback).
ChosenChannel = Literal["email", "sms", "webhook"]
Phone = Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{6,14}$")]  # ITU-T E.164
# A portal mailbox id (a BundID-style Postfach), as the portal names it.
Mailbox = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")]
_ADDRESS_OF = {"sms": "phone", "webhook": "mailbox"}


class ChannelChoice(BaseModel):
    """How the citizen wants to hear about their applications, if not by e-mail (notify's channels): by SMS to an
    E.164 number, or in their portal mailbox. A channel without its address is refused, naming the address."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    channel: ChosenChannel = "email"
    phone: Phone | None = Field(default=None, validate_default=True)
    mailbox: Mailbox | None = Field(default=None, validate_default=True)

    @field_validator("phone", "mailbox")
    @classmethod
    def _needed_by_the_channel(cls, value: str | None, info: ValidationInfo) -> str | None:
        channel = info.data.get("channel")
        if value is None and _ADDRESS_OF.get(str(channel)) == info.field_name:
            raise PydanticCustomError("missing", "Field required for channel {channel}", {"channel": channel})
        return value


class Address(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    street: Name
    postal_code: PostalCode
    city: Name


class Applicant(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    given_name: Name
    family_name: Name
    birth_date: IsoDate
    email: EmailStr
    language: Language = "de"
    address: Address

    @field_validator("birth_date")
    @classmethod
    def _plausible(cls, birth_date: date) -> date:
        if not EARLIEST_BIRTH_DATE <= birth_date <= date.today():
            raise ValueError(f"must be a date between {EARLIEST_BIRTH_DATE.isoformat()} and today")
        return birth_date


# What an agency may be given of the applicant: each service's catalogue entry names what it needs (data
# minimisation, GDPR Art. 5(1)(c)); routing hands on only those.
ApplicantAttribute = Literal["given_name", "family_name", "birth_date", "email", "address"]
APPLICANT_ATTRIBUTES: tuple[ApplicantAttribute, ...] = ("given_name", "family_name", "birth_date", "email", "address")
# Those identity checks against the identity assertion: verified, where the application had one.
VERIFIED_ATTRIBUTES: tuple[ApplicantAttribute, ...] = ("given_name", "family_name", "birth_date")


class DisclosedApplicant(BaseModel):
    """The applicant as an agency receives them: only what its service needs, the rest left out."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    given_name: Name | None = None
    family_name: Name | None = None
    birth_date: IsoDate | None = None
    email: EmailStr | None = None
    address: Address | None = None


def disclose(applicant: Applicant, needs: tuple[ApplicantAttribute, ...]) -> DisclosedApplicant:
    return DisclosedApplicant.model_validate(applicant.model_dump(include={str(need) for need in needs}))


class Recipient(BaseModel):
    """Where and how the citizen wants to hear about their application; the address (an e-mail address) is
    sealed for notify (events.personal.CONTACT_ADDRESS)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    address: Sealed
    language: Language
    channel: Channel = "email"
    # How the message greets the citizen (their names), sealed for notify (events.personal.CONTACT_NAME).
    name: Sealed | None = None
    # The status page's link with its token, a bearer secret: sealed for notify, for the citizen's own message only
    # (events.personal.STATUS_LINK); on the submission's first event alone, as intake never keeps the token.
    status_link: Sealed | None = None
    # The status page's rating page with the same token (events.personal.RATING_LINK), for the message that closes
    # the case: sealed for notify alike, set by intake on the submission's first event (it keeps only the token's
    # hash); identity and routing carry the recipient on as it is, so the agency's decision has it too.
    rating_link: Sealed | None = None
    # The citizen's phone number (E.164) and portal mailbox id, where they chose SMS or the portal: sealed for
    # notify (events.personal.CONTACT_PHONE, CONTACT_MAILBOX); e-mail stays the fallback.
    phone: Sealed | None = None
    mailbox: Sealed | None = None
    # The service applied for, in the citizen's language (the catalogue's title; nothing personal).
    service_title: str | None = Field(default=None, max_length=300)


class AttachmentRef(BaseModel):
    """A file the citizen attached, as the events carry it: by id and hash, never its bytes (they are kept in the
    document store, GridFS, where the agency fetches them) and never its name (a file name can be personal)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    attachment_id: UUID
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    media_type: Literal["application/pdf", "image/png", "image/jpeg"]
    size: Annotated[int, Field(gt=0)]
