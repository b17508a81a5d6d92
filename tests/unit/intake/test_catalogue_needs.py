"""What each service's agency is given of the applicant (data minimisation)."""

import pytest
from pydantic import ValidationError

from civicflow.intake.domain.catalogue import Catalogue, ServiceSpec

CATALOGUE = Catalogue.bundled()


def test_no_agency_is_given_the_applicants_email_and_only_the_services_that_need_it_the_birth_date() -> None:
    needs = {service_id: spec.agency_needs for service_id, spec in CATALOGUE.services.items()}
    assert all("email" not in named for named in needs.values())  # CivicFlow tells the citizen, not the agency
    assert "birth_date" not in needs["99102013104000"]  # dog tax
    assert "birth_date" in needs["99049001001000"]  # certificate of good conduct


def test_an_agency_is_always_given_the_applicants_names() -> None:
    spec = CATALOGUE.services["99102013104000"].model_dump()
    with pytest.raises(ValidationError, match="names"):
        ServiceSpec.model_validate(spec | {"agency_needs": ["family_name", "address"]})
