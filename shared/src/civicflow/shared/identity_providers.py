"""The identity providers citizens sign in with, as configuration: one model that intake (the relying party on the
page) and identity (which verifies the ID token again) both read from `IDP_PROVIDERS`. Pure data, no I/O."""

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# eIDAS levels of assurance (Regulation (EU) 2015/1502) an identity assertion can prove.
LevelOfAssurance = Literal["low", "substantial", "high"]
# eIDAS levels (Commission Implementing Regulation (EU) 2015/1502) as eIDAS nodes and BundID express them in `acr`.
EIDAS_LOA: Mapping[str, LevelOfAssurance] = {
    "http://eidas.europa.eu/LoA/low": "low",
    "http://eidas.europa.eu/LoA/substantial": "substantial",
    "http://eidas.europa.eu/LoA/high": "high",
}
LEVELS: tuple[LevelOfAssurance, ...] = ("low", "substantial", "high")
# Asymmetric signatures only: a provider's key is public, so an HMAC "signed" with it proves nothing, and `none`
# proves nothing at all (RFC 8725 §3.1, §3.2).
SigningAlgorithm = Literal["ES256", "ES384", "RS256", "PS256"]
# A sign-in proves who is there now, not for years: a token may live an hour at most from its issue (`exp` - `iat`),
# however long its provider made it ("the acceptable range is Client specific", OpenID Connect Core 1.0 §3.1.3.7).
MAX_TOKEN_LIFETIME_SECONDS = 3600


class ClaimNames(BaseModel):
    """Where the provider puts the names and the birth date (the OpenID Connect standard claims by default)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    given_name: str = "given_name"
    family_name: str = "family_name"
    birthdate: str = "birthdate"


class DisplayName(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    de: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def in_(self, language: str) -> str:
        return self.de if language == "de" else self.en


class IdentityProvider(BaseModel):
    """One OpenID Connect provider: whom intake sends the citizen to, and whose tokens identity trusts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # In the sign-in link (`/sign-in?provider=<name>`): a slug.
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    issuer: str = Field(pattern=r"^https?://\S+$")
    # Unset: the `jwks_uri` of the discovery document at `<issuer>/.well-known/openid-configuration`.
    jwks_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    # The client id intake signs in with, and the `aud` identity expects.
    audience: str = Field(min_length=1)
    algorithms: tuple[SigningAlgorithm, ...] = Field(default=("ES256", "RS256"), min_length=1)
    claims: ClaimNames = ClaimNames()
    # The provider's `acr` values → the eIDAS level each proves; the first value of a level is the one asked for.
    acr: Mapping[str, LevelOfAssurance] = Field(default=EIDAS_LOA, min_length=1)
    max_token_lifetime_seconds: int = Field(default=MAX_TOKEN_LIFETIME_SECONDS, gt=0)
    display_name: DisplayName | None = None

    @field_validator("algorithms", mode="before")
    @classmethod
    def _asymmetric_only(cls, algorithms: object) -> object:
        named = [algorithms] if isinstance(algorithms, str) else algorithms
        if isinstance(named, list | tuple) and any(str(name).upper().startswith(("HS", "NONE")) for name in named):
            raise ValueError("HMAC (HS*) and `none` are never accepted: a provider signs with its private key")
        return algorithms

    def level_of(self, acr: object) -> LevelOfAssurance | None:
        return self.acr.get(acr) if isinstance(acr, str) else None

    def acr_for(self, level: LevelOfAssurance) -> str | None:
        """The `acr` value to ask for `level`: the provider's value for it, else its lowest one above it."""
        for wanted in LEVELS[LEVELS.index(level) :]:
            found = next((value for value, proves in self.acr.items() if proves == wanted), None)
            if found is not None:
                return found
        return None

    def title_in(self, language: str) -> str:
        return self.display_name.in_(language) if self.display_name else self.name

    def check_for(self, env: str) -> None:
        # A signing key fetched over plain HTTP can be swapped in transit (OWASP ASVS 9.2): dev only. Without a
        # JWKS URL, the keys are found through the discovery document at the issuer, which must then be https too.
        fetched_from = self.jwks_url or self.issuer
        if env == "prod" and not fetched_from.startswith("https://"):
            raise ValueError(f"identity provider {self.name!r}: the JWKS URL (or issuer) must use https outside dev")
