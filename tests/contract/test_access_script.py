"""deploy/kafka/setup.sh, which compose's kafka-setup service and the Kubernetes Job run, is the script rendered from
the access table (civicflow.shared.security.access). That the Job gets a password for every principal the script
names is checked on the rendered manifests (deploy/tools/deploy_policy.py)."""

from pathlib import Path

from civicflow.local.access_script import render

ROOT = Path(__file__).resolve().parents[2]
KAFKA = ROOT / "deploy" / "kafka"
K8S = ROOT / "deploy" / "k8s" / "base"
# kustomize reads no file outside its directory, so the Job's ConfigMap is made from copies.
COPIES = {"setup.sh": "kafka-setup.sh", "admin.properties": "kafka-admin.properties"}
REGENERATE = (
    "uv run python -m civicflow.local.access_script > deploy/kafka/setup.sh"
    " && cp deploy/kafka/setup.sh deploy/k8s/base/kafka-setup.sh"
)


def test_the_committed_script_is_the_rendered_one() -> None:
    assert (KAFKA / "setup.sh").read_text() == render(), f"deploy/kafka/setup.sh is out of date: {REGENERATE}"


def test_the_kubernetes_base_holds_exact_copies() -> None:
    for original, copy in COPIES.items():
        assert (K8S / copy).read_text() == (KAFKA / original).read_text(), (
            f"deploy/k8s/base/{copy} differs from deploy/kafka/{original}: "
            f"cp deploy/kafka/{original} deploy/k8s/base/{copy}"
        )
