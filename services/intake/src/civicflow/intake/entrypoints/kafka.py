"""Intake's subscribers: every status event becomes a step in the submission's timeline."""

from faststream.kafka import KafkaBroker, KafkaMessage

from civicflow.intake.config import CONSUMER_GROUP
from civicflow.intake.handlers import Submissions, record_step
from civicflow.shared import topics
from civicflow.shared.consuming import decode_or_dead_letter, redelivered_on_failure, source_record
from civicflow.shared.events import (
    CitizenNotified,
    IdentityRejected,
    IdentityVerified,
    StatusEvent,
    SubmissionRouted,
    SubmissionUnroutable,
)
from civicflow.shared.kafka import consumer_options

TIMELINE_SOURCES: dict[str, type[StatusEvent] | type[CitizenNotified]] = {
    topics.IDENTITY_VERIFIED: IdentityVerified,
    topics.IDENTITY_REJECTED: IdentityRejected,
    topics.SUBMISSION_ROUTED: SubmissionRouted,
    topics.SUBMISSION_UNROUTABLE: SubmissionUnroutable,
    topics.CITIZEN_NOTIFIED: CitizenNotified,
}


def register_subscribers(broker: KafkaBroker, submissions: Submissions) -> None:
    @broker.subscriber(*TIMELINE_SOURCES, **consumer_options(CONSUMER_GROUP))
    async def on_status_event(message: KafkaMessage) -> None:
        event_type = TIMELINE_SOURCES[source_record(message).topic]
        event = await decode_or_dead_letter(event_type, message, broker, CONSUMER_GROUP)
        if event is not None:
            async with redelivered_on_failure():
                await record_step(event, submissions)
