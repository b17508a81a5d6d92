import pytest
from pydantic import SecretStr

from civicflow.shared.settings import IdentityProviderSettings, SmtpSettings


def test_the_shipped_smtp_placeholder_is_refused_in_production() -> None:
    placeholder = SmtpSettings(password=SecretStr("dev-only-not-a-secret"))
    placeholder.check_for("dev")
    with pytest.raises(ValueError, match="placeholder"):
        placeholder.check_for("prod")
    SmtpSettings(password=SecretStr("a-real-secret")).check_for("prod")


def test_signing_keys_come_over_https_in_production() -> None:
    IdentityProviderSettings(jwks_url="http://127.0.0.1:8090/.well-known/jwks.json").check_for("dev")
    with pytest.raises(ValueError, match="https"):
        IdentityProviderSettings(jwks_url="http://idp.example/.well-known/jwks.json").check_for("prod")
    IdentityProviderSettings(jwks_url="https://idp.example/.well-known/jwks.json").check_for("prod")


def test_settings_come_from_the_conventional_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMTP_HOST", "mail.example")
    monkeypatch.setenv("SMTP_PORT", "2525")
    monkeypatch.setenv("SMTP_FROM", "Amt <amt@example.org>")
    settings = SmtpSettings()
    assert (settings.host, settings.port, settings.sender) == ("mail.example", 2525, "Amt <amt@example.org>")
