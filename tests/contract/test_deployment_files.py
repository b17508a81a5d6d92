"""docker-compose.yml, the Dockerfiles and the Kubernetes base, checked by real validators (compose-go,
BuildKit's Dockerfile parser, kustomize + kubernetes-validate) — and proof that the checks can fail."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(ROOT / "deploy" / "tools" / script)], cwd=ROOT, capture_output=True, text=True, timeout=900
    )


def test_the_deployment_files_pass_the_validators() -> None:
    result = run("validate.sh")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "validate: OK (compose, dockerfiles, kustomize, kubernetes-validate, policy)" in result.stdout


def test_the_validators_reject_deliberately_broken_copies() -> None:
    result = run("selftest.sh")
    assert result.returncode == 0, result.stdout + result.stderr
    assert ", 0 failed" in result.stdout
