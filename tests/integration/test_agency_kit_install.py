"""An agency installs the kit alone, from the lock file: its command runs, and none of CivicFlow's own packages
came with it (an import the kit does not declare would fail here, as on the agency's machine)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def test_the_kit_installs_alone_and_its_command_runs(tmp_path: Path) -> None:
    found = shutil.which("uv")
    uv = [found] if found else [sys.executable, "-m", "uv"]
    environment = tmp_path / "venv"
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(environment)}
    subprocess.run(
        [*uv, "sync", "--frozen", "--no-dev", "--quiet", "--package", "civicflow-agency"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    usage = subprocess.run(
        [str(environment / "bin" / "civicflow-agency"), "listen", "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "--handler" in usage.stdout
    probe = (
        "import importlib.util as u, civicflow_agency.cli, civicflow_agency.signature; "
        "assert u.find_spec('civicflow') is None, 'CivicFlow came with the kit'"
    )
    subprocess.run([str(environment / "bin" / "python"), "-c", probe], check=True, timeout=60)
