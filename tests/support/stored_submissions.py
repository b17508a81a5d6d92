"""A submission as intake stores it, Erika's, with its received step and pending event, for the store tests."""

from datetime import datetime
from uuid import UUID, uuid4

from civicflow.intake.adapters.mongo_submissions import MongoSubmissions
from civicflow.intake.domain.outbox import OutgoingEvent
from civicflow.intake.domain.submission import SubmissionRecord, TimelineEntry, hash_status_token
from civicflow.local.sample import ERIKA
from civicflow.shared import topics
from civicflow.shared.events import Step

SERVICE = "99050012104000"
STATUS_TOKEN = "token"


async def stored_submission(submissions: MongoSubmissions, received_at: datetime) -> UUID:
    submission_id = uuid4()
    received = TimelineEntry(event_id=uuid4(), submission_id=submission_id, step=Step.RECEIVED, at=received_at)
    record = SubmissionRecord(
        submission_id=submission_id,
        service_id=SERVICE,
        status_token_hash=hash_status_token(STATUS_TOKEN),
        trace_id=None,
        received_at=received_at,
        applicant=dict(ERIKA),
        form={"trade": "Bäckerei Mustermann"},
        timeline=(received,),
    )
    outgoing = OutgoingEvent(submission_id, topics.SUBMISSION_RECEIVED, str(submission_id), b"{sealed}", {})
    assert await submissions.add(record, outgoing)
    return submission_id
