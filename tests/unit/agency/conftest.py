"""Keys for the kit's unit tests (encryption and signing): RSA 4096 is slow to generate, so each is made once per
session."""

import pytest
from civicflow_agency import wire
from joserfc.jwk import RSAKey


@pytest.fixture(scope="session")
def agency_key() -> RSAKey:
    return wire.new_key()


@pytest.fixture(scope="session")
def other_agency_key() -> RSAKey:
    return wire.new_key()


@pytest.fixture(scope="session")
def signing_key() -> RSAKey:
    return wire.new_signing_key()


@pytest.fixture(scope="session")
def other_signing_key() -> RSAKey:
    return wire.new_signing_key()
