"""CivicFlow deployment policy and cross-file consistency checks.

Runs after the schema validators (compose-check, kubernetes-validate), on
their inputs:

* the kustomize-rendered Kubernetes objects (--k8s),
* the resolved compose model printed by `compose-check -print` (--compose),
* the service Dockerfiles (--repo).

It checks what a schema cannot: the hardening every Deployment must carry,
the health-probe contract, resources, references between objects
(ConfigMaps, Secrets, Service selectors, probe ports) and that the
service name / port / console script agree across compose, Dockerfile and
Kubernetes.

Usage: python deploy_policy.py --k8s RENDERED.yaml [--compose RESOLVED.yaml] [--repo ROOT]
Exit status 1 with one "POLICY ERROR ..." line per problem.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

# The contract with the Python services (see deploy/README.md).
SERVICES = {"intake": 8080, "identity": 8081, "routing": 8082, "notify": 8083}
LIVE_PATH = "/health/live"
READY_PATH = "/health/ready"
NAMESPACE = "civicflow"
CLUSTER_SCOPED = {
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "PersistentVolume",
    "StorageClass",
    "CustomResourceDefinition",
    "PriorityClass",
}

errors: list[str] = []


def error(where: str, msg: str) -> None:
    errors.append(f"POLICY ERROR {where}: {msg}")


def kn(obj: dict) -> str:
    return f"{obj.get('kind', '?').lower()}/{(obj.get('metadata') or {}).get('name', '?')}"


def env_value(container: dict, name: str) -> str | None:
    for e in container.get("env") or []:
        if e.get("name") == name:
            return e.get("value")
    return None


def check_k8s(objs: list[dict]) -> dict[str, dict]:
    by_kind: dict[str, dict[str, dict]] = {}
    for o in objs:
        by_kind.setdefault(o.get("kind", ""), {})[o["metadata"]["name"]] = o
        if o.get("kind") not in CLUSTER_SCOPED and o["metadata"].get("namespace") != NAMESPACE:
            error(kn(o), f"metadata.namespace must be {NAMESPACE!r}")
    configmaps = by_kind.get("ConfigMap", {})
    secrets = by_kind.get("Secret", {})
    deployments = by_kind.get("Deployment", {})

    def ref_ok(where: str, kind: str, name: str, key: str | None, optional: bool) -> None:
        pool = configmaps if kind == "ConfigMap" else secrets
        obj = pool.get(name)
        if obj is None:
            if not optional:
                error(where, f"references missing {kind} {name!r}")
            return
        keys = set((obj.get("data") or {}).keys()) | set((obj.get("stringData") or {}).keys())
        if key is not None and key not in keys and not optional:
            error(where, f"references missing key {key!r} of {kind} {name!r}")

    for name in SERVICES:
        if name not in deployments:
            error(f"deployment/{name}", "missing")

    for dname, d in deployments.items():
        where = f"deployment/{dname}"
        spec = d["spec"]
        tmpl = spec["template"]
        labels = (tmpl.get("metadata") or {}).get("labels") or {}
        for k, v in ((spec.get("selector") or {}).get("matchLabels") or {}).items():
            if labels.get(k) != v:
                error(where, f"selector {k}={v} does not match the pod template labels")
        pod = tmpl["spec"]
        psc = pod.get("securityContext") or {}
        if psc.get("runAsNonRoot") is not True:
            error(where, "pod securityContext.runAsNonRoot must be true")
        if (psc.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
            error(where, "pod securityContext.seccompProfile.type must be RuntimeDefault")
        volumes = {v["name"] for v in pod.get("volumes") or []}
        for c in pod.get("containers") or []:
            cw = f"{where} container {c['name']}"
            sc = c.get("securityContext") or {}
            if sc.get("runAsNonRoot") is not True:
                error(cw, "securityContext.runAsNonRoot must be true")
            if sc.get("readOnlyRootFilesystem") is not True:
                error(cw, "securityContext.readOnlyRootFilesystem must be true")
            if sc.get("allowPrivilegeEscalation") is not False:
                error(cw, "securityContext.allowPrivilegeEscalation must be false")
            if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
                error(cw, "securityContext.capabilities.drop must contain ALL")
            if (sc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
                error(cw, "seccompProfile.type must be RuntimeDefault")
            image = c.get("image", "")
            if ":" not in image.rsplit("/", 1)[-1] and "@" not in image:
                error(cw, f"image {image!r} has no tag or digest")
            elif image.endswith(":latest"):
                error(cw, f"image {image!r} uses :latest")
            res = c.get("resources") or {}
            for section in ("requests", "limits"):
                for r in ("cpu", "memory"):
                    if r not in (res.get(section) or {}):
                        error(cw, f"resources.{section}.{r} is required")
            ports = {p.get("name"): p["containerPort"] for p in c.get("ports") or []}
            for probe, path in (("livenessProbe", LIVE_PATH), ("readinessProbe", READY_PATH)):
                http = (c.get(probe) or {}).get("httpGet")
                if not http:
                    error(cw, f"{probe}.httpGet is required")
                    continue
                if http.get("path") != path:
                    error(cw, f"{probe} must GET {path} (has {http.get('path')!r})")
                port = http.get("port")
                if isinstance(port, str) and port not in ports:
                    error(cw, f"{probe} port {port!r} is not a named container port")
            for m in c.get("volumeMounts") or []:
                if m["name"] not in volumes:
                    error(cw, f"volumeMount {m['name']!r} has no volume")
            for ef in c.get("envFrom") or []:
                if "configMapRef" in ef:
                    ref_ok(
                        cw,
                        "ConfigMap",
                        ef["configMapRef"]["name"],
                        None,
                        ef["configMapRef"].get("optional", False),
                    )
                if "secretRef" in ef:
                    ref_ok(cw, "Secret", ef["secretRef"]["name"], None, ef["secretRef"].get("optional", False))
            for e in c.get("env") or []:
                vf = e.get("valueFrom") or {}
                for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                    if key in vf:
                        ref_ok(cw, kind, vf[key]["name"], vf[key]["key"], vf[key].get("optional", False))
            if dname in SERVICES:
                port = SERVICES[dname]
                if ports.get("http") != port:
                    error(cw, f"containerPort 'http' must be {port}")
                if env_value(c, "HTTP_PORT") != str(port):
                    error(cw, f"env HTTP_PORT must be {port!r}")
                if env_value(c, "MONGODB_DATABASE") != f"civicflow_{dname}":
                    error(cw, f"env MONGODB_DATABASE must be civicflow_{dname}")
                if env_value(c, "OTEL_SERVICE_NAME") != f"civicflow-{dname}":
                    error(cw, f"env OTEL_SERVICE_NAME must be civicflow-{dname}")

    for sname, s in by_kind.get("Service", {}).items():
        where = f"service/{sname}"
        sel = (s.get("spec") or {}).get("selector") or {}
        targets = [
            d
            for d in deployments.values()
            if sel
            and all(
                ((d["spec"]["template"].get("metadata") or {}).get("labels") or {}).get(k) == v for k, v in sel.items()
            )
        ]
        if not targets:
            error(where, f"selector {sel} matches no Deployment")
        for p in (s.get("spec") or {}).get("ports") or []:
            tp = p.get("targetPort")
            if isinstance(tp, str):
                for d in targets:
                    names = {
                        pp.get("name")
                        for c in d["spec"]["template"]["spec"]["containers"]
                        for pp in c.get("ports") or []
                    }
                    if tp not in names:
                        error(where, f"targetPort {tp!r} is not a port of {kn(d)}")
    if "intake" not in by_kind.get("Service", {}):
        error("service/intake", "missing")
    return deployments


def check_compose(model: dict) -> None:
    services = model.get("services") or {}
    for name, port in SERVICES.items():
        where = f"compose service {name}"
        svc = services.get(name)
        if svc is None:
            error(where, "missing")
            continue
        env = svc.get("environment") or {}
        expected = {
            "HTTP_HOST": "0.0.0.0",  # noqa: S104 - containers must listen on all interfaces
            "HTTP_PORT": str(port),
            "MONGODB_DATABASE": f"civicflow_{name}",
            "OTEL_SERVICE_NAME": f"civicflow-{name}",
        }
        for k, v in expected.items():
            if env.get(k) != v:
                error(where, f"environment {k} must be {v!r} (has {env.get(k)!r})")
        for k in (
            "KAFKA_BOOTSTRAP_SERVERS",
            "MONGODB_URI",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_PROTOCOL",
            "CIVICFLOW_ENV",
        ):
            if not env.get(k):
                error(where, f"environment {k} is required")
        test = " ".join((svc.get("healthcheck") or {}).get("test") or [])
        if f":{port}{READY_PATH}" not in test:
            error(where, f"healthcheck must probe http://127.0.0.1:{port}{READY_PATH}")
        dockerfile = (svc.get("build") or {}).get("dockerfile", "")
        if not dockerfile.endswith(f"services/{name}/Dockerfile"):
            error(where, f"build.dockerfile must be services/{name}/Dockerfile")


def check_dockerfiles(repo: Path) -> None:
    for name, port in SERVICES.items():
        path = repo / "services" / name / "Dockerfile"
        where = str(path.relative_to(repo))
        if not path.is_file():
            error(where, "missing")
            continue
        text = path.read_text()
        if not re.search(rf"^EXPOSE\s+{port}\s*$", text, re.M):
            error(where, f"must EXPOSE {port}")
        if not re.search(rf'^CMD\s+\["civicflow-{name}"\]\s*$', text, re.M):
            error(where, f'must end with CMD ["civicflow-{name}"]')
        if f"--package civicflow-{name} " not in text:
            error(where, f"must sync --package civicflow-{name}")
        users = re.findall(r"^USER\s+(\S+)", text, re.M)
        if not users or users[-1].split(":")[0] in ("root", "0") or not users[-1].split(":")[0].isdigit():
            error(where, "the final USER must be a fixed numeric non-root uid")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--k8s", type=Path, required=True, help="kustomize build output")
    ap.add_argument("--compose", type=Path, help="compose-check -print output")
    ap.add_argument("--repo", type=Path, help="repository root (for the Dockerfiles)")
    args = ap.parse_args()

    objs = [o for o in yaml.safe_load_all(args.k8s.read_text()) if o]
    check_k8s(objs)
    checked = [f"{len(objs)} Kubernetes objects"]
    if args.compose:
        check_compose(yaml.safe_load(args.compose.read_text()) or {})
        checked.append("compose model")
    if args.repo:
        check_dockerfiles(args.repo)
        checked.append("Dockerfiles")
    for e in errors:
        print(e)
    if errors:
        return 1
    print("deploy-policy: OK (" + ", ".join(checked) + ")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
