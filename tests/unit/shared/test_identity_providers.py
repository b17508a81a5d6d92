"""Identity providers as configuration: IDP_PROVIDERS as a JSON list, or one provider from IDP_ISSUER and friends;
what is refused; the `acr` values asked for and understood."""

import json
from typing import Any

import pytest
from pydantic import ValidationError

from civicflow.shared.identity_providers import EIDAS_LOA, IdentityProvider
from civicflow.shared.settings import IdentityProviderSettings

KEYCLOAK: dict[str, Any] = {
    "name": "keycloak",
    "issuer": "https://login.example.org/realms/civicflow",
    "audience": "civicflow-intake",
    "algorithms": ["RS256", "PS256"],
    "claims": {"birthdate": "birth_date"},
    "acr": {"1": "low", "2": "substantial"},
    "max_token_lifetime_seconds": 900,
    "display_name": {"de": "Servicekonto", "en": "Service account"},
}
DEV: dict[str, Any] = {"name": "dev", "issuer": "http://127.0.0.1:8090", "audience": "civicflow"}


def test_providers_come_from_a_json_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IDP_PROVIDERS", json.dumps([KEYCLOAK, DEV]))
    keycloak, dev = IdentityProviderSettings().providers
    assert (keycloak.name, keycloak.jwks_url, keycloak.algorithms) == ("keycloak", None, ("RS256", "PS256"))
    assert (keycloak.claims.given_name, keycloak.claims.birthdate) == ("given_name", "birth_date")
    assert keycloak.level_of("2") == "substantial" and keycloak.max_token_lifetime_seconds == 900
    assert keycloak.title_in("de") == "Servicekonto" and keycloak.title_in("en") == "Service account"
    # what is left out is the OpenID Connect standard and eIDAS
    assert dev.acr == EIDAS_LOA and dev.algorithms == ("ES256", "RS256") and dev.max_token_lifetime_seconds == 3600
    assert dev.claims.family_name == "family_name" and dev.title_in("de") == "dev"


def test_without_a_list_the_one_provider_is_the_idp_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IDP_ISSUER", "https://idp.example/realms/civicflow")
    monkeypatch.setenv("IDP_JWKS_URL", "https://idp.example/realms/civicflow/protocol/openid-connect/certs")
    monkeypatch.setenv("IDP_AUDIENCE", "civicflow")
    (only,) = IdentityProviderSettings().providers
    assert only == IdentityProvider(
        name="default",
        issuer="https://idp.example/realms/civicflow",
        jwks_url="https://idp.example/realms/civicflow/protocol/openid-connect/certs",
        audience="civicflow",
    )
    assert IdentityProviderSettings().named("default") == only and IdentityProviderSettings().named("other") is None


@pytest.mark.parametrize(
    ("change", "refused"),
    [
        ({"algorithms": ["HS256"]}, "HMAC"),
        ({"algorithms": ["RS256", "none"]}, "HMAC"),
        ({"algorithms": ["EdDSA"]}, "ES256"),
        ({"algorithms": []}, "at least 1"),
        ({"name": "Keycloak Realm"}, "pattern"),
        ({"issuer": "idp.example"}, "pattern"),
        ({"acr": {"gold": "platinum"}}, "low"),
        ({"acr": {}}, "at least 1"),
        ({"max_token_lifetime_seconds": 0}, "greater than 0"),
        ({"audience": ""}, "at least 1"),
        ({"client_secret": "s3cret"}, "Extra inputs"),
    ],
)
def test_a_provider_that_could_not_be_trusted_is_refused(change: dict[str, Any], refused: str) -> None:
    with pytest.raises(ValidationError, match=refused):
        IdentityProvider.model_validate(KEYCLOAK | change)


@pytest.mark.parametrize("same", ["name", "issuer"])
def test_each_provider_has_its_own_name_and_issuer(same: str) -> None:
    other = DEV | {same: KEYCLOAK[same]}
    with pytest.raises(ValidationError, match=f"its own {same}"):
        IdentityProviderSettings.model_validate({"providers": [KEYCLOAK, other]})


def test_keys_come_over_https_in_production_from_the_jwks_url_or_discovery() -> None:
    IdentityProviderSettings.model_validate({"providers": [KEYCLOAK, DEV]}).check_for("dev")
    with pytest.raises(ValueError, match=r"'dev'.*https"):
        IdentityProviderSettings.model_validate({"providers": [KEYCLOAK, DEV]}).check_for("prod")
    IdentityProvider.model_validate(KEYCLOAK).check_for("prod")  # discovery at its https issuer
    with pytest.raises(ValueError, match="https"):
        IdentityProvider.model_validate(KEYCLOAK | {"jwks_url": "http://login.example.org/certs"}).check_for("prod")


def test_the_acr_asked_for_is_the_providers_value_for_the_level_or_the_next_above() -> None:
    keycloak = IdentityProvider.model_validate(KEYCLOAK | {"acr": {"2": "substantial", "3": "high"}})
    assert [keycloak.acr_for(level) for level in ("low", "substantial", "high")] == ["2", "2", "3"]
    assert IdentityProvider.model_validate(KEYCLOAK).acr_for("high") is None
    dev = IdentityProvider.model_validate(DEV)
    assert dev.acr_for("low") == "http://eidas.europa.eu/LoA/low"
    assert dev.level_of("http://eidas.europa.eu/LoA/high") == "high" and dev.level_of(["high"]) is None
