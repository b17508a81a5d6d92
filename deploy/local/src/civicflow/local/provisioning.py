"""What each service of the local stack may reach, and handing it out: a Kafka principal, a store role of its
own, the field-encryption keys it needs. Each service gets its secrets as files in a directory of its own
(CIVICFLOW_SECRETS_DIR), as it would from a mounted Kubernetes Secret."""

from dataclasses import dataclass
from pathlib import Path

from civicflow.identity.config import DEFAULT_DATABASE as IDENTITY_DATABASE
from civicflow.insights.config import DEFAULT_DATABASE as INSIGHTS_DATABASE
from civicflow.intake.config import DEFAULT_DATABASE as INTAKE_DATABASE
from civicflow.local.agency_keys import write_agency_registry
from civicflow.local.kafka_access import apply_access
from civicflow.local.layout import STORE_OPERATOR, Layout
from civicflow.local.topics_admin import agency_ids, ensure_topics
from civicflow.notify.config import DEFAULT_DATABASE as NOTIFY_DATABASE
from civicflow.routing.adapters.kafka_registry import read_current
from civicflow.routing.config import DEFAULT_DATABASE as ROUTING_DATABASE
from civicflow.shared.security.access import all_grants, all_principals, service_principal
from civicflow.shared.security.keys import KeyName
from civicflow.shared.topics import ConsumerGroup


@dataclass(frozen=True)
class ServiceAccess:
    group: ConsumerGroup
    database: str  # also its store role
    keys: tuple[KeyName, ...]

    @property
    def principal(self) -> str:
        return service_principal(self.group)


SERVICES = {
    "intake": ServiceAccess(
        ConsumerGroup.INTAKE,
        INTAKE_DATABASE,
        (
            KeyName.APPLICANT,
            KeyName.IDENTITY_TOKEN,
            KeyName.CONTACT,
            KeyName.PSEUDONYM,
            KeyName.PROFILE,
            KeyName.CORRESPONDENCE,
        ),
    ),
    "identity": ServiceAccess(
        ConsumerGroup.IDENTITY,
        IDENTITY_DATABASE,
        (KeyName.APPLICANT, KeyName.IDENTITY_TOKEN, KeyName.PSEUDONYM, KeyName.PROFILE),
    ),
    "routing": ServiceAccess(
        ConsumerGroup.ROUTING,
        ROUTING_DATABASE,
        (KeyName.APPLICANT, KeyName.AGENCY_PSEUDONYM, KeyName.CORRESPONDENCE),
    ),
    "notify": ServiceAccess(ConsumerGroup.NOTIFY, NOTIFY_DATABASE, (KeyName.CONTACT, KeyName.CORRESPONDENCE)),
    # No keys: insights reads no personal data, only the events' clear parts.
    "insights": ServiceAccess(ConsumerGroup.INSIGHTS, INSIGHTS_DATABASE, ()),
}
# The operators' token for the insights API, beside insights' other secrets (as CIVICFLOW_SECRETS_DIR gives them).
OPERATOR_TOKEN_FILE = "insights_operator_token"  # noqa: S105 - a file name, not a secret


def service_secrets_dir(layout: Layout, service: str) -> Path:
    return layout.secrets.directory / "services" / service


def write_local_secrets(layout: Layout) -> None:
    """Every secret the local stack needs, made on first use and kept; each service's files beside; the agencies'
    keys and routing's registry with their public halves."""
    local = layout.secrets
    if layout.external_kafka is None:
        local.kafka_admin_password()
        for principal in all_principals(agency_ids()):
            local.kafka_password(principal)
    if layout.external_mongo is None:
        local.store_password(STORE_OPERATOR)
    for service, access in SERVICES.items():
        directory = service_secrets_dir(layout, service)
        if layout.external_kafka is None:
            local.write(directory / "kafka_sasl_password", local.kafka_password(access.principal))
        if layout.external_mongo is None:
            local.store_password(access.database)
            local.write(directory / "mongodb_uri", layout.store_uri(access.database))
        for key in access.keys:
            local.write(directory / key.variable.lower(), local.field_key(key))
    local.write(service_secrets_dir(layout, "insights") / OPERATOR_TOKEN_FILE, local.operator_token())
    # The same token lets staff read the ratings' comments at intake (INTAKE_OPERATOR_TOKEN).
    local.write(service_secrets_dir(layout, "intake") / "intake_operator_token", local.operator_token())
    write_agency_registry(layout)


async def provision_kafka(layout: Layout) -> list[str]:
    """The topics, then users and ACLs on the local broker (an external one is its operator's); returns the topics
    it made. The agencies' topics are made when their registry is published (civicflow.local.agencies)."""
    created = await ensure_topics(layout.kafka_admin)
    if layout.external_kafka is None:
        # Those registered while the stack ran keep theirs until a published version retires them.
        current = await read_current(layout.kafka_admin)
        published = current.agencies() if current is not None else []
        registered = sorted({*agency_ids(), *(agency.agency_id for agency in published)})
        principals = all_principals(registered)
        passwords = {principal: layout.secrets.kafka_password(principal) for principal in principals}
        await apply_access(
            layout.kafka_bootstrap, layout.secrets.kafka_admin_password(), passwords, all_grants(registered)
        )
    return created
