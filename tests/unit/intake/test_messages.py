import pytest

from civicflow.intake.domain.messages import message, preferred_language


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "de"),
        ("", "de"),
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR, en;q=0.5, de;q=0.8", "de"),
        ("fr, tr", "de"),
        ("de;q=0.1, en;q=0.2", "en"),
        ("en;q=nonsense, de", "de"),
        ("x" * 100_000, "de"),
    ],
)
def test_the_preferred_of_german_and_english_or_german(header: str | None, language: str) -> None:
    assert preferred_language(header) == language


def test_a_form_s_own_message_wins_over_the_generic_one() -> None:
    field = {"x-messages": {"required": {"de": "Name fehlt.", "en": "Name missing."}}}
    assert message("required", "en", field) == "Name missing."
    assert message("maxLength", "en", field) == "The text is too long."
    assert message("no-such-kind", "de") == "Diese Angabe ist nicht gültig."
