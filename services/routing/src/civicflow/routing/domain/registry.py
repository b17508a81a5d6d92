"""Reference data for routing: postal code → municipality key (AGS), and which agency handles which service where.

Both are validated whole when loaded: a table or registry with an error is refused with a message naming the line
or the agency and field, so a bad file stops the start-up instead of misrouting applications."""

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any

from civicflow_agency import wire
from joserfc.jwk import RSAKey
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from civicflow.shared import topics
from civicflow.shared.events.experience import ServiceId


class ReferenceDataError(ValueError):
    """A postal table or agency registry that cannot be used as it is."""


@dataclass(frozen=True)
class Municipality:
    key: str
    name: str


_POSTAL_CODE = re.compile(r"[0-9]{5}")
_AGS = re.compile(r"[0-9]{8}")


@dataclass(frozen=True)
class PostalIndex:
    """Postal code → the municipalities it reaches, each (key, name) once, in the order of the table."""

    municipalities: dict[str, tuple[Municipality, ...]]

    @classmethod
    def from_csv(cls, text: str) -> "PostalIndex":
        """The short form `plz,ags,ort`, or the public `osm_id,ags,ort,plz,landkreis,bundesland` table
        (suche-postleitzahl.org, from OpenStreetMap): columns are found by name, the others are ignored."""
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        missing = {"plz", "ags", "ort"} - set(reader.fieldnames or ())
        if missing:
            raise ReferenceDataError(f"the postal table has no column {', '.join(sorted(missing))}")
        found: dict[str, dict[Municipality, None]] = {}  # a dict as an ordered set
        for row in reader:
            plz, ags, name = (row[column].strip() for column in ("plz", "ags", "ort"))
            if not (_POSTAL_CODE.fullmatch(plz) and _AGS.fullmatch(ags) and name):
                raise ReferenceDataError(f"postal table line {reader.line_num}: need a 5-digit plz, 8-digit ags, ort")
            found.setdefault(plz, {})[Municipality(ags, name)] = None
        return cls({plz: tuple(items) for plz, items in found.items()})

    def lookup(self, postal_code: str) -> tuple[Municipality, ...]:
        return self.municipalities.get(postal_code, ())


def _topic_safe(agency_id: str) -> str:
    topics.agency_submissions(agency_id)  # the agency's topics are named after it: the same check
    return agency_id


def _ags_prefix(prefix: str) -> str:
    # AGS: 2 digits state (01 to 16), 1 Regierungsbezirk, 2 district, 3 municipality (Destatis, Gemeindeverzeichnis).
    if len(prefix) not in (2, 5, 8) or not prefix.isascii() or not prefix.isdigit():
        raise ValueError("an AGS prefix has 2 (state), 5 (district) or 8 (municipality) digits")
    if not 1 <= int(prefix[:2]) <= 16:
        raise ValueError(f"{prefix} is in no German state (01 to 16)")
    return prefix


_EMAIL: TypeAdapter[str] = TypeAdapter(EmailStr)
_URL: TypeAdapter[HttpUrl] = TypeAdapter(HttpUrl)


def _contact(contact: str) -> str:
    for adapter in (_EMAIL, _URL):
        try:
            adapter.validate_python(contact)
        except ValidationError:
            continue
        return contact
    raise ValueError("a contact is an e-mail address or an http(s) URL")


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    if len(set(items)) != len(items):
        raise ValueError("lists an entry twice")
    return items


class PublicKey(BaseModel):
    """A public JSON Web Key (RFC 7517) of the agency: RSA of at least 4096 bits, no private part, a kid
    (civicflow_agency.wire.public_key, the contract the agency kit reads with). Its other members (n, e, alg, use …)
    are kept as given: the encryption to the agency reads them, so they are allowed here although our models
    otherwise refuse unknown fields."""

    model_config = ConfigDict(frozen=True, extra="allow")

    kty: str = Field(min_length=1)
    kid: str = Field(min_length=1)

    @model_validator(mode="after")
    def _usable(self) -> "PublicKey":
        wire.public_key(self.jwk())
        return self

    def jwk(self) -> dict[str, Any]:
        return self.model_dump()


def _distinct_kids(keys: tuple[PublicKey, ...]) -> tuple[PublicKey, ...]:
    # The kid in a JWE header says which key to decrypt with (RFC 7516, 4.1.6): it must name one key.
    if len({key.kid for key in keys}) != len(keys):
        raise ValueError("two keys share a kid")
    return keys


class Agency(BaseModel):
    """One public body: the services (LeiKa keys) it handles in its jurisdiction (AGS prefixes)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agency_id: Annotated[str, AfterValidator(_topic_safe)]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    services: Annotated[tuple[ServiceId, ...], Field(min_length=1), AfterValidator(_unique)]
    jurisdiction: Annotated[
        tuple[Annotated[str, AfterValidator(_ags_prefix)], ...], Field(min_length=1), AfterValidator(_unique)
    ]
    public_keys: Annotated[tuple[PublicKey, ...], AfterValidator(_distinct_kids)] = ()
    contact: Annotated[str, AfterValidator(_contact)] | None = None

    @cached_property
    def _encryption_key(self) -> RSAKey | None:
        try:
            return wire.encryption_key([key.jwk() for key in self.public_keys])
        except LookupError:
            return None

    def encryption_key(self) -> RSAKey | None:
        """The key its applications are encrypted to (the newest, listed first); None: it cannot receive any. Read
        from its JWK once, not for every application."""
        return self._encryption_key

    @cached_property
    def _signing_keys(self) -> tuple[RSAKey, ...]:
        return tuple(wire.signing_keys([key.jwk() for key in self.public_keys]))

    def signing_keys(self) -> tuple[RSAKey, ...]:
        """The keys its decisions are verified with (several during a rotation); none: no decision of it is taken."""
        return self._signing_keys


@dataclass(frozen=True)
class AgencyRegistry:
    """(service, AGS prefix) → agency; the agency with the longest prefix of a municipality's key is responsible."""

    by_service_and_prefix: dict[tuple[str, str], Agency]

    @classmethod
    def from_json(cls, text: str) -> "AgencyRegistry":
        try:
            items = json.loads(text)["agencies"]
        except (ValueError, KeyError, TypeError) as error:
            raise ReferenceDataError('the agency registry is not JSON of the form {"agencies": [...]}') from error
        if not isinstance(items, list):
            raise ReferenceDataError('the agency registry\'s "agencies" is not a list')
        return cls.of(_validated(position, item) for position, item in enumerate(items))

    @classmethod
    def of(cls, agencies: Iterable[Agency]) -> "AgencyRegistry":
        """Refuses two agencies with one id, or two claiming one service for one prefix (which would win?)."""
        index: dict[tuple[str, str], Agency] = {}
        seen: set[str] = set()
        for agency in agencies:
            if agency.agency_id in seen:
                raise ReferenceDataError(f"agency {agency.agency_id}: the agency_id is used twice")
            seen.add(agency.agency_id)
            for key in ((service, prefix) for service in agency.services for prefix in agency.jurisdiction):
                if key in index:
                    raise ReferenceDataError(
                        f"agencies {index[key].agency_id} and {agency.agency_id} both claim service {key[0]} "
                        f"for the AGS prefix {key[1]}"
                    )
                index[key] = agency
        return cls(index)

    def responsible(self, municipality_key: str, service_id: str) -> Agency | None:
        if not _AGS.fullmatch(municipality_key):
            return None
        for length in (8, 5, 2):  # municipality before district before state
            agency = self.by_service_and_prefix.get((service_id, municipality_key[:length]))
            if agency is not None:
                return agency
        return None

    def agency(self, agency_id: str) -> Agency | None:
        """The agency with this id, if the registry has it."""
        return next((agency for agency in self.by_service_and_prefix.values() if agency.agency_id == agency_id), None)

    def agencies(self) -> list[Agency]:
        unique = {agency.agency_id: agency for agency in self.by_service_and_prefix.values()}
        return [unique[agency_id] for agency_id in sorted(unique)]


def _validated(position: int, item: object) -> Agency:
    try:
        return Agency.model_validate(item)
    except ValidationError as error:
        named = item.get("agency_id") if isinstance(item, dict) else None
        who = named if isinstance(named, str) else f"number {position + 1}"
        problems = "; ".join(_described(problem["loc"], problem["msg"]) for problem in error.errors())
        raise ReferenceDataError(f"agency {who}: {problems}") from None


def _described(location: tuple[int | str, ...], message: str) -> str:
    field = ".".join(str(part) for part in location) or "agency"
    return f"{field}: {message.removeprefix('Value error, ')}"
