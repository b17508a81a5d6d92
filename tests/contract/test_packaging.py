"""Each service installs and starts on its own, from the lock file, with nothing but its declared
dependencies: an import it does not declare fails here (as it would in its container image)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from civicflow.shared.security.keys import KeyName
from tests.support.sealing import new_key

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ["intake", "identity", "routing", "notify", "insights"]
# Services that read no personal data, so hold no keys and start without them.
KEYLESS = {"insights"}


def _uv() -> list[str]:
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


@pytest.mark.parametrize("service", SERVICES)
def test_the_service_installs_alone_and_builds_its_app(service: str, tmp_path: Path) -> None:
    environment = tmp_path / "venv"
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(environment)}
    subprocess.run(
        [*_uv(), "sync", "--frozen", "--no-dev", "--quiet", "--package", f"civicflow-{service}"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    keys = {name.variable: new_key() for name in KeyName}
    probe = (
        f"import importlib.util as u; from civicflow.{service}.main import create_app; create_app(); "
        "others = [n for n in ('intake', 'identity', 'routing', 'notify', 'insights', 'local') "
        f"if n != '{service}' and u.find_spec('civicflow.' + n)]; "
        "assert not others, others"
    )
    result = subprocess.run(
        [str(environment / "bin" / "python"), "-c", probe],
        cwd=tmp_path,
        env=env | keys,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    # Without the keys for the personal data it reads or writes, the service does not start.
    without_keys = subprocess.run(
        [str(environment / "bin" / "python"), "-c", f"from civicflow.{service}.main import create_app; create_app()"],
        cwd=tmp_path,
        env={name: value for name, value in env.items() if not name.startswith("CIVICFLOW_KEYS_")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if service in KEYLESS:
        assert without_keys.returncode == 0, without_keys.stderr
    else:
        assert without_keys.returncode != 0 and "CIVICFLOW_KEYS_" in without_keys.stderr
