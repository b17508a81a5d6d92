"""Every Kafka principal and what it may do, defined once: the local stack applies it, the compose file and the
Kubernetes job run the script rendered from it, and the tests check the broker enforces it.

Each internal topic has exactly one producing principal, so a record on it was written by that service: a
leaked credential lets its holder forge only the events of the service it belongs to (README, "Security")."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from civicflow.shared import topics
from civicflow.shared.topics import ConsumerGroup

ADMIN: Final = "civicflow-admin"  # the cluster's super user: sets up topics, users and ACLs, nothing else
OPERATOR: Final = "civicflow-operator"  # lists and replays dead letters
AGENCY_PREFIX: Final = "agency-"


class Operation(StrEnum):
    READ = "READ"
    WRITE = "WRITE"
    DESCRIBE = "DESCRIBE"


class Resource(StrEnum):
    TOPIC = "TOPIC"
    GROUP = "GROUP"


class Pattern(StrEnum):
    LITERAL = "LITERAL"
    PREFIXED = "PREFIXED"


@dataclass(frozen=True, order=True)
class Grant:
    principal: str
    resource: Resource
    name: str
    pattern: Pattern
    operation: Operation


# What each service writes and reads; the retry topics and consumer groups of its own group come with it.
PRODUCES: Final[dict[ConsumerGroup, tuple[str, ...]]] = {
    ConsumerGroup.INTAKE: (
        topics.SUBMISSION_RECEIVED,
        topics.EXPERIENCE_RECORDED,
        topics.SERVICE_RATED,
        topics.CONTACT_PREFERENCES_CHANGED,
        topics.ERASURE_REQUESTED,
        topics.CLARIFICATION_PROVIDED,
        topics.INFORMATION_PROVIDED,
    ),
    ConsumerGroup.IDENTITY: (topics.IDENTITY_VERIFIED, topics.IDENTITY_REJECTED, topics.PROFILE_SAVED),
    ConsumerGroup.ROUTING: (
        topics.SUBMISSION_ROUTED,
        topics.SUBMISSION_UNROUTABLE,
        topics.CLARIFICATION_NEEDED,
        topics.SUBMISSION_DECIDED,
    ),
    ConsumerGroup.NOTIFY: (topics.CITIZEN_NOTIFIED, topics.NOTIFICATION_DUE),
    # Insights only counts: it publishes nothing but its dead letters.
    ConsumerGroup.INSIGHTS: (),
}
CONSUMES: Final[dict[ConsumerGroup, tuple[str, ...]]] = {
    ConsumerGroup.INTAKE: (
        topics.IDENTITY_VERIFIED,
        topics.IDENTITY_REJECTED,
        topics.SUBMISSION_ROUTED,
        topics.SUBMISSION_UNROUTABLE,
        topics.CITIZEN_NOTIFIED,
        topics.PROFILE_SAVED,
        topics.CLARIFICATION_NEEDED,
        topics.SUBMISSION_DECIDED,
    ),
    # Intake erases its own part when the citizen asks (and then publishes the erasure); identity, routing and
    # notify theirs when they read it (README, "The once-only profile").
    ConsumerGroup.IDENTITY: (topics.SUBMISSION_RECEIVED, topics.CONTACT_PREFERENCES_CHANGED, topics.ERASURE_REQUESTED),
    ConsumerGroup.ROUTING: (
        topics.IDENTITY_VERIFIED,
        topics.CLARIFICATION_PROVIDED,
        topics.ERASURE_REQUESTED,
        topics.INFORMATION_PROVIDED,
    ),
    ConsumerGroup.NOTIFY: (
        topics.SUBMISSION_RECEIVED,
        topics.IDENTITY_VERIFIED,
        topics.IDENTITY_REJECTED,
        topics.SUBMISSION_ROUTED,
        topics.SUBMISSION_UNROUTABLE,
        topics.CLARIFICATION_NEEDED,
        topics.SUBMISSION_DECIDED,
        topics.NOTIFICATION_DUE,
        topics.ERASURE_REQUESTED,
    ),
    # The page's steps and the ratings, and the status events (whose sealed parts it cannot open: it has no keys).
    ConsumerGroup.INSIGHTS: (
        topics.EXPERIENCE_RECORDED,
        topics.SERVICE_RATED,
        topics.SUBMISSION_RECEIVED,
        topics.IDENTITY_VERIFIED,
        topics.IDENTITY_REJECTED,
        topics.SUBMISSION_ROUTED,
        topics.SUBMISSION_UNROUTABLE,
        topics.CLARIFICATION_NEEDED,
        topics.SUBMISSION_DECIDED,
    ),
}

# Topics of every agency a service subscribes to by pattern (messaging.Subscription.pattern): readable per agency,
# granted when the agency is registered (routing_grants).
CONSUMES_OF_EVERY_AGENCY: Final[dict[ConsumerGroup, tuple[str, ...]]] = {
    ConsumerGroup.ROUTING: (topics.AGENCY_DECISIONS,)
}

# Topics a service reads whole with a plain consumer, without a consumer group, besides its subscriptions: every
# routing instance reads every version of the agency registry (to route), and every intake instance too (the
# agencies' keys, for their attachment fetches).
READS_WHOLE: Final[dict[ConsumerGroup, tuple[str, ...]]] = {
    ConsumerGroup.ROUTING: (topics.AGENCY_REGISTRY,),
    ConsumerGroup.INTAKE: (topics.AGENCY_REGISTRY,),
}


def service_principal(group: ConsumerGroup) -> str:
    return str(group)


def agency_principal(agency_id: str) -> str:
    topics.agency_submissions(agency_id)  # refuses an id that is no topic component
    return f"{AGENCY_PREFIX}{agency_id}"


def producer_of(topic: str) -> str:
    """The only principal allowed to write an internal topic (or the experience events)."""
    for group, produced in PRODUCES.items():
        if topic in produced:
            return service_principal(group)
    raise ValueError(f"{topic!r} is not an internal topic")


def service_grants(group: ConsumerGroup, agency_ids: list[str]) -> list[Grant]:
    principal = service_principal(group)
    written = [*PRODUCES[group], topics.DEAD_LETTER]
    read = [*CONSUMES[group], *READS_WHOLE.get(group, ())]
    grants = [Grant(principal, Resource.TOPIC, topic, Pattern.LITERAL, Operation.WRITE) for topic in written]
    grants += [Grant(principal, Resource.TOPIC, topic, Pattern.LITERAL, Operation.READ) for topic in read]
    if group is ConsumerGroup.ROUTING:
        grants += [grant for agency_id in agency_ids for grant in routing_grants(agency_id)]
    own_retries = topics.retry_topic_prefix(group)
    grants += [
        Grant(principal, Resource.TOPIC, own_retries, Pattern.PREFIXED, op) for op in (Operation.READ, Operation.WRITE)
    ]
    grants.append(Grant(principal, Resource.GROUP, topics.group_id_prefix(group), Pattern.PREFIXED, Operation.READ))
    return grants


def routing_grants(agency_id: str) -> list[Grant]:
    """What routing needs to deliver to one agency and take its decisions: given with the agency's own when it is
    registered."""
    principal = service_principal(ConsumerGroup.ROUTING)
    return [
        Grant(principal, Resource.TOPIC, topics.agency_submissions(agency_id), Pattern.LITERAL, Operation.WRITE),
        *(
            Grant(principal, Resource.TOPIC, family.format(agency_id=agency_id), Pattern.LITERAL, Operation.READ)
            for family in CONSUMES_OF_EVERY_AGENCY[ConsumerGroup.ROUTING]
        ),
    ]


def agency_grants(agency_id: str) -> list[Grant]:
    principal = agency_principal(agency_id)
    return [
        Grant(principal, Resource.TOPIC, topics.agency_submissions(agency_id), Pattern.LITERAL, Operation.READ),
        Grant(principal, Resource.TOPIC, topics.agency_decisions(agency_id), Pattern.LITERAL, Operation.WRITE),
        Grant(principal, Resource.GROUP, topics.agency_group_prefix(agency_id), Pattern.PREFIXED, Operation.READ),
    ]


def operator_grants() -> list[Grant]:
    # Reads the dead letters and replays one to the internal topic it came from; may see every consumer group.
    # Reads the experience events and the ratings too (they carry no personal data), as the insights service does.
    return [
        Grant(OPERATOR, Resource.TOPIC, topics.DEAD_LETTER, Pattern.LITERAL, Operation.READ),
        Grant(OPERATOR, Resource.TOPIC, topics.EXPERIENCE_RECORDED, Pattern.LITERAL, Operation.READ),
        Grant(OPERATOR, Resource.TOPIC, topics.SERVICE_RATED, Pattern.LITERAL, Operation.READ),
        *(Grant(OPERATOR, Resource.TOPIC, topic, Pattern.LITERAL, Operation.WRITE) for topic in topics.INTERNAL_TOPICS),
        Grant(OPERATOR, Resource.GROUP, "civicflow-", Pattern.PREFIXED, Operation.DESCRIBE),
    ]


def all_grants(agency_ids: list[str]) -> list[Grant]:
    grants = [grant for group in ConsumerGroup for grant in service_grants(group, agency_ids)]
    grants += [grant for agency_id in agency_ids for grant in agency_grants(agency_id)]
    return sorted(grants + operator_grants())


def all_principals(agency_ids: list[str]) -> list[str]:
    """Every principal that gets a SCRAM credential; ADMIN's is made when the storage is formatted."""
    return [*map(service_principal, ConsumerGroup), *map(agency_principal, agency_ids), OPERATOR]
