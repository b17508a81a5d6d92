"""The agency registry as it stands on its compacted topic (topics.AGENCY_REGISTRY), so that a version published
with `civicflow agencies publish` routes the next application without a restart. Read whole by every routing
instance (messaging.compacted): a record that is no valid registry is logged without its content and changes
nothing."""

from civicflow.routing.domain.registry import AgencyRegistry
from civicflow.shared import topics
from civicflow.shared.messaging.compacted import FollowedTopic, LatestVersion, read_latest
from civicflow.shared.settings import KafkaSettings

NAME = "agency registry"  # as the log names it: "agency registry at offset 7 applied"


def parse_registry(value: bytes) -> AgencyRegistry:
    """A ReferenceDataError (or a UnicodeDecodeError, both ValueErrors) for a record that is no valid registry."""
    return AgencyRegistry.from_json(value.decode("utf-8"))


class LatestRegistry(LatestVersion[AgencyRegistry]):
    """The newest valid registry read so far."""

    def __init__(self) -> None:
        super().__init__(parse_registry, NAME)


class KafkaAgencyRegistry(FollowedTopic[AgencyRegistry]):
    """`follow` is a background job; `loaded` the start-up step subscribers wait for, so routing never handles an
    application without a registry; `current` is Router.registry."""

    def __init__(self, kafka: KafkaSettings) -> None:
        super().__init__(
            kafka,
            topics.AGENCY_REGISTRY,
            parse_registry,
            name=NAME,
            max_record_bytes=topics.AGENCY_REGISTRY_MAX_BYTES,
            while_waiting="routing waits for one (`civicflow agencies publish`)",
        )


async def read_current(kafka: KafkaSettings) -> AgencyRegistry | None:
    """The newest valid version on the topic now (None: there is none), read once: for the publishing tool."""
    return await read_latest(
        kafka, topics.AGENCY_REGISTRY, parse_registry, name=NAME, max_record_bytes=topics.AGENCY_REGISTRY_MAX_BYTES
    )
