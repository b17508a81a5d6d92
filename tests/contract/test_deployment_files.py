"""docker-compose.yml, the Dockerfiles and the Kubernetes base, checked by real validators (compose-go,
BuildKit's Dockerfile parser, kustomize + kubernetes-validate) — and proof that the checks can fail."""

import importlib.util
import re
import subprocess
from pathlib import Path

from civicflow.local.provisioning import SERVICES
from civicflow.shared.security.keys import KeyName

ROOT = Path(__file__).resolve().parents[2]
_POLICY = importlib.util.spec_from_file_location("deploy_policy", ROOT / "deploy" / "tools" / "deploy_policy.py")
assert _POLICY is not None and _POLICY.loader is not None
_policy = importlib.util.module_from_spec(_POLICY)
_POLICY.loader.exec_module(_policy)
FIELD_KEYS: dict[str, set[str]] = _policy.FIELD_KEYS


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


def test_compose_generates_and_the_policy_allows_exactly_the_keys_each_service_holds() -> None:
    script = (ROOT / "deploy" / "compose" / "generate-secrets.sh").read_text()
    (generated,) = re.findall(r"^for name in ([a-z_ ]+); do\n\tkeep \"\$dir/keys/\$name\" key", script, re.M)
    assert set(generated.split()) == {name.value for name in KeyName}
    for service, access in SERVICES.items():  # what `make up` hands each service
        assert FIELD_KEYS[service] == {name.value for name in access.keys}, service
