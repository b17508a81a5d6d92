"""The pages' own words in German and English (the services' words are in the catalogue)."""

from civicflow.intake.domain.messages import Language

TEXTS: dict[str, dict[Language, str]] = {
    "site": {"de": "CivicFlow: Anträge online", "en": "CivicFlow: applications online"},
    "services": {"de": "Leistungen", "en": "Services"},
    "services_intro": {
        "de": "Diese Anträge können Sie hier online stellen, rund um die Uhr.",
        "en": "You can file these applications here online, around the clock.",
    },
    "level": {"de": "Nachweis der Identität", "en": "Proof of identity"},
    "level_none": {"de": "nicht nötig", "en": "not needed"},
    "level_low": {"de": "einfach (Benutzerkonto)", "en": "basic (user account)"},
    "level_substantial": {"de": "substanziell (z. B. Online-Ausweis)", "en": "substantial (e.g. online ID card)"},
    "level_high": {"de": "hoch (Online-Ausweis)", "en": "high (online ID card)"},
    "authority": {"de": "Zuständig", "en": "Responsible"},
    "authority_municipality": {"de": "Ihre Stadt oder Gemeinde", "en": "your town or municipality"},
    "authority_district": {"de": "Ihr Kreis", "en": "your district"},
    "authority_state": {"de": "Ihr Land", "en": "your federal state"},
    "authority_federal": {"de": "der Bund", "en": "the federal government"},
    "attachments": {"de": "Nachweise", "en": "Documents"},
    "attachments_none": {"de": "keine", "en": "none"},
    "attachments_rule": {
        "de": "bis zu {count} Dateien (PDF, PNG oder JPEG), je höchstens {megabytes} MB",
        "en": "up to {count} files (PDF, PNG or JPEG), at most {megabytes} MB each",
    },
    "fields": {"de": "Das werden Sie gefragt", "en": "What you will be asked"},
    "optional": {"de": "freiwillig", "en": "optional"},
    "other_language": {"de": "English", "en": "Deutsch"},
    "back": {"de": "Alle Leistungen", "en": "All services"},
}


def words(language: Language) -> dict[str, str]:
    return {key: text[language] for key, text in TEXTS.items()}
