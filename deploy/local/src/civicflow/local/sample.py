"""A realistic application for the demo, the benchmark and the tests."""

from datetime import date
from typing import Any

from civicflow.local.idp import SigningKey

ERIKA: dict[str, Any] = {
    "given_name": "Erika",
    "family_name": "Mustermann",
    "birth_date": "1964-08-12",
    "email": "erika@example.org",
    "language": "de",
    "address": {"street": "Heidestraße 17", "postal_code": "51147", "city": "Köln"},
}

BUSINESS_REGISTRATION: dict[str, Any] = {
    "business_name": "Mustermann Webdesign",
    "activity": "Gestaltung und Programmierung von Webseiten",
    "legal_form": "einzelunternehmen",
    "start_date": "2026-12-01",
}


def application(
    key: SigningKey, issuer: str, applicant: dict[str, Any] | None = None, loa: str = "substantial"
) -> dict[str, Any]:
    person = applicant or ERIKA
    token = key.issue(
        issuer=issuer,
        given_name=person["given_name"],
        family_name=person["family_name"],
        birth_date=date.fromisoformat(person["birth_date"]),
        loa=loa,
    )
    return {
        "service_id": "99050012104000",
        "identity_token": token,
        "applicant": person,
        "form": BUSINESS_REGISTRATION,
    }
