"""CivicFlow deployment policy and cross-file consistency checks.

Runs after the schema validators (compose-check, kubernetes-validate), on
their inputs:

* the kustomize-rendered Kubernetes objects (--k8s),
* the resolved compose model printed by `compose-check -print` (--compose),
* the service Dockerfiles (--repo).

It checks what a schema cannot: the hardening every Deployment and Job must
carry, the health-probe contract, resources, references between objects
(ConfigMaps, Secrets and their keys, volumes, Service selectors, probe ports),
that the service name / port / console script agree across compose,
Dockerfile and Kubernetes, and how each service authenticates: Kafka over
SASL_SSL as its own principal, secrets only as files in its own
CIVICFLOW_SECRETS_DIR with exactly its field keys, and nothing but the
placeholder as a Secret value in the base.

Usage: python deploy_policy.py --k8s RENDERED.yaml [--compose RESOLVED.yaml] [--repo ROOT]
Exit status 1 with one "POLICY ERROR ..." line per problem.
"""

from __future__ import annotations

import argparse
import base64
import re
import sys
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import yaml

# The contract with the Python services (see deploy/README.md).
SERVICES = {"intake": 8080, "identity": 8081, "routing": 8082, "notify": 8083, "insights": 8084}
# The field-encryption keys each service may hold (civicflow.shared.security.keys), no more.
FIELD_KEYS = {
    "intake": {"applicant", "identity_token", "contact", "pseudonym", "profile", "correspondence"},
    "identity": {"applicant", "identity_token", "pseudonym", "profile"},
    "routing": {"applicant", "agency_pseudonym", "correspondence"},
    "notify": {"contact", "correspondence"},
    "insights": set(),
}
# Settings that are secrets: files in CIVICFLOW_SECRETS_DIR, never an environment value or a ConfigMap key.
SECRET_SETTINGS = re.compile(
    r"^(KAFKA_SASL_PASSWORD|MONGODB_URI|SMTP_PASSWORD|INSIGHTS_OPERATOR_TOKEN|CIVICFLOW_KEYS_\w+)$"
)
SECRETS_DIR = "/run/secrets"
# The principals deploy/kafka/setup.sh gives a password to, and the super user it runs as.
SETUP_PRINCIPALS = re.compile(r"^PRINCIPALS='([^']*)'", re.M)
SETUP_ADMIN = "civicflow-admin"
PLACEHOLDER = "dev-only-not-a-secret"
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


def keys_of(obj: dict) -> set[str]:
    return set((obj.get("data") or {}).keys()) | set((obj.get("stringData") or {}).keys())


def expect_secret_files(where: str, service: str, files: set[str]) -> None:
    """The service's secrets directory holds its Kafka password, its MongoDB URI and exactly its field keys."""
    for needed in ("kafka_sasl_password", "mongodb_uri"):
        if needed not in files:
            error(where, f"{SECRETS_DIR} has no {needed}")
    keys = {f.removeprefix("civicflow_keys_") for f in files if f.startswith("civicflow_keys_")}
    if keys != FIELD_KEYS[service]:
        error(where, f"field keys must be exactly {sorted(FIELD_KEYS[service])} (has {sorted(keys)})")


def check_secret_values(secrets: dict[str, dict]) -> None:
    """Nothing but the placeholder in the base: as a value, or as the password of a URI."""
    for name, secret in secrets.items():
        values = {k: base64.b64decode(v).decode() for k, v in (secret.get("data") or {}).items()}
        values |= secret.get("stringData") or {}
        for key, value in values.items():
            if value != PLACEHOLDER and urlsplit(value).password != PLACEHOLDER:
                error(f"secret/{name}", f"{key} must be {PLACEHOLDER!r}: real values stay out of the base")


class K8s:
    """The rendered objects by kind and name, and the lookups between them."""

    def __init__(self, objs: list[dict]) -> None:
        self.by_kind: dict[str, dict[str, dict]] = {}
        for o in objs:
            self.by_kind.setdefault(o.get("kind", ""), {})[o["metadata"]["name"]] = o
            if o.get("kind") not in CLUSTER_SCOPED and o["metadata"].get("namespace") != NAMESPACE:
                error(kn(o), f"metadata.namespace must be {NAMESPACE!r}")
        self.configmaps = self.by_kind.get("ConfigMap", {})
        self.secrets = self.by_kind.get("Secret", {})
        self.deployments = self.by_kind.get("Deployment", {})

    def ref(self, where: str, kind: str, name: str, keys: list[str], optional: bool = False) -> set[str]:
        """The keys of a referenced ConfigMap or Secret, reporting a missing object or key."""
        obj = (self.configmaps if kind == "ConfigMap" else self.secrets).get(name)
        if obj is None:
            if not optional:
                error(where, f"references missing {kind} {name!r}")
            return set()
        for key in keys:
            if key not in keys_of(obj) and not optional:
                error(where, f"references missing key {key!r} of {kind} {name!r}")
        return keys_of(obj)

    def volume_files(self, where: str, volume: dict) -> set[str]:
        """The file names a Secret/ConfigMap/projected volume holds; its references checked on the way."""
        sources = [s for s in (volume.get("projected") or {}).get("sources") or [] if s]
        if "secret" in volume:
            sources.append({"secret": {"name": volume["secret"].get("secretName"), **volume["secret"]}})
        if "configMap" in volume:
            sources.append({"configMap": volume["configMap"]})
        files: set[str] = set()
        for source in sources:
            for key, kind in (("secret", "Secret"), ("configMap", "ConfigMap")):
                if key in source:
                    ref = source[key]
                    items = ref.get("items") or []
                    keys = self.ref(where, kind, ref["name"], [i["key"] for i in items], ref.get("optional", False))
                    files |= {i["path"] for i in items} if items else keys
        return files

    def env(self, where: str, container: dict) -> dict[str, str]:
        """The container's environment as far as the base sets it (env values and envFrom ConfigMaps)."""
        env: dict[str, str] = {}
        for ef in container.get("envFrom") or []:
            for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                if key in ef:
                    self.ref(where, kind, ef[key]["name"], [], ef[key].get("optional", False))
            if "configMapRef" in ef:
                env |= (self.configmaps.get(ef["configMapRef"]["name"]) or {}).get("data") or {}
        for e in container.get("env") or []:
            vf = e.get("valueFrom") or {}
            for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                if key in vf:
                    self.ref(where, kind, vf[key]["name"], [vf[key]["key"]], vf[key].get("optional", False))
            if "value" in e:
                env[e["name"]] = e["value"]
            if SECRET_SETTINGS.match(e["name"]):
                error(where, f"env {e['name']} is a secret: mount it as a file under {SECRETS_DIR}")
        return env


def check_hardening(where: str, pod: dict) -> None:
    psc = pod.get("securityContext") or {}
    if psc.get("runAsNonRoot") is not True:
        error(where, "pod securityContext.runAsNonRoot must be true")
    if (psc.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
        error(where, "pod securityContext.seccompProfile.type must be RuntimeDefault")
    for c in pod.get("containers") or []:
        check_container_hardening(f"{where} container {c['name']}", c, psc)


def check_container_hardening(cw: str, c: dict, psc: dict) -> None:
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
    check_image_and_resources(cw, c)


def check_image_and_resources(cw: str, c: dict) -> None:
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


def check_probes(cw: str, c: dict) -> None:
    ports = {p.get("name") for p in c.get("ports") or []}
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


def check_pod(k8s: K8s, where: str, pod: dict, service: str | None) -> dict[str, set[str]]:
    """Hardening, references and, for a CivicFlow service, its part of the contract. Returns each volume's files."""
    check_hardening(where, pod)
    files = {v["name"]: k8s.volume_files(f"{where} volume {v['name']}", v) for v in pod.get("volumes") or []}
    for c in pod.get("containers") or []:
        cw = f"{where} container {c['name']}"
        mounts = {m["mountPath"]: m for m in c.get("volumeMounts") or []}
        for m in mounts.values():
            if m["name"] not in files:
                error(cw, f"volumeMount {m['name']!r} has no volume")
        env = k8s.env(cw, c)
        if service is None:
            continue
        check_probes(cw, c)
        port = SERVICES[service]
        if {p.get("name"): p["containerPort"] for p in c.get("ports") or []}.get("http") != port:
            error(cw, f"containerPort 'http' must be {port}")
        expected = {
            "HTTP_PORT": str(port),
            "MONGODB_DATABASE": f"civicflow_{service}",
            "OTEL_SERVICE_NAME": f"civicflow-{service}",
            "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "KAFKA_SASL_USERNAME": f"civicflow-{service}",
            "CIVICFLOW_SECRETS_DIR": SECRETS_DIR,
        }
        for k, v in expected.items():
            if env.get(k) != v:
                error(cw, f"env {k} must be {v!r} (has {env.get(k)!r})")
        mount = mounts.get(SECRETS_DIR)
        if mount is None or mount.get("readOnly") is not True:
            error(cw, f"must mount its secrets read-only at {SECRETS_DIR}")
        else:
            expect_secret_files(cw, service, files.get(mount["name"], set()))
    return files


def check_kafka_setup(k8s: K8s, where: str, pod: dict, files: dict[str, set[str]]) -> None:
    """A Job running the Kafka set-up script has a password file for each principal the script names (its
    PRINCIPALS) and for the super user, in its SECRETS_DIR."""
    volumes = {v["name"]: v for v in pod.get("volumes") or []}
    for c in pod.get("containers") or []:
        mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts") or []}
        env = {e["name"]: e.get("value") for e in c.get("env") or []}
        script = PurePosixPath((c.get("command") or [""])[-1])
        config = (volumes.get(mounts.get(str(script.parent), "")) or {}).get("configMap") or {}
        text = ((k8s.configmaps.get(config.get("name", "")) or {}).get("data") or {}).get(script.name, "")
        principals = SETUP_PRINCIPALS.search(text)
        if principals and "SECRETS_DIR" in env:
            have = files.get(mounts.get(env["SECRETS_DIR"], ""), set())
            for missing in sorted({SETUP_ADMIN, *principals.group(1).split()} - have):
                error(f"{where} container {c['name']}", f"no password file for {missing} in {env['SECRETS_DIR']}")


def check_k8s(objs: list[dict]) -> dict[str, dict]:
    k8s = K8s(objs)
    deployments = k8s.deployments
    for name in SERVICES:
        if name not in deployments:
            error(f"deployment/{name}", "missing")
    for dname, d in deployments.items():
        where = f"deployment/{dname}"
        spec = d["spec"]
        labels = (spec["template"].get("metadata") or {}).get("labels") or {}
        for k, v in ((spec.get("selector") or {}).get("matchLabels") or {}).items():
            if labels.get(k) != v:
                error(where, f"selector {k}={v} does not match the pod template labels")
        check_pod(k8s, where, spec["template"]["spec"], dname if dname in SERVICES else None)
    for jname, job in k8s.by_kind.get("Job", {}).items():
        pod = job["spec"]["template"]["spec"]
        check_kafka_setup(k8s, f"job/{jname}", pod, check_pod(k8s, f"job/{jname}", pod, None))
    for cname, cm in k8s.configmaps.items():
        for key in filter(SECRET_SETTINGS.match, (cm.get("data") or {}).keys()):
            error(f"configmap/{cname}", f"{key} is a secret: it belongs in a Secret")
    check_secret_values(k8s.secrets)
    check_services(k8s.by_kind.get("Service", {}), deployments)
    return deployments


def check_services(services: dict[str, dict], deployments: dict[str, dict]) -> None:
    for sname, s in services.items():
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
    if "intake" not in services:
        error("service/intake", "missing")


def check_compose(model: dict) -> None:
    services = model.get("services") or {}
    for name, port in SERVICES.items():
        where = f"compose service {name}"
        svc = services.get(name)
        if svc is None:
            error(where, "missing")
            continue
        check_compose_env(where, name, port, svc.get("environment") or {})
        targets = {s.get("target") or s["source"] for s in svc.get("secrets") or []}
        expect_secret_files(where, name, {t.removeprefix(f"{SECRETS_DIR}/") for t in targets})
        setup = (svc.get("depends_on") or {}).get("kafka-setup") or {}
        if setup.get("condition") != "service_completed_successfully":
            error(where, "must depend on kafka-setup (condition: service_completed_successfully)")
        test = " ".join((svc.get("healthcheck") or {}).get("test") or [])
        if f":{port}{READY_PATH}" not in test:
            error(where, f"healthcheck must probe http://127.0.0.1:{port}{READY_PATH}")
        dockerfile = (svc.get("build") or {}).get("dockerfile", "")
        if not dockerfile.endswith(f"services/{name}/Dockerfile"):
            error(where, f"build.dockerfile must be services/{name}/Dockerfile")


def check_compose_env(where: str, name: str, port: int, env: dict[str, str]) -> None:
    expected = {
        "HTTP_HOST": "0.0.0.0",  # noqa: S104 - containers must listen on all interfaces
        "HTTP_PORT": str(port),
        "MONGODB_DATABASE": f"civicflow_{name}",
        "OTEL_SERVICE_NAME": f"civicflow-{name}",
        "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "KAFKA_SASL_USERNAME": f"civicflow-{name}",
        "CIVICFLOW_SECRETS_DIR": SECRETS_DIR,
    }
    for k, v in expected.items():
        if env.get(k) != v:
            error(where, f"environment {k} must be {v!r} (has {env.get(k)!r})")
    for k in (
        "KAFKA_BOOTSTRAP_SERVERS",
        "KAFKA_SSL_CAFILE",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        "CIVICFLOW_ENV",
    ):
        if not env.get(k):
            error(where, f"environment {k} is required")
    for k in filter(SECRET_SETTINGS.match, env):
        if k != "SMTP_PASSWORD" or env[k] != PLACEHOLDER:  # mailpit takes any password
            error(where, f"environment {k} is a secret: give it as a file under {SECRETS_DIR} (secrets:)")


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
