"""Keys for the kit's unit tests: RSA 4096 is slow to generate, so each is made once per session."""

import pytest
from civicflow_agency import wire
from joserfc.jwk import RSAKey


@pytest.fixture(scope="session")
def agency_key() -> RSAKey:
    return wire.new_key()


@pytest.fixture(scope="session")
def other_agency_key() -> RSAKey:
    return wire.new_key()
