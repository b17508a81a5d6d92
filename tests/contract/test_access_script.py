"""deploy/kafka/setup.sh, which compose's kafka-setup service and the Kubernetes Job run, is the script rendered from
the access table (civicflow.shared.security.access). That the Job gets a password for every principal the script
names is checked on the rendered manifests (deploy/tools/deploy_policy.py)."""

from pathlib import Path

from civicflow.local.access_script import render

ROOT = Path(__file__).resolve().parents[2]
KAFKA = ROOT / "deploy" / "kafka"
REGENERATE = "uv run python -m civicflow.local.access_script > deploy/kafka/setup.sh"


def test_the_committed_script_is_the_rendered_one() -> None:
    assert (KAFKA / "setup.sh").read_text() == render(), f"deploy/kafka/setup.sh is out of date: {REGENERATE}"
