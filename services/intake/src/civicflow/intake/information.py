"""The citizen's answer to the agency's request for information, from the status page or the API: published for
routing at once (as clarifications.py does, no outbox: the citizen waits for the answer to be taken, and may send it
again if it was not), sealed for routing, which carries it to the agency; then kept in the timeline, so the page
stops asking and shows the answer as sent."""

from dataclasses import dataclass

from civicflow.intake.domain.information import answer_event_id, open_request, taken_already
from civicflow.intake.domain.submission import SubmissionRecord
from civicflow.intake.domain.timeline import answer_entry
from civicflow.intake.handlers import Submissions, recipient_of
from civicflow.shared import topics
from civicflow.shared.events import InformationProvided, personal
from civicflow.shared.kafka import EventPublisher
from civicflow.shared.security.sealing import Sealer


class NotAsked(Exception):
    """The agency asks for nothing now (it did not ask, the request was answered, or it decided since)."""


class AnswerNotTaken(Exception):
    """The answer could not be published or kept now; sending it again is safe (the same answer is the same event)."""


@dataclass(frozen=True)
class Answers:
    submissions: Submissions
    publisher: EventPublisher
    sealer: Sealer

    async def answer(self, record: SubmissionRecord, text: str) -> None:
        """`text` as domain.information.written gives it. Raises NotAsked or AnswerNotTaken; the same answer again,
        once taken, changes nothing."""
        request = open_request(record)
        if request is None:
            if taken_already(record, text):
                return
            raise NotAsked
        if not record.applicant:  # anonymised (an erasure, or the retention): nothing is carried any more
            raise NotAsked
        event = InformationProvided(
            event_id=answer_event_id(record.submission_id, request.request_id, text),
            submission_id=record.submission_id,
            recipient=recipient_of(record, self.sealer),
            request_id=request.request_id,
            answer=self.sealer.seal(personal.INFORMATION_ANSWER, text, record.submission_id),
        )
        try:
            await self.publisher.publish(topics.INFORMATION_PROVIDED, event, key=str(record.submission_id))
            await self.submissions.record_steps([answer_entry(event, text)])
        except Exception as error:
            raise AnswerNotTaken from error
