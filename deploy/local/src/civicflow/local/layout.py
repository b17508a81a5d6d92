"""Where the local stack lives: the repository, var/ for data and logs, and the ports it listens on."""

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from civicflow.local.secrets import LocalSecrets
from civicflow.shared.security.access import ADMIN, OPERATOR
from civicflow.shared.settings import KafkaSettings

SHARED_POSTAL_TABLE = Path("..") / "shared" / "data" / "de-regions" / "plz_ags.csv"


def repository_root() -> Path:
    for candidate in (Path.cwd(), *Path.cwd().parents, *Path(__file__).resolve().parents):
        if (candidate / "deploy" / "local" / "kafka" / "run.sh").exists():
            return candidate
    raise RuntimeError("run this from inside the CivicFlow repository")


STORE_OPERATOR = "ferretdb"


@dataclass(frozen=True)
class Ports:
    kafka: int = 9092
    kafka_controller: int = 9093
    mongo: int = 27017
    # Not 5432, where Debian's own cluster listens when there is one.
    postgres: int = 5433
    smtp: int = 1025
    idp: int = 8090
    intake: int = 8080
    identity: int = 8081
    routing: int = 8082
    notify: int = 8083
    insights: int = 8084
    # Jaeger's own defaults: OTLP/HTTP in, its query API (and UI) out.
    jaeger_otlp: int = 4318
    jaeger_query: int = 16686


@dataclass(frozen=True)
class Layout:
    root: Path
    var_dir: Path
    ports: Ports = field(default_factory=Ports)
    # Given addresses mean: use that server, start nothing for it.
    external_kafka: str | None = None
    external_mongo: str | None = None
    external_smtp: tuple[str, int] | None = None
    # Where spans go when the environment names an OTLP endpoint (then no Jaeger is started).
    external_traces: str | None = None

    @classmethod
    def from_environment(cls, ports: Ports | None = None, var_dir: Path | None = None) -> "Layout":
        root = repository_root()
        smtp_host, smtp_port = os.environ.get("SMTP_HOST"), os.environ.get("SMTP_PORT")
        return cls(
            root=root,
            var_dir=var_dir or Path(os.environ.get("CIVICFLOW_VAR_DIR", root / "var")),
            ports=ports or Ports(),
            external_kafka=os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or None,
            external_mongo=os.environ.get("MONGODB_URI") or None,
            external_smtp=(smtp_host or "127.0.0.1", int(smtp_port or 25)) if smtp_host or smtp_port else None,
            external_traces=os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
            or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
            or None,
        )

    @property
    def secrets(self) -> LocalSecrets:
        return LocalSecrets(self.var_dir / "secrets")

    @property
    def kafka_bootstrap(self) -> str:
        return self.external_kafka or f"127.0.0.1:{self.ports.kafka}"

    def kafka_as(self, principal: str) -> KafkaSettings:
        """How a client reaches Kafka as `principal`; for an external broker, as the environment says."""
        if self.external_kafka is not None:
            return KafkaSettings()
        return KafkaSettings(
            bootstrap_servers=self.kafka_bootstrap,
            security_protocol="SASL_PLAINTEXT",  # loopback only
            sasl_username=principal,
            sasl_password=self.secrets.kafka_admin_password()
            if principal == ADMIN
            else self.secrets.kafka_password(principal),
        )

    @property
    def kafka_admin(self) -> KafkaSettings:
        """The super user: set-up, benchmarks and tests."""
        return self.kafka_as(ADMIN)

    @property
    def kafka_operator(self) -> KafkaSettings:
        return self.kafka_as(OPERATOR)

    @property
    def mongo_uri(self) -> str:
        """The store as its operator (FerretDB's own role, a member of every service's): tools and tests."""
        return self.external_mongo or self.store_uri(STORE_OPERATOR)

    def store_uri(self, role: str) -> str:
        """The local store as `role`; FerretDB hands user and password to PostgreSQL (authMechanism=PLAIN)."""
        if self.external_mongo is not None:
            return self.external_mongo
        password = self.secrets.store_password(role)
        return f"mongodb://{role}:{password}@127.0.0.1:{self.ports.mongo}/?authMechanism=PLAIN"

    @property
    def postgres_url(self) -> str:
        """FerretDB's database on the local PostgreSQL server (made by postgres/run.sh). No user: FerretDB connects
        as each client's own role, with its password."""
        return f"postgres://127.0.0.1:{self.ports.postgres}/ferretdb"

    @property
    def smtp_address(self) -> tuple[str, int]:
        return self.external_smtp or ("127.0.0.1", self.ports.smtp)

    @property
    def idp_issuer(self) -> str:
        return f"http://127.0.0.1:{self.ports.idp}"

    @property
    def intake_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.intake}"

    @property
    def insights_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.insights}"

    @property
    def jaeger_otlp_url(self) -> str:
        """The local Jaeger's OTLP/HTTP endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT takes it (the SDK adds /v1/traces)."""
        return f"http://127.0.0.1:{self.ports.jaeger_otlp}"

    @property
    def jaeger_query_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.jaeger_query}"

    @property
    def mail_dir(self) -> Path:
        return self.var_dir / "mail"

    @property
    def idp_state_dir(self) -> Path:
        return self.var_dir / "idp"

    def postal_table(self) -> Path | None:
        """The full German postal-code table when it is beside the repository, else the bundled extract."""
        table = (self.root / SHARED_POSTAL_TABLE).resolve()
        return table if table.exists() else None

    def console_script(self, name: str) -> str:
        beside_python = Path(sys.executable).parent / name
        return str(beside_python) if beside_python.exists() else (shutil.which(name) or name)
