"""The agency's request for information and the citizen's answer, with the ports faked: when a request is open (the
latest decision asks, unanswered), what an answer may be, and the use case that publishes it sealed, once."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.domain.information import (
    NotWritten,
    answer_event_id,
    latest_decision,
    open_request,
    written,
)
from civicflow.intake.domain.submission import SubmissionRecord
from civicflow.intake.domain.validation import ValidSubmission, validate_submission
from civicflow.intake.handlers import Intake, TraceContext, accept_submission, record_decisions
from civicflow.intake.information import AnswerNotTaken, Answers, NotAsked
from civicflow.shared import topics
from civicflow.shared.events import InformationProvided, SubmissionDecided, personal
from tests.support.samples import valid_body
from tests.support.sealing import recipient, sealer_with_every_key
from tests.unit.fakes import FakePublisher
from tests.unit.intake.fakes import FakeAttachments, FakeRelay, FakeSubmissions

SEALER = sealer_with_every_key()
ASKED = "Bitte senden Sie uns die Nummer Ihres Gewerbescheins.\nDanke!"
# The agency's decisions are dated from here; intake dates the answers now.
START = datetime.now(UTC) - timedelta(minutes=30)


class Office:
    """One application, filed as Erika, and the agency deciding on it."""

    def __init__(self, publisher: FakePublisher | None = None) -> None:
        self.submissions, self.publisher = FakeSubmissions(), publisher or FakePublisher()
        self.answers = Answers(self.submissions, self.publisher, SEALER)
        self.submission_id = UUID(int=0)

    async def filed(self) -> UUID:
        valid = validate_submission(valid_body(), Catalogue.bundled())
        assert isinstance(valid, ValidSubmission)
        intake = Intake(self.submissions, FakeAttachments(), FakeRelay(), SEALER)
        self.submission_id = (await accept_submission(valid, intake, TraceContext(None, {}))).submission_id
        return self.submission_id

    async def decides(self, outcome: str, minutes: int, reason: str = ASKED) -> UUID:
        decided = SubmissionDecided(
            submission_id=self.submission_id,
            occurred_at=START + timedelta(minutes=minutes),
            recipient=recipient(SEALER, self.submission_id, "erika@example.org"),
            agency_id="koeln-gewerbe",
            outcome=outcome,
            reason=SEALER.seal(personal.DECISION_REASON, reason, self.submission_id),
            decision_id=uuid4(),
        )
        await record_decisions([decided], self.submissions, SEALER)
        return decided.decision_id

    async def record(self) -> SubmissionRecord:
        found = await self.submissions.get(self.submission_id)
        assert found is not None
        return found


@pytest.fixture
async def office() -> Office:
    office = Office()
    await office.filed()
    return office


async def test_a_request_is_open_while_it_is_the_latest_decision_and_unanswered(office: Office) -> None:
    assert open_request(await office.record()) is None and latest_decision(await office.record()) is None
    request_id = await office.decides("information_requested", 1)
    request = open_request(await office.record())
    assert request is not None and (request.request_id, request.reason) == (request_id, ASKED)
    await office.answers.answer(await office.record(), "GS-2026-0042")
    answered = await office.record()
    assert answered.status == "information_provided" and open_request(answered) is None
    decision = latest_decision(answered)
    assert decision is not None and (decision.outcome, decision.answer) == ("information_requested", "GS-2026-0042")


async def test_a_later_request_opens_again_and_a_final_decision_closes_it(office: Office) -> None:
    await office.decides("information_requested", 1)
    await office.answers.answer(await office.record(), "GS-2026-0042")
    again = await office.decides("information_requested", 60, "Und bitte das Ausstellungsdatum.")
    request = open_request(await office.record())
    assert request is not None and request.request_id == again
    await office.decides("accepted", 120, "Alles in Ordnung.")
    record = await office.record()
    decision = latest_decision(record)
    assert record.status == "decided" and open_request(record) is None
    assert decision is not None and (decision.outcome, decision.reason, decision.answer) == (
        "accepted",
        "Alles in Ordnung.",
        None,
    )


@pytest.mark.parametrize("outcome", ["accepted", "rejected"])
async def test_a_decision_that_asks_nothing_opens_no_request(office: Office, outcome: str) -> None:
    await office.decides(outcome, 1)
    assert open_request(await office.record()) is None


async def test_an_answer_dated_before_its_request_still_closes_it(office: Office) -> None:
    # The agency's clock runs ahead of ours: its request is dated after the answer intake took.
    await office.decides("information_requested", 24 * 60)
    await office.answers.answer(await office.record(), "GS-2026-0042")
    record = await office.record()
    assert record.status == "decided" and open_request(record) is None


def test_the_answer_id_is_derived_from_the_request_and_the_answer() -> None:
    submission_id, request_id = uuid4(), uuid4()
    first = answer_event_id(submission_id, request_id, "GS-2026-0042")
    assert first == answer_event_id(submission_id, request_id, "GS-2026-0042")
    assert first not in {
        answer_event_id(submission_id, request_id, "GS-2026-0043"),
        answer_event_id(submission_id, uuid4(), "GS-2026-0042"),
        answer_event_id(uuid4(), request_id, "GS-2026-0042"),
    }


def test_an_answer_is_lines_of_plain_text_as_the_agency_reads_them() -> None:
    assert written("  Zeile 1\r\nZeile 2 & 3 < 5\r\n") == "Zeile 1\nZeile 2 & 3 < 5"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("", "required"),
        (" \r\n ", "required"),
        ("<b>fett</b>", "text"),
        ("Zeile\x1b[31m", "text"),
        ("a" * 2001, "maxLength"),
    ],
    ids=["empty", "blank", "markup", "control", "too-long"],
)
def test_an_answer_that_is_no_letter_is_refused_by_its_kind(text: str, kind: str) -> None:
    with pytest.raises(NotWritten) as refused:
        written(text)
    assert refused.value.kind == kind


async def test_the_answer_is_published_sealed_for_routing_then_kept(office: Office) -> None:
    request_id = await office.decides("information_requested", 1)
    await office.answers.answer(await office.record(), "GS-2026-0042")
    ((topic, event, key),) = office.publisher.published
    assert (topic, key) == (topics.INFORMATION_PROVIDED, str(office.submission_id))
    assert isinstance(event, InformationProvided) and event.request_id == request_id
    assert event.event_id == answer_event_id(office.submission_id, request_id, "GS-2026-0042")
    assert "GS-2026-0042" not in event.model_dump_json()  # sealed, for routing
    assert SEALER.open(personal.INFORMATION_ANSWER, event.answer, office.submission_id) == "GS-2026-0042"
    assert SEALER.open(personal.CONTACT_ADDRESS, event.recipient.address, office.submission_id) == ("erika@example.org")
    kept = (await office.record()).sorted_timeline()[-1]
    assert (kept.event_id, kept.step) == (event.event_id, "information_provided")
    assert kept.detail == {"request_id": str(request_id), "answer": "GS-2026-0042"}


async def test_the_same_answer_again_is_taken_once_and_another_is_not_asked(office: Office) -> None:
    await office.decides("information_requested", 1)
    await office.answers.answer(await office.record(), "GS-2026-0042")
    await office.answers.answer(await office.record(), "GS-2026-0042")
    with pytest.raises(NotAsked):
        await office.answers.answer(await office.record(), "GS-2026-0043")
    assert len(office.publisher.published) == 1


async def test_nothing_is_asked_before_a_request_or_of_an_anonymised_application(office: Office) -> None:
    with pytest.raises(NotAsked):
        await office.answers.answer(await office.record(), "GS-2026-0042")
    await office.decides("information_requested", 1)
    await office.submissions.anonymise([office.submission_id])
    with pytest.raises(NotAsked):
        await office.answers.answer(await office.record(), "GS-2026-0042")
    assert office.publisher.published == []


async def test_an_answer_that_cannot_be_published_is_not_taken_and_not_kept() -> None:
    office = Office(FakePublisher(fail=True))
    await office.filed()
    await office.decides("information_requested", 1)
    with pytest.raises(AnswerNotTaken):
        await office.answers.answer(await office.record(), "GS-2026-0042")
    assert open_request(await office.record()) is not None
