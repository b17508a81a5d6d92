"""Every Kafka topic name, defined once. Nobody spells a topic name inline (tests/contract checks this)."""

from enum import StrEnum
from typing import Final

from civicflow_agency import wire

SUBMISSION_RECEIVED: Final = "civicflow.submission.received.v1"
IDENTITY_VERIFIED: Final = "civicflow.identity.verified.v1"
IDENTITY_REJECTED: Final = "civicflow.identity.rejected.v1"
SUBMISSION_ROUTED: Final = "civicflow.routing.routed.v1"
SUBMISSION_UNROUTABLE: Final = "civicflow.routing.unroutable.v1"
CLARIFICATION_NEEDED: Final = "civicflow.routing.clarification-needed.v1"
CLARIFICATION_PROVIDED: Final = "civicflow.intake.clarification-provided.v1"
# The agency's decision, verified (routing), and the citizen's answer to its request for information (intake).
SUBMISSION_DECIDED: Final = "civicflow.routing.decided.v1"
INFORMATION_PROVIDED: Final = "civicflow.intake.information-provided.v1"
CITIZEN_NOTIFIED: Final = "civicflow.notify.notified.v1"
# Notify's own: a message whose time has come (written and read by notify, so its retries use the retry topics).
NOTIFICATION_DUE: Final = "civicflow.notify.due.v1"
DEAD_LETTER: Final = "civicflow.deadletter.v1"
EXPERIENCE_RECORDED: Final = "civicflow.experience.recorded.v1"
# The citizens' ratings of their applications once decided (events.experience.ServiceRated), without personal data.
SERVICE_RATED: Final = "civicflow.experience.rated.v1"
# The once-only profile (events.profile), keyed by the pseudonymous citizen id: identity publishes each version,
# intake what the signed-in citizen asks for on the page.
PROFILE_SAVED: Final = "civicflow.identity.profile-saved.v1"
CONTACT_PREFERENCES_CHANGED: Final = "civicflow.profile.contact-changed.v1"
ERASURE_REQUESTED: Final = "civicflow.profile.erasure-requested.v1"

INTERNAL_TOPICS: Final = (
    SUBMISSION_RECEIVED,
    IDENTITY_VERIFIED,
    IDENTITY_REJECTED,
    SUBMISSION_ROUTED,
    SUBMISSION_UNROUTABLE,
    CLARIFICATION_NEEDED,
    CLARIFICATION_PROVIDED,
    SUBMISSION_DECIDED,
    INFORMATION_PROVIDED,
    CITIZEN_NOTIFIED,
    NOTIFICATION_DUE,
    PROFILE_SAVED,
    CONTACT_PREFERENCES_CHANGED,
    ERASURE_REQUESTED,
)
# Read by operators, by the agencies and by the insights service, which aggregates the experience events (the
# pages' funnel and the ratings, without personal data); no pipeline service depends on them.
PUBLIC_TOPICS: Final = (DEAD_LETTER, EXPERIENCE_RECORDED, SERVICE_RATED)

# The agencies' topics, as the agency kit (civicflow_agency.wire, the contract with agencies) names them.
AGENCY_SUBMISSIONS: Final = wire.SUBMISSIONS_TOPIC
# Written by the agency (its answers to the citizen), read by CivicFlow.
AGENCY_DECISIONS: Final = wire.DECISIONS_TOPIC


# Which agency handles which service where (routing's AgencyRegistry): written by `civicflow agencies publish`, read
# whole by every routing instance without a consumer group. Compacted, and the whole registry is ONE record (key
# AGENCY_REGISTRY_KEY), so the topic keeps the newest version and a version takes effect at once, never in part.
# One partition: one key has no use for more. Its records may be large (every agency's public keys): 16 MiB.
AGENCY_REGISTRY: Final = "civicflow.routing.agency-registry.v1"
AGENCY_REGISTRY_KEY: Final = "agencies"
AGENCY_REGISTRY_MAX_BYTES: Final = 16 * 1024 * 1024
AGENCY_REGISTRY_PARTITIONS: Final = 1
AGENCY_REGISTRY_CONFIG: Final = {"cleanup.policy": "compact", "max.message.bytes": str(AGENCY_REGISTRY_MAX_BYTES)}


def agency_submissions(agency_id: str) -> str:
    """The public topic an agency subscribes to for the applications it is responsible for."""
    if not wire.AGENCY_ID.match(agency_id):
        raise ValueError(f"agency id {agency_id!r} is not a valid topic component")
    return AGENCY_SUBMISSIONS.format(agency_id=agency_id)


def agency_decisions(agency_id: str) -> str:
    agency_submissions(agency_id)  # the same check of the id
    return AGENCY_DECISIONS.format(agency_id=agency_id)


def agency_group_prefix(agency_id: str) -> str:
    """An agency's consumer group ids begin with this, e.g. agency.koeln-gewerbe.inbox."""
    agency_submissions(agency_id)
    return f"agency.{agency_id}."


class ConsumerGroup(StrEnum):
    """Each service reads as one Kafka consumer group; its retries and dead letters are kept per group."""

    INTAKE = "civicflow-intake"
    IDENTITY = "civicflow-identity"
    ROUTING = "civicflow-routing"
    NOTIFY = "civicflow-notify"
    INSIGHTS = "civicflow-insights"


# A message whose processing failed for a reason that may pass (an SMTP server or identity provider down) waits
# on its group's retry topic of the next stage, so the messages behind it on the source partition go on.
RETRY_STAGES: Final = 4
RETRY: Final = "civicflow.retry.{group}.{stage}"


def group_id(group: str, topic: str) -> str:
    """The Kafka group id a service reads `topic` with: one group per topic, so one topic's rebalance or lag
    never holds up another's."""
    return f"{group_id_prefix(group)}{topic}"


def group_id_prefix(group: str) -> str:
    return f"{group}."


def retry_topic_prefix(group: str) -> str:
    return RETRY.format(group=group, stage="")


def retry_topic(group: str, stage: int) -> str:
    if not 1 <= stage <= RETRY_STAGES:
        raise ValueError(f"retry stage {stage} is not between 1 and {RETRY_STAGES}")
    return RETRY.format(group=group, stage=stage)


def retry_topics() -> list[str]:
    return [retry_topic(group, stage) for group in ConsumerGroup for stage in range(1, RETRY_STAGES + 1)]
