import logging
from pathlib import Path

import pytest
from pydantic import SecretStr

from civicflow.shared.settings import (
    FieldKeySettings,
    IdentityProviderSettings,
    KafkaSettings,
    MessagingSettings,
    MongoSettings,
    SmtpSettings,
    TracingSettings,
)
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


def test_store_commands_are_traced_only_when_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    assert TracingSettings().store_commands is False
    monkeypatch.setenv("CIVICFLOW_TRACE_STORE_COMMANDS", "true")
    assert TracingSettings().store_commands is True


def test_retry_attempts_past_the_delays_repeat_the_last_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    assert MessagingSettings(retry_delays_seconds=(10.0, 60.0)).retries == 2  # unset: one retry per delay
    monkeypatch.setenv("CIVICFLOW_RETRY_DELAYS_SECONDS", "[30, 300, 1800, 3600]")
    monkeypatch.setenv("CIVICFLOW_RETRY_ATTEMPTS", "10")
    monkeypatch.setenv("CIVICFLOW_RETRY_JITTER", "0.1")
    settings = MessagingSettings()
    assert (settings.retries, settings.retry_jitter) == (10, 0.1)
    assert [settings.retry_stage(retry) for retry in range(1, 11)] == [1, 2, 3, 4, 4, 4, 4, 4, 4, 4]


@pytest.mark.parametrize(
    "fields",
    [
        {"retry_delays_seconds": (10.0, 60.0, 600.0), "retry_attempts": 2},  # a stage would never be used
        {"retry_attempts": 0},
        {"retry_jitter": -0.1},
        {"retry_jitter": 1.0},  # a delay of 0 s or double: no schedule left
    ],
)
def test_a_retry_schedule_that_cannot_be_kept_is_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="retry"):
        MessagingSettings(**fields)  # type: ignore[arg-type]


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


PLACEHOLDER = "dev-only-not-a-secret"


def secure_kafka(**overrides: object) -> KafkaSettings:
    fields: dict[str, object] = {
        "security_protocol": "SASL_SSL",
        "sasl_username": "civicflow-routing",
        "sasl_password": "a-real-secret",
    }
    return KafkaSettings.model_validate(fields | overrides)


def test_outside_dev_kafka_is_reached_only_over_sasl_ssl_with_a_real_secret() -> None:
    secure_kafka().check_for("prod")
    KafkaSettings().check_for("dev")  # a local broker without authentication, in dev only
    for env in ("test", "prod"):
        with pytest.raises(ValueError, match="SASL_SSL"):
            KafkaSettings().check_for(env)
        with pytest.raises(ValueError, match="SASL_SSL"):
            secure_kafka(security_protocol="SASL_PLAINTEXT").check_for(env)
        with pytest.raises(ValueError, match="placeholder"):
            secure_kafka(sasl_password=PLACEHOLDER).check_for(env)
    with pytest.raises(ValueError, match="KAFKA_SASL_USERNAME"):
        KafkaSettings(security_protocol="SASL_SSL")


def test_outside_dev_the_store_is_reached_with_credentials_that_are_no_placeholder() -> None:
    MongoSettings(uri=SecretStr("mongodb://db:27017")).check_for("dev")
    MongoSettings(uri=SecretStr("mongodb://civicflow-notify:s3cret@db:27017/x")).check_for("prod")
    with pytest.raises(ValueError, match="credentials"):
        MongoSettings(uri=SecretStr("mongodb://db:27017")).check_for("prod")
    with pytest.raises(ValueError, match="placeholder"):
        MongoSettings(uri=SecretStr(f"mongodb://civicflow-notify:{PLACEHOLDER}@db:27017/x")).check_for("prod")


def test_a_field_key_left_at_the_placeholder_refuses_to_start_outside_dev() -> None:
    keys = FieldKeySettings(contact=SecretStr(PLACEHOLDER))
    keys.check_for("dev")
    with pytest.raises(ValueError, match="CIVICFLOW_KEYS_CONTACT"):
        keys.check_for("prod")


def test_secrets_come_from_files_in_the_secrets_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "kafka_sasl_password").write_text("from-a-file")
    (tmp_path / "civicflow_keys_contact").write_text("k1:key")
    monkeypatch.setenv("CIVICFLOW_SECRETS_DIR", str(tmp_path))
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "civicflow-notify")
    kafka = KafkaSettings()
    assert kafka.sasl_password is not None and kafka.sasl_password.get_secret_value() == "from-a-file"
    contact = FieldKeySettings().contact
    assert contact is not None and contact.get_secret_value() == "k1:key"
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "from-the-environment")  # the environment wins
    password = KafkaSettings().sasl_password
    assert password is not None and password.get_secret_value() == "from-the-environment"
