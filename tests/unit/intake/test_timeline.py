from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.domain.submission import SubmissionRecord, TimelineEntry
from civicflow.intake.domain.validation import ValidSubmission, validate_submission
from civicflow.intake.handlers import Accepted, Intake, TraceContext, accept_submission, record_steps
from civicflow.shared.events import (
    Applicant,
    CitizenNotified,
    ClarificationProvided,
    IdentityRejected,
    IdentityVerified,
    MunicipalityChoice,
    Step,
    SubmissionNeedsClarification,
    SubmissionRouted,
    personal,
)
from tests.support.samples import valid_body
from tests.support.sealing import recipient, sealer_with_every_key
from tests.unit.intake.fakes import FakeAttachments, FakeRelay, FakeSubmissions

CATALOGUE = Catalogue.bundled()

SEALER = sealer_with_every_key()
RECIPIENT = recipient(SEALER, uuid4(), "erika@example.org")


async def accepted(submissions: FakeSubmissions) -> Accepted:
    valid = validate_submission(valid_body(), CATALOGUE)
    assert isinstance(valid, ValidSubmission)
    intake = Intake(submissions, FakeAttachments(), FakeRelay(), SEALER)
    return await accept_submission(valid, intake, TraceContext("ab" * 16, {}))


async def test_each_event_adds_one_step_and_the_status_only_moves_forward() -> None:
    submissions = FakeSubmissions()
    submission_id = (await accepted(submissions)).submission_id
    routed = SubmissionRouted(
        submission_id=submission_id,
        recipient=RECIPIENT,
        agency_id="koeln-gewerbe",
        municipality_key="05315000",
    )
    verified = IdentityVerified(
        submission_id=submission_id,
        recipient=RECIPIENT,
        service_id="99050012104000",
        applicant=SEALER.seal(personal.APPLICANT, Applicant.model_validate(valid_body()["applicant"]), submission_id),
        form=SEALER.seal(personal.FORM, {}, submission_id),
        level_of_assurance="substantial",
        citizen_id="a" * 32,
        received_at=routed.occurred_at,
    )
    notification_id = uuid4()
    notified = CitizenNotified(
        submission_id=submission_id,
        notification_id=notification_id,
        message_type="routed",
        status="sending",
        about=("received", "verified", "routed"),
        channel="email",
        attempt=1,
    )
    await record_steps([routed, verified], submissions)  # out of order
    await record_steps([verified, notified], submissions)  # and one redelivered
    record = submissions.records[submission_id]
    assert record.status == "routed"
    assert [entry.step for entry in record.timeline] == ["received", "routed", "verified", "notified"]
    assert record.timeline[1].detail == {"agency_id": "koeln-gewerbe"}
    assert record.timeline[3].detail == {
        "notification_id": str(notification_id),
        "message_type": "routed",
        "status": "sending",
        "about": ["received", "verified", "routed"],
        "channel": "email",
        "reason": None,
        "attempt": 1,
        "will_retry": False,
    }
    assert record.trace_id == "ab" * 16


async def test_a_rejection_shows_its_reason() -> None:
    submissions = FakeSubmissions()
    submission_id = (await accepted(submissions)).submission_id
    await record_steps(
        [IdentityRejected(submission_id=submission_id, recipient=RECIPIENT, reason="token_expired")],
        submissions,
    )
    record = submissions.records[submission_id]
    assert (record.status, record.timeline[-1].detail) == ("rejected", {"reason": "token_expired"})


@pytest.mark.parametrize("step_event", [IdentityRejected])
async def test_an_event_for_an_unknown_submission_changes_nothing(step_event: type[IdentityRejected]) -> None:
    submissions = FakeSubmissions()
    await record_steps([step_event(submission_id=uuid4(), recipient=RECIPIENT, reason="token_expired")], submissions)
    assert submissions.records == {}


async def test_a_question_keeps_the_status_waiting_until_answered_and_a_later_step_moves_it_on() -> None:
    submissions = FakeSubmissions()
    submission_id = (await accepted(submissions)).submission_id
    asked = SubmissionNeedsClarification(
        submission_id=submission_id,
        recipient=RECIPIENT,
        reason="ambiguous_municipality",
        choices=(MunicipalityChoice(municipality_key="05315000", name="Köln"),),
    )
    answered = ClarificationProvided(submission_id=submission_id, recipient=RECIPIENT, municipality_key="05315000")
    routed = SubmissionRouted(
        submission_id=submission_id, recipient=RECIPIENT, agency_id="koeln-gewerbe", municipality_key="05315000"
    )
    await record_steps([asked], submissions)
    record = submissions.records[submission_id]
    assert record.status == "clarification_needed"
    assert record.timeline[-1].detail == {
        "reason": "ambiguous_municipality",
        "choices": [{"municipality_key": "05315000", "name": "Köln"}],
    }
    await record_steps([routed, answered], submissions)  # out of order: the status still takes the furthest
    assert submissions.records[submission_id].status == "routed"
    assert submissions.records[submission_id].timeline[-1].detail == {"municipality_key": "05315000"}


def test_the_status_page_shows_each_message_once_at_its_latest_status() -> None:
    submission_id, first, second = uuid4(), uuid4(), uuid4()
    start = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)

    def notice(notification_id: UUID, status: str, attempt: int, seconds: int) -> TimelineEntry:
        detail = {"notification_id": str(notification_id), "status": status, "attempt": attempt}
        return TimelineEntry(
            event_id=uuid4(),
            submission_id=submission_id,
            step=Step.NOTIFIED,
            at=start + timedelta(seconds=seconds),
            detail=detail,
        )

    received = TimelineEntry(event_id=uuid4(), submission_id=submission_id, step=Step.RECEIVED, at=start)
    entries = [
        received,
        notice(first, "created", 0, 60),
        notice(first, "temporary-failure", 1, 61),
        notice(first, "sending", 2, 61),  # at the same moment: the later attempt wins
        notice(second, "created", 0, 3600),
    ]
    record = SubmissionRecord(
        submission_id=submission_id,
        service_id="99050012104000",
        status_token_hash="x",
        trace_id=None,
        received_at=start,
        timeline=tuple(reversed(entries)),
    )
    shown = [(entry.step, entry.detail.get("status")) for entry in record.shown_timeline()]
    assert shown == [("received", None), ("notified", "sending"), ("notified", "created")]
