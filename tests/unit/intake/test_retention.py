"""Intake's retention: the steps that close an application are noted as they come, and once a closed application is
past the retention its details and files go, and rating comments past theirs (adapters: tests/integration)."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from civicflow.intake import retention
from civicflow.intake.config import IntakeRetention
from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.domain.retention import Closing, closings
from civicflow.intake.domain.validation import ValidSubmission, validate_submission
from civicflow.intake.handlers import Intake, TraceContext, accept_submission, record_decisions, record_steps
from civicflow.intake.retention import Forgotten, Retention
from civicflow.shared.events import (
    IdentityRejected,
    MunicipalityChoice,
    StatusEvent,
    SubmissionDecided,
    SubmissionNeedsClarification,
    SubmissionRouted,
    SubmissionUnroutable,
    personal,
)
from tests.support.samples import valid_body
from tests.support.sealing import recipient, sealer_with_every_key
from tests.unit.intake.fakes import FakeAttachments, FakeRelay, FakeSubmissions

SEALER = sealer_with_every_key()
NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
SETTINGS = IntakeRetention(retention_days=30, comment_retention_days=365)


def decided(submission_id: UUID, outcome: str, at: datetime = NOW) -> SubmissionDecided:
    return SubmissionDecided(
        submission_id=submission_id,
        occurred_at=at,
        recipient=recipient(SEALER, submission_id, "erika@example.org"),
        agency_id="koeln-gewerbe",
        outcome=outcome,
        reason=SEALER.seal(personal.DECISION_REASON, "Ihr Antrag", submission_id),
        decision_id=uuid4(),
    )


def step(kind: str, submission_id: UUID) -> StatusEvent:
    to = recipient(SEALER, submission_id, "erika@example.org")
    match kind:
        case "identity rejected":
            return IdentityRejected(submission_id=submission_id, recipient=to, reason="token_expired")
        case "unroutable":
            return SubmissionUnroutable(submission_id=submission_id, recipient=to, reason="no_responsible_agency")
        case "routed":
            return SubmissionRouted(
                submission_id=submission_id, recipient=to, agency_id="koeln-gewerbe", municipality_key="05315000"
            )
        case _:
            choice = MunicipalityChoice(municipality_key="05315000", name="Köln")
            return SubmissionNeedsClarification(
                submission_id=submission_id, recipient=to, reason="ambiguous_municipality", choices=(choice,)
            )


@pytest.mark.parametrize(
    ("kind", "closes"),
    [("identity rejected", True), ("unroutable", True), ("routed", False), ("clarification", False)],
)
def test_a_stop_before_the_agency_closes_the_case_and_no_other_step_does(kind: str, closes: bool) -> None:
    event = step(kind, uuid4())
    assert closings([event]) == ([Closing(event.submission_id, event.occurred_at)] if closes else [])


@pytest.mark.parametrize(
    ("outcome", "closes"), [("accepted", True), ("rejected", True), ("information_requested", False)]
)
def test_the_agencys_final_decision_closes_the_case_and_a_question_does_not(outcome: str, closes: bool) -> None:
    assert bool(closings([decided(uuid4(), outcome)])) is closes


async def filed(submissions: FakeSubmissions) -> UUID:
    valid = validate_submission(valid_body(), Catalogue.bundled())
    assert isinstance(valid, ValidSubmission)
    intake = Intake(submissions, FakeAttachments(), FakeRelay(), SEALER)
    return (await accept_submission(valid, intake, TraceContext(None, {}))).submission_id


async def test_recording_a_closing_step_notes_when_the_case_closed_and_the_first_closing_counts() -> None:
    submissions = FakeSubmissions()
    asked, rejected, stopped = [await filed(submissions) for _ in range(3)]
    await record_decisions([decided(asked, "information_requested")], submissions, SEALER)
    await record_decisions([decided(rejected, "rejected", NOW)], submissions, SEALER)
    await record_decisions([decided(rejected, "rejected", NOW + timedelta(days=1))], submissions, SEALER)
    await record_steps([step("unroutable", stopped), step("routed", asked)], submissions)
    assert submissions.closed.keys() == {rejected, stopped} and submissions.closed[rejected] == NOW


class Files:
    def __init__(self, submissions: FakeSubmissions) -> None:
        self.submissions, self.forgotten_of = submissions, list[UUID]()

    async def forget_of(self, submission_ids: Sequence[UUID]) -> int:
        # before the details: those go with the mark that they are due, so a sweep that stopped finishes later
        assert all(each in self.submissions.closed for each in submission_ids)
        self.forgotten_of += submission_ids
        return 2 * len(submission_ids)


class Comments:
    def __init__(self) -> None:
        self.before: list[datetime] = []

    async def forget_comments(self, written_before: datetime) -> int:
        self.before.append(written_before)
        return 1


async def test_a_sweep_forgets_the_details_and_files_of_cases_closed_before_the_retention_and_old_comments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(retention, "BATCH", 2)  # three rounds: 2, 2, 1
    submissions = FakeSubmissions()
    past = [await filed(submissions) for _ in range(5)]
    recent, still_open = await filed(submissions), await filed(submissions)
    for each in past:
        await record_steps([step("identity rejected", each)], submissions)
        submissions.closed[each] = NOW - timedelta(days=31)
    await record_decisions([decided(recent, "accepted", NOW - timedelta(days=29))], submissions, SEALER)
    files, comments = Files(submissions), Comments()

    forgotten = await Retention(submissions, files, comments, SETTINGS).sweep(NOW)

    assert forgotten == Forgotten(applications=5, files=10, comments=1)
    assert sorted(files.forgotten_of) == sorted(past)
    assert all(submissions.records[each].applicant == {} for each in past)
    assert all(submissions.records[each].form == {} for each in past)
    assert all(submissions.records[each].applicant != {} for each in (recent, still_open))
    assert all(submissions.records[each].timeline for each in past)  # the status link still answers
    assert submissions.closed.keys() == {recent}  # still within the retention
    assert comments.before == [NOW - timedelta(days=365)]
    again = await Retention(submissions, files, comments, SETTINGS).sweep(NOW)
    assert (again.applications, again.files) == (0, 0)
