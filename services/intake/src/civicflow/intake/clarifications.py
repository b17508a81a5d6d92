"""The citizen's answer to routing's question (which of the offered municipalities their address is in), from the
status page or the API: published for routing at once (no outbox: the citizen waits for the answer to be taken,
and may send it again if it was not), then kept in the timeline, so the page stops asking."""

from dataclasses import dataclass

from civicflow.intake.domain.clarification import answer_id, open_question
from civicflow.intake.domain.submission import SubmissionRecord
from civicflow.intake.domain.timeline import timeline_entry
from civicflow.intake.handlers import Submissions, recipient_of
from civicflow.shared import topics
from civicflow.shared.events import ClarificationProvided
from civicflow.shared.kafka import EventPublisher
from civicflow.shared.security.sealing import Sealer


class NotWaiting(Exception):
    """The application waits for no answer (none asked, answered otherwise already, or moved on)."""


class NotOffered(Exception):
    """The municipality is not one the citizen was offered."""


class AnswerNotTaken(Exception):
    """The answer could not be published or kept now; sending it again is safe (the same answer is the same event)."""


@dataclass(frozen=True)
class Clarifications:
    submissions: Submissions
    publisher: EventPublisher
    sealer: Sealer

    async def answer(self, record: SubmissionRecord, municipality_key: str) -> None:
        """Raises NotWaiting, NotOffered or AnswerNotTaken; the same answer again, once taken, changes nothing."""
        event_id = answer_id(record.submission_id, municipality_key)
        question = open_question(record)
        if question is None:
            if any(entry.event_id == event_id for entry in record.timeline):
                return
            raise NotWaiting
        if not question.offers(municipality_key):
            raise NotOffered
        if not record.applicant:  # anonymised: routing dropped the waiting application with the erasure
            raise NotWaiting
        event = ClarificationProvided(
            event_id=event_id,
            submission_id=record.submission_id,
            recipient=recipient_of(record, self.sealer),
            municipality_key=municipality_key,
        )
        try:
            await self.publisher.publish(topics.CLARIFICATION_PROVIDED, event, key=str(record.submission_id))
            await self.submissions.record_steps([timeline_entry(event)])
        except Exception as error:
            raise AnswerNotTaken from error
