"""Bringing the local stack up and down: infrastructure first, then the five services, each one waited
for until healthy. What is already running and healthy is reused; external servers are never started."""

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from civicflow.local import health
from civicflow.local.agencies import local_registry_text, publish_registry
from civicflow.local.layout import Layout
from civicflow.local.provisioning import SERVICES, provision_kafka, service_secrets_dir, write_local_secrets
from civicflow.local.registry_change import RegistryRefused


class StackError(RuntimeError):
    pass


@dataclass(frozen=True)
class Component:
    name: str
    command: list[str]
    healthy: Callable[[], Awaitable[bool]]
    timeout_seconds: float
    install: list[str] | None = None
    env: dict[str, str] = field(default_factory=dict)
    stop_signal: signal.Signals = signal.SIGTERM
    # Services start after the infrastructure, once the Kafka topics exist.
    is_service: bool = False


def components(layout: Layout) -> list[Component]:
    """Everything to start, in order, less what the environment says runs elsewhere."""
    ports, var, local = layout.ports, layout.var_dir, layout.root / "deploy" / "local"
    found: list[Component] = []
    if layout.external_kafka is None:
        found.append(
            Component(
                "kafka",
                [
                    "bash",
                    str(local / "kafka" / "run.sh"),
                    str(var / "kafka"),
                    str(ports.kafka),
                    str(ports.kafka_controller),
                    str(layout.secrets.kafka_dir),
                ],
                lambda: health.kafka_up(layout.kafka_admin),
                120,
                install=["bash", str(local / "kafka" / "install.sh")],
            )
        )
    if layout.external_mongo is None:
        found.extend(document_store(layout))
    if layout.external_smtp is None:
        found.append(
            Component(
                "smtp",
                [
                    sys.executable,
                    "-m",
                    "civicflow.local.smtp_server",
                    "--mail-dir",
                    str(layout.mail_dir),
                    "--port",
                    str(ports.smtp),
                ],
                lambda: health.smtp_up(*layout.smtp_address),
                30,
            )
        )
    if layout.external_traces is None:
        found.append(trace_store(layout))
    found.append(
        Component(
            "idp",
            [
                sys.executable,
                "-m",
                "civicflow.local.oidc_provider",
                "--state-dir",
                str(layout.idp_state_dir),
                "--port",
                str(ports.idp),
            ],
            lambda: health.http_ok(f"{layout.idp_issuer}/.well-known/jwks.json"),
            30,
        )
    )
    found.extend(services(layout))
    return found


# The local stack's load comes from one address (the benchmark, the fault run, the tests): intake's limits per
# client address (30 submissions, 120 experience reports and 120 agency fetches a minute by default) would measure
# the limiter. Set them to test it.
LOCAL_RATE_LIMIT = {
    name: os.environ.get(name, default)
    for name, default in (
        ("INTAKE_RATE_LIMIT_PER_MINUTE", "6000000"),
        ("INTAKE_RATE_LIMIT_BURST", "100000"),
        ("INTAKE_RATE_LIMIT_EXPERIENCE_PER_MINUTE", "6000000"),
        ("INTAKE_RATE_LIMIT_EXPERIENCE_BURST", "100000"),
        ("INTAKE_RATE_LIMIT_AGENCY_PER_MINUTE", "6000000"),
        ("INTAKE_RATE_LIMIT_AGENCY_BURST", "100000"),
    )
}


# Notify's sending limits per address and per citizen (20 messages an hour, 5 before verification a day) would stop
# the tests and the benchmark, which mail the same few addresses all day; its coalescing window (60 s in production)
# is 3 s here, so that a local run is told within seconds. Set them to see the production behaviour.
LOCAL_NOTIFY = {
    name: os.environ.get(name, default)
    for name, default in (
        ("NOTIFY_COALESCE_SECONDS", "3"),
        ("NOTIFY_LIMIT_PER_RECIPIENT_PER_HOUR", "1000000"),
        ("NOTIFY_LIMIT_UNVERIFIED_PER_RECIPIENT_PER_DAY", "1000000"),
        ("NOTIFY_LIMIT_PER_SENDER_PER_HOUR", "1000000"),
    )
}


def services(layout: Layout) -> list[Component]:
    """The five services, each with its own credentials and keys (files in its own secrets directory)."""
    ports = layout.ports
    found = []
    service_ports = (ports.intake, ports.identity, ports.routing, ports.notify, ports.insights)
    for service, port in zip(SERVICES, service_ports, strict=True):
        env = {"HTTP_PORT": str(port), "CIVICFLOW_SECRETS_DIR": str(service_secrets_dir(layout, service))}
        if layout.external_kafka is None:
            env |= {"KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "KAFKA_SASL_USERNAME": SERVICES[service].principal}
        if service == "intake":
            # Where the pages are reached: their links, and where the identity provider sends a citizen back.
            env |= LOCAL_RATE_LIMIT | {"INTAKE_PUBLIC_URL": layout.intake_url}
        if service == "notify":
            env |= LOCAL_NOTIFY
        if service == "insights":  # the operator page's traces: the local Jaeger's query API
            env["INSIGHTS_TRACE_STORE_URL"] = layout.jaeger_query_url
        found.append(
            Component(
                service,
                [layout.console_script(f"civicflow-{service}")],
                lambda port=port: health.http_ok(f"http://127.0.0.1:{port}/health/ready"),  # type: ignore[misc]
                60,
                env=env,
                is_service=True,
            )
        )
    return found


def document_store(layout: Layout) -> list[Component]:
    """FerretDB, and the PostgreSQL server that holds its data, started first."""
    ports, var, local = layout.ports, layout.var_dir, layout.root / "deploy" / "local"
    return [
        Component(
            "postgres",
            [
                "bash",
                str(local / "postgres" / "run.sh"),
                str(var / "postgres"),
                str(ports.postgres),
                str(layout.secrets.store_roles_dir),
            ],
            lambda: health.postgres_up(ports.postgres),
            60,
            install=["bash", str(local / "postgres" / "install.sh")],
            # SIGTERM is PostgreSQL's smart shutdown, which waits for every session to end; SIGINT is its fast
            # shutdown: sessions are ended, a checkpoint is written, the server exits cleanly.
            stop_signal=signal.SIGINT,
        ),
        Component(
            "ferretdb",
            ["bash", str(local / "ferretdb" / "run.sh"), str(var / "ferretdb"), str(ports.mongo), layout.postgres_url],
            lambda: health.mongo_up(layout.mongo_uri),
            60,
            install=["bash", str(local / "ferretdb" / "install.sh")],
        ),
    ]


def trace_store(layout: Layout) -> Component:
    """Jaeger with in-memory storage: the services' spans in over OTLP/HTTP, `civicflow trace` reads them back."""
    local = layout.root / "deploy" / "local"
    return Component(
        "jaeger",
        ["bash", str(local / "jaeger" / "run.sh"), str(layout.ports.jaeger_otlp), str(layout.ports.jaeger_query)],
        lambda: health.http_ok(f"{layout.jaeger_query_url}/api/services"),
        60,
        install=["bash", str(local / "jaeger" / "install.sh")],
    )


DEV_PROVIDER_NAME = {"de": "Test-Anmeldedienst (nur Entwicklung)", "en": "Test sign-in service (development only)"}


def service_environment(layout: Layout) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "OTEL_SERVICE_NAME"}
    host, port = layout.smtp_address
    env.update(
        {
            "KAFKA_BOOTSTRAP_SERVERS": layout.kafka_bootstrap,
            "SMTP_HOST": host,
            "SMTP_PORT": str(port),
            "IDP_ISSUER": layout.idp_issuer,
            "IDP_JWKS_URL": f"{layout.idp_issuer}/.well-known/jwks.json",
            "IDP_DISPLAY_NAME": json.dumps(DEV_PROVIDER_NAME),
            "CIVICFLOW_ENV": env.get("CIVICFLOW_ENV", "dev"),
        }
    )
    if layout.external_traces is None:
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = layout.jaeger_otlp_url
    postal_table = layout.postal_table()
    if postal_table is not None and "ROUTING_POSTAL_TABLE" not in env:
        env["ROUTING_POSTAL_TABLE"] = str(postal_table)
    return env


class Stack:
    def __init__(
        self,
        layout: Layout,
        say: Callable[[str], None] = print,
        extra_env: dict[str, str] | None = None,
        parts: list[Component] | None = None,
    ) -> None:
        self.layout = layout
        self.extra_env = extra_env or {}
        self.parts = components(layout) if parts is None else parts
        self.say = say
        self.run_dir = layout.var_dir / "run"
        self.log_dir = layout.var_dir / "log"

    async def up(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        write_local_secrets(self.layout)
        env = service_environment(self.layout) | self.extra_env
        for component in (part for part in self.parts if not part.is_service):
            await self._start(component, env)
        services = [part for part in self.parts if part.is_service]
        if services:
            created = await provision_kafka(self.layout)
            if created:
                self.say(f"created {len(created)} Kafka topics")
            # Before routing starts: it routes nothing until it has read a registry.
            await self._publish_registry()
        for component in services:
            await self._start(component, env)

    async def _publish_registry(self) -> None:
        """The local agency registry, said only when it changed something (a second `up` says nothing)."""
        try:
            published = await publish_registry(self.layout, local_registry_text(self.layout))
        except RegistryRefused as refused:
            raise StackError(str(refused)) from refused
        if published.offset is not None:
            self.say(published.describe())

    async def _start(self, component: Component, env: dict[str, str]) -> None:
        if await component.healthy():
            self.say(f"{component.name}: already running, reused")
            return
        if component.install is not None:
            self.say(f"{component.name}: installing (cached after the first time)")
            # Progress goes to stderr; stdout only names what was installed.
            subprocess.run(component.install, check=True, stdout=subprocess.DEVNULL)  # noqa: ASYNC221 - one-off
        log_path = self.log_dir / f"{component.name}.log"
        with log_path.open("ab") as log:
            process = subprocess.Popen(  # noqa: ASYNC220 - a detached child, not awaited
                component.command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**env, **component.env},
                cwd=self.layout.root,
                start_new_session=True,
            )
        (self.run_dir / f"{component.name}.pid").write_text(str(process.pid))
        deadline = time.monotonic() + component.timeout_seconds
        while not await component.healthy():
            if process.poll() is not None:
                raise StackError(
                    f"{component.name} exited with code {process.returncode}; see {log_path}\n" + _tail(log_path)
                )
            if time.monotonic() > deadline:
                raise StackError(
                    f"{component.name} did not become healthy within {component.timeout_seconds:.0f} s;"
                    f" see {log_path}\n" + _tail(log_path)
                )
            await asyncio.sleep(0.5)
        self.say(f"{component.name}: healthy (pid {process.pid})")

    def down(self) -> None:
        for component in reversed(self.parts):
            self.stop(component.name)

    def stop(self, name: str, stop_signal: signal.Signals | None = None) -> bool:
        """Stop one component, as `down` does, or crash it (`signal.SIGKILL`); `start` brings it back. False
        when there was nothing to stop: no pid file, so not started by a stack on this var/."""
        component = self._component(name)
        pid_file = self.run_dir / f"{component.name}.pid"
        if not pid_file.exists():
            return False
        _stop_group(int(pid_file.read_text()), stop_signal or component.stop_signal)
        pid_file.unlink()
        self.say(f"{component.name}: stopped")
        return True

    async def start(self, name: str) -> None:
        """Start one component again (after `stop`), and wait until it is healthy."""
        await self._start(self._component(name), service_environment(self.layout) | self.extra_env)

    def _component(self, name: str) -> Component:
        found = [part for part in self.parts if part.name == name]
        if not found:
            raise StackError(f"no component {name!r} in this stack (it may run elsewhere)")
        return found[0]


def _stop_group(pid: int, stop_signal: signal.Signals, grace_seconds: float = 20.0) -> None:
    try:
        os.killpg(pid, stop_signal)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reap it when it is our own child, so it does not linger as a zombie
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.killpg(pid, signal.SIGKILL)


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
