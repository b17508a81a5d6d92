"""The agencies' keys as the newest valid agency registry on its compacted topic lists them (read whole, without a
consumer group, and followed: messaging.compacted), so that a key an agency rotates in with `civicflow agencies
publish` is used for its next attachment without a restart."""

from civicflow.intake.domain.agency_keys import AgencyDirectory, parse_agency_keys
from civicflow.shared import topics
from civicflow.shared.messaging.compacted import FollowedTopic
from civicflow.shared.settings import KafkaSettings


class KafkaAgencyKeys(FollowedTopic[AgencyDirectory]):
    """`follow` is a background job; intake does not wait for it to start (its citizens' pages need no registry):
    `current` is a LookupError until a version has been read."""

    def __init__(self, kafka: KafkaSettings) -> None:
        super().__init__(
            kafka,
            topics.AGENCY_REGISTRY,
            parse_agency_keys,
            name="agency registry",
            max_record_bytes=topics.AGENCY_REGISTRY_MAX_BYTES,
            while_waiting="agencies' attachment requests are answered 503 until one is read",
        )
