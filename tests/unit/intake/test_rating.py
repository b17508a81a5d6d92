"""The citizen's rating, with the ports faked: the rating link sealed for notify on the first event, what a posted
rating may be, when a case can be rated (closed by a decision), and the use case that keeps one rating per
submission with its ServiceRated event in the outbox, handed to the relay, nothing personal in the event."""

import json
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4, uuid5

import pytest

from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.domain.rating import NotRated, checked, closing_outcome, preselected
from civicflow.intake.domain.submission import SubmissionRecord
from civicflow.intake.domain.validation import ValidSubmission, validate_submission
from civicflow.intake.handlers import Intake, TraceContext, accept_submission, rating_link, record_decisions
from civicflow.intake.ratings import NotDecided, RatedAlready, RatingNotStored, Ratings
from civicflow.shared import topics
from civicflow.shared.events import SubmissionDecided, SubmissionReceived, personal
from civicflow.shared.events.experience import ServiceRated
from civicflow.shared.security.sealing import Unsealable
from tests.support.samples import valid_body
from tests.support.sealing import recipient, sealer_with_every_key
from tests.unit.intake.fakes import FakeAttachments, FakeRelay, FakeSubmissions
from tests.unit.intake.rating_fakes import FakeRatings

SEALER = sealer_with_every_key()
PUBLIC_URL = "https://antrag.example/"
START = datetime.now(UTC) - timedelta(minutes=30)
COMMENT = "Schnell und freundlich, danke! Erika Mustermann, Tel. 0221 4711"


class Case:
    """One application, filed as Erika, decided by the agency, and rated."""

    def __init__(self) -> None:
        self.submissions, self.relay, self.store = FakeSubmissions(), FakeRelay(), FakeRatings()
        self.intake = Intake(self.submissions, FakeAttachments(), self.relay, SEALER, PUBLIC_URL)
        self.ratings = Ratings(self.store, self.relay)
        self.submission_id = UUID(int=0)
        self.token = ""

    async def filed(self) -> SubmissionRecord:
        valid = validate_submission(valid_body(), Catalogue.bundled())
        assert isinstance(valid, ValidSubmission)
        accepted = await accept_submission(valid, self.intake, TraceContext(None, {}))
        self.submission_id, self.token = accepted.submission_id, accepted.status_token
        return await self.record()

    async def decides(self, outcome: str, minutes: int = 0) -> SubmissionRecord:
        decided = SubmissionDecided(
            submission_id=self.submission_id,
            occurred_at=START + timedelta(minutes=minutes),
            recipient=recipient(SEALER, self.submission_id, "erika@example.org"),
            agency_id="koeln-gewerbe",
            outcome=outcome,
            reason=SEALER.seal(personal.DECISION_REASON, "Entschieden.", self.submission_id),
            decision_id=uuid4(),
        )
        await record_decisions([decided], self.submissions, SEALER)
        return await self.record()

    async def record(self) -> SubmissionRecord:
        found = await self.submissions.get(self.submission_id)
        assert found is not None
        return found


@pytest.fixture
def case() -> Case:
    return Case()


async def test_the_first_event_carries_the_rating_link_sealed_for_notify(case: Case) -> None:
    await case.filed()
    (outgoing,) = case.relay.handed_off
    event = SubmissionReceived.model_validate_json(outgoing.value)
    assert event.recipient.rating_link is not None
    link = SEALER.open(personal.RATING_LINK, event.recipient.rating_link, case.submission_id)
    assert link == f"https://antrag.example/status/{case.submission_id}/rating?token={case.token}"
    assert link == rating_link(PUBLIC_URL, case.submission_id, case.token)
    assert case.token not in outgoing.value.decode()  # sealed: the token shows nowhere in clear
    with pytest.raises(Unsealable):  # a value opens only in its own field
        SEALER.open(personal.STATUS_LINK, event.recipient.rating_link, case.submission_id)


async def test_without_a_public_address_neither_link_is_sealed() -> None:
    case = Case()
    case.intake = Intake(case.submissions, FakeAttachments(), case.relay, SEALER)
    await case.filed()
    event = SubmissionReceived.model_validate_json(case.relay.handed_off[0].value)
    assert event.recipient.status_link is None and event.recipient.rating_link is None


@pytest.mark.parametrize(
    ("score", "comment", "expected"),
    [
        ("1", None, (1, None)),
        ("5", "", (5, None)),
        ("4", "  Gut.\r\nDanke  ", (4, "Gut.\nDanke")),
        ("3", "x" * 1000, (3, "x" * 1000)),
        ("2", "<b>not markup to us</b> & co", (2, "<b>not markup to us</b> & co")),
    ],
)
def test_a_rating_is_a_score_from_1_to_5_and_an_optional_comment(
    score: str, comment: str | None, expected: tuple[int, str | None]
) -> None:
    assert checked(score, comment) == expected


@pytest.mark.parametrize(
    ("score", "comment", "failures"),
    [
        ("0", None, {"score": "enum"}),
        ("6", None, {"score": "enum"}),
        ("4.0", None, {"score": "enum"}),
        (" 4", None, {"score": "enum"}),
        ("", None, {"score": "required"}),
        (None, None, {"score": "required"}),
        ("4", "x" * 1001, {"comment": "maxLength"}),
        ("4", "bad\x00byte", {"comment": "text"}),
        ("4", "right\u202eleft", {"comment": "text"}),
        ("9", "x" * 1001, {"score": "enum", "comment": "maxLength"}),
        ("4", b"bytes", {"comment": "type"}),
    ],
)
def test_what_is_no_rating_names_each_failing_field(score: object, comment: object, failures: dict[str, str]) -> None:
    with pytest.raises(NotRated) as refused:
        checked(score, comment)
    assert refused.value.failures == failures
    assert "x" * 20 not in str(refused.value)


@pytest.mark.parametrize(("query", "chosen"), [("4", 4), ("1", 1), ("0", None), ("x", None), (None, None)])
def test_a_score_in_the_link_is_only_preselected(query: str | None, chosen: int | None) -> None:
    assert preselected(query) == chosen


async def test_a_case_is_rateable_once_the_agency_accepted_or_rejected_it(case: Case) -> None:
    assert closing_outcome(await case.filed()) is None
    assert closing_outcome(await case.decides("information_requested", 1)) is None
    assert closing_outcome(await case.decides("rejected", 2)) == "rejected"
    assert closing_outcome(await case.decides("accepted", 3)) == "accepted"  # the latest decision counts


async def test_a_rating_is_kept_once_with_its_event_handed_to_the_relay(case: Case) -> None:
    await case.filed()
    record = await case.decides("accepted")
    rating = await case.ratings.rate(record, 4, COMMENT, "en")
    assert (rating.score, rating.comment, rating.outcome, rating.language) == (4, COMMENT, "accepted", "en")
    assert case.store.kept[case.submission_id] == rating
    outgoing = case.relay.handed_off[-1]
    assert outgoing == case.store.outbox[case.submission_id]
    assert (outgoing.topic, outgoing.key, outgoing.headers) == (topics.SERVICE_RATED, record.service_id, {})
    body = json.loads(outgoing.value)
    event = ServiceRated.model_validate(body)
    assert (event.service_id, event.score, event.language, event.commented, event.outcome) == (
        record.service_id,
        4,
        "en",
        True,
        "accepted",
    )
    # Nothing of the submission or the comment: not its id (nor a hash of it as the event id), not a word.
    assert set(body) == set(ServiceRated.model_fields)
    text = outgoing.value.decode()
    assert str(case.submission_id) not in text and "Erika" not in text and "4711" not in text
    assert event.event_id not in {uuid5(case.submission_id, name) for name in ("rated", "service_rated")}

    with pytest.raises(RatedAlready):
        await case.ratings.rate(record, 1, None, "de")
    assert case.store.kept[case.submission_id] == rating and len(case.relay.handed_off) == 2


async def test_before_the_case_is_closed_nothing_is_kept(case: Case) -> None:
    record = await case.filed()
    with pytest.raises(NotDecided):
        await case.ratings.rate(record, 5, None, "de")
    record = await case.decides("information_requested")
    with pytest.raises(NotDecided):
        await case.ratings.rate(record, 5, None, "de")
    assert case.store.kept == {} and len(case.relay.handed_off) == 1  # the submission's own event only


async def test_when_the_store_is_down_the_rating_is_not_kept_and_nothing_is_published(case: Case) -> None:
    await case.filed()
    record = await case.decides("rejected")
    case.store.failing = True
    with pytest.raises(RatingNotStored):
        await case.ratings.rate(record, 2, None, "de")
    assert len(case.relay.handed_off) == 1
