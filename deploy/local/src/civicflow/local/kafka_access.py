"""Applying civicflow.shared.security.access to the local broker: a SCRAM credential per principal and exactly the
ACLs of the table (those no longer in it are removed). Idempotent; run by the stack once the broker is up."""

import asyncio
from collections.abc import Mapping
from typing import Any

# confluent-kafka re-exports these from private modules without declaring them.
from confluent_kafka.admin import (  # type: ignore[attr-defined]
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialAlteration,
    UserScramCredentialUpsertion,
)

from civicflow.shared.security.access import ADMIN, Grant

TIMEOUT_SECONDS = 30.0
SCRAM_ITERATIONS = 8192  # Kafka's minimum is 4096; RFC 7677 recommends at least 4096 for SHA-256


def admin_client(bootstrap_servers: str, admin_password: str) -> AdminClient:
    return AdminClient(
        {
            "bootstrap.servers": bootstrap_servers,
            "security.protocol": "SASL_PLAINTEXT",
            "sasl.mechanism": "SCRAM-SHA-512",
            "sasl.username": ADMIN,
            "sasl.password": admin_password,
        }
    )


def binding(grant: Grant) -> AclBinding:
    return AclBinding(
        ResourceType[grant.resource],
        grant.name,
        ResourcePatternType[grant.pattern],
        f"User:{grant.principal}",
        "*",
        AclOperation[grant.operation],
        AclPermissionType.ALLOW,
    )


def _set_passwords(client: AdminClient, passwords: Mapping[str, str]) -> None:
    info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS)
    upserts: list[UserScramCredentialAlteration] = [
        UserScramCredentialUpsertion(user, info, password.encode()) for user, password in passwords.items()
    ]
    if upserts:
        for future in client.alter_user_scram_credentials(upserts, request_timeout=TIMEOUT_SECONDS).values():
            future.result()


def _present(client: AdminClient) -> set[AclBinding]:
    everything = AclBindingFilter(
        ResourceType.ANY,
        None,  # type: ignore[arg-type]  # None matches any name, principal and host (librdkafka's NULL)
        ResourcePatternType.ANY,
        None,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        AclOperation.ANY,
        AclPermissionType.ANY,
    )
    return set(client.describe_acls(everything, request_timeout=TIMEOUT_SECONDS).result())


def _apply(client: AdminClient, passwords: Mapping[str, str], grants: list[Grant], *, remove_others: bool) -> None:
    _set_passwords(client, passwords)
    wanted = {binding(grant) for grant in grants}
    present = _present(client)
    if wanted - present:
        for future in client.create_acls(list(wanted - present), request_timeout=TIMEOUT_SECONDS).values():
            future.result()
    if remove_others and present - wanted:
        extra: list[Any] = list(present - wanted)  # a binding, given as a filter, matches only itself
        for future in client.delete_acls(extra, request_timeout=TIMEOUT_SECONDS).values():
            future.result()


async def apply_access(
    bootstrap_servers: str, admin_password: str, passwords: Mapping[str, str], grants: list[Grant]
) -> None:
    """Raises confluent_kafka.KafkaException when the broker refuses (e.g. a wrong admin password)."""
    client = admin_client(bootstrap_servers, admin_password)
    await asyncio.to_thread(_apply, client, passwords, grants, remove_others=True)


async def add_access(
    bootstrap_servers: str, admin_password: str, passwords: Mapping[str, str], grants: list[Grant]
) -> None:
    """Like apply_access, but only adds: for an agency registered while everything runs."""
    client = admin_client(bootstrap_servers, admin_password)
    await asyncio.to_thread(_apply, client, passwords, grants, remove_others=False)
