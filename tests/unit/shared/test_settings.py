import logging

import pytest
from pydantic import SecretStr

from civicflow.shared.settings import IdentityProviderSettings, SmtpSettings
from civicflow.shared.telemetry import RepeatLimiter


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


def test_a_message_repeated_in_a_flood_passes_once_per_window_and_counts_the_rest() -> None:
    limiter = RepeatLimiter(window_seconds=60.0)
    assert [limiter.filter(metadata_error()) for _ in range(5)] == [True, False, False, False, False]
    assert limiter.filter(logging.LogRecord("aiokafka.conn", logging.ERROR, "conn.py", 1, "Refused", (), None))
    limiter._window = 0.0  # the window has passed
    again = metadata_error()
    assert limiter.filter(again)
    assert again.getMessage() == "Unable to update metadata from [1] (4 more like this held back)"


def metadata_error() -> logging.LogRecord:
    template = "Unable to update metadata from %s"
    return logging.LogRecord("aiokafka.client", logging.ERROR, "client.py", 325, template, ([1],), None)
