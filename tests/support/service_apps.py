"""Each service's whole app, built by its composition root from test settings but never started (no broker, no
store reached): for what an app answers before it connects, such as its /metrics."""

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient

from civicflow.identity.config import IdentitySettings
from civicflow.identity.main import create_app as identity_app
from civicflow.intake.config import IntakeSettings
from civicflow.intake.main import create_app as intake_app
from civicflow.notify.config import NotifySettings
from civicflow.notify.main import create_app as notify_app
from civicflow.routing.config import RoutingSettings
from civicflow.routing.main import create_app as routing_app
from tests.support.sealing import made_keys

BUILDERS: dict[str, Callable[[], FastAPI]] = {
    "intake": lambda: intake_app(IntakeSettings(keys=made_keys())),
    "identity": lambda: identity_app(IdentitySettings(keys=made_keys())),
    "routing": lambda: routing_app(RoutingSettings(keys=made_keys())),
    "notify": lambda: notify_app(NotifySettings(keys=made_keys())),
}


def scraped(service: str) -> str:
    """The service's /metrics as its app answers it right after it was built."""
    text: str = TestClient(BUILDERS[service]()).get("/metrics").text  # without `with`: the lifespan never starts
    return text
