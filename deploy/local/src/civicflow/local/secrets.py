"""The local stack's secrets: generated on first start under var/secrets (directories 0700, files 0600), kept
afterwards, never in the repository. Delete a file to rotate that secret (README, "Security")."""

import base64
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from civicflow_agency import wire

from civicflow.shared.security.access import ADMIN


@dataclass(frozen=True)
class LocalSecrets:
    directory: Path

    @property
    def kafka_dir(self) -> Path:
        return self._ensure_dir(self.directory / "kafka")

    def kafka_password(self, principal: str) -> str:
        return self._get(self.kafka_dir / principal, lambda: secrets.token_urlsafe(32))

    def kafka_admin_password(self) -> str:
        self.kafka_password("controller")  # the broker's own, read by kafka/run.sh
        return self.kafka_password(ADMIN)

    @property
    def store_roles_dir(self) -> Path:
        """One file per PostgreSQL role, holding its password (read by postgres/run.sh)."""
        return self._ensure_dir(self.directory / "postgres")

    def store_password(self, role: str) -> str:
        return self._get(self.store_roles_dir / role, lambda: secrets.token_urlsafe(32))

    def operator_token(self) -> str:
        """The operators' bearer token for the insights API (INSIGHTS_OPERATOR_TOKEN)."""
        return self._get(self.directory / "operator_token", lambda: secrets.token_urlsafe(32))

    def field_key(self, name: str) -> str:
        """`<key id>:<base64url of 32 random bytes>`, as CIVICFLOW_KEYS_* take it."""

        def new_key() -> str:
            return f"k1:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip('=')}"

        return self._get(self._ensure_dir(self.directory / "keys") / name, new_key)

    def agency_key(self, agency_id: str) -> str:
        """The private JWK (RSA 4096, civicflow_agency.wire.new_key) the local stack holds for an agency of the
        registry, as the agency itself would: its public half goes into routing's registry."""

        def new_key() -> str:
            return json.dumps(wire.new_key().as_dict(private=True))

        return self._get(self._ensure_dir(self.directory / "agencies") / f"{agency_id}.jwk", new_key)

    def agency_signing_key(self, agency_id: str) -> str:
        """The private JWK (RSA 4096, PS256, civicflow_agency.wire.new_signing_key) the local stack signs an agency's
        decisions with, as the agency itself would: its public half goes into routing's registry too."""

        def new_key() -> str:
            return json.dumps(wire.new_signing_key().as_dict(private=True))

        return self._get(self._ensure_dir(self.directory / "agencies") / f"{agency_id}.sig.jwk", new_key)

    def write(self, path: Path, value: str) -> None:
        """A derived secret (e.g. a connection string with a password), written anew each time."""
        self._ensure_dir(path.parent)
        temporary = path.with_suffix(".new")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(value)
        temporary.replace(path)

    def _ensure_dir(self, path: Path) -> Path:
        """`path` and every directory between it and var/secrets, made private to the owner."""
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        for directory in (path, *path.relative_to(self.directory).parents):
            (self.directory / directory).chmod(0o700)
        return path

    def _get(self, path: Path, new: Callable[[], str]) -> str:
        if not path.exists():
            value = new()
            # O_EXCL: two starts at once do not overwrite each other's secret; the loser reads the winner's.
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return path.read_text().strip()
            with os.fdopen(descriptor, "w") as file:
                file.write(value)
        return path.read_text().strip()
