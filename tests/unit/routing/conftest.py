"""The full public German postal-code table, read once for the routing tests: beside the clone (../shared), as in
CI and in deploy/local's layout; never copied into the repository."""

import pytest

from civicflow.local.layout import SHARED_POSTAL_TABLE
from civicflow.routing.adapters.file_reference_data import load_postal_index
from civicflow.routing.domain.registry import PostalIndex
from tests.support.browser import REPOSITORY


@pytest.fixture(scope="session")
def germany() -> PostalIndex:
    table = (REPOSITORY / SHARED_POSTAL_TABLE).resolve()
    if not table.exists():
        pytest.fail(f"the German postal-code table is missing beside the repository: {table}")
    return load_postal_index(table)
