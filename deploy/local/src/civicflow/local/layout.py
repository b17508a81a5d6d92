"""Where the local stack lives: the repository, var/ for data and logs, and the ports it listens on."""

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

SHARED_POSTAL_TABLE = Path("..") / "shared" / "data" / "de-regions" / "plz_ags.csv"


def repository_root() -> Path:
    for candidate in (Path.cwd(), *Path.cwd().parents, *Path(__file__).resolve().parents):
        if (candidate / "deploy" / "local" / "kafka" / "run.sh").exists():
            return candidate
    raise RuntimeError("run this from inside the CivicFlow repository")


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


@dataclass(frozen=True)
class Layout:
    root: Path
    var_dir: Path
    ports: Ports = field(default_factory=Ports)
    # Given addresses mean: use that server, start nothing for it.
    external_kafka: str | None = None
    external_mongo: str | None = None
    external_smtp: tuple[str, int] | None = None

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
        )

    @property
    def kafka_bootstrap(self) -> str:
        return self.external_kafka or f"127.0.0.1:{self.ports.kafka}"

    @property
    def mongo_uri(self) -> str:
        return self.external_mongo or f"mongodb://127.0.0.1:{self.ports.mongo}"

    @property
    def postgres_url(self) -> str:
        """FerretDB's database on the local PostgreSQL server (role and database made by postgres/run.sh)."""
        return f"postgres://ferretdb@127.0.0.1:{self.ports.postgres}/ferretdb"

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
