"""Routing's composition root, built but never started (no broker, no store reached)."""

import pytest

from civicflow.routing.config import RoutingSettings
from civicflow.routing.main import create_app
from civicflow.shared.security.keys import KeySettingError
from tests.support.sealing import made_keys


def test_routing_does_not_start_without_its_agency_pseudonym_key() -> None:
    keys = made_keys().model_copy(update={"agency_pseudonym": None})
    with pytest.raises(KeySettingError, match="CIVICFLOW_KEYS_AGENCY_PSEUDONYM"):
        create_app(RoutingSettings(keys=keys))
