"""A known stream of experience, status, decision and rating events for the insights tests, with the aggregates it
must give. Its applications carry personal data in their sealed parts (and in the recipient), which insights must
never keep: PERSONAL lists those values, to look for in the store."""

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID, uuid4

from pydantic import BaseModel

from civicflow.insights import handlers
from civicflow.insights.handlers import Applications, Days
from civicflow.shared.events import (
    Address,
    Applicant,
    ExperienceKind,
    ExperienceRecorded,
    IdentityRejected,
    IdentityVerified,
    SubmissionDecided,
    SubmissionNeedsClarification,
    SubmissionReceived,
    SubmissionRouted,
    SubmissionUnroutable,
    personal,
)
from civicflow.shared.events.experience import ServiceRated
from civicflow.shared.security.sealing import Sealer
from tests.support.sealing import received, recipient, sealer_with_every_key, verified

M = TypeVar("M", bound=BaseModel)

SERVICE = "99050012104000"
OTHER_SERVICE = "99107004017000"
KOELN, BONN = "koeln-gewerbe", "bonn-gewerbe"
DAY = date(2026, 11, 2)
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

WILHELMINE = Applicant(
    given_name="Wilhelmine",
    family_name="Zwiebelmeier",
    birth_date=date(1971, 3, 9),
    email="wilhelmine.zwiebelmeier@example.org",
    language="de",
    address=Address(street="Kastanienallee 7", postal_code="50667", city="Köln"),
)
PERSONAL = ("Wilhelmine", "Zwiebelmeier", "1971-03-09", "wilhelmine.zwiebelmeier@example.org", "Kastanienallee")
FORM = {"business_name": "Zwiebelmeier Feinkost", "owner": "Wilhelmine Zwiebelmeier"}


def experience(kind: ExperienceKind, journey: UUID, at: datetime, field: str | None = None) -> ExperienceRecorded:
    return ExperienceRecorded(
        kind=kind, service_id=SERVICE, journey_id=journey, field=field, language="de", device="phone", occurred_at=at
    )


def page_events() -> list[BaseModel]:
    """Four visits: all view the page (the first twice), three start the form, two reach the summary and submit,
    one gives up; three checks fail, two of them on the same field. Another service's page is viewed once."""
    j1, j2, j3, j4 = (uuid4() for _ in range(4))
    at = START
    viewed = [experience(ExperienceKind.SERVICE_VIEWED, journey, at) for journey in (j1, j1, j2, j3, j4)]
    started = [experience(ExperienceKind.FORM_STARTED, journey, at) for journey in (j1, j2, j3)]
    failed = [
        experience(ExperienceKind.VALIDATION_FAILED, j1, at, "/form/business_name"),
        experience(ExperienceKind.VALIDATION_FAILED, j2, at, "/form/business_name"),
        experience(ExperienceKind.VALIDATION_FAILED, j2, at, "/applicant/address/postal_code"),
    ]
    summary = [experience(ExperienceKind.SUMMARY_REACHED, journey, at) for journey in (j1, j2)]
    submitted = [experience(ExperienceKind.SUBMITTED, journey, at) for journey in (j1, j2)]
    abandoned = [experience(ExperienceKind.ABANDONED, j3, at)]
    elsewhere = experience(ExperienceKind.SERVICE_VIEWED, uuid4(), at).model_copy(update={"service_id": OTHER_SERVICE})
    return [*viewed, *started, *failed, *summary, *submitted, *abandoned, elsewhere]


def ratings() -> list[BaseModel]:
    scored = [(5, True), (4, False), (4, False), (1, False)]
    return [
        ServiceRated(
            service_id=SERVICE,
            score=score,
            language="de",
            commented=commented,
            outcome="accepted",
            occurred_at=START + timedelta(days=3),
        )
        for score, commented in scored
    ]


def pipeline_events(sealer: Sealer | None = None) -> list[BaseModel]:
    """Five applications received on DAY at 09:00: A1 routed to Köln after 1 h and accepted two days after it was
    received, A2 routed to Köln after 2 h and rejected a day after, A3 routed to Bonn after 30 min and asked for
    information (open), A4 refused by identity, A5 asked for its municipality and then unroutable."""
    sealer = sealer or sealer_with_every_key()
    events: list[BaseModel] = []
    applications = []
    for _ in range(5):
        application = received(sealer, WILHELMINE, FORM, "a-token", SERVICE).model_copy(update={"occurred_at": START})
        applications.append(application)
        events.append(application)
    a1, a2, a3, a4, a5 = (application.submission_id for application in applications)
    for submission_id in (a1, a2, a3, a5):
        events.append(
            verified(sealer, WILHELMINE, FORM, SERVICE, submission_id).model_copy(
                update={"received_at": START, "occurred_at": START + timedelta(minutes=1)}
            )
        )
    events += [
        _routed(sealer, a1, KOELN, START + timedelta(hours=1)),
        _routed(sealer, a2, KOELN, START + timedelta(hours=2)),
        _routed(sealer, a3, BONN, START + timedelta(minutes=30)),
        IdentityRejected(
            submission_id=a4,
            recipient=_to(sealer, a4),
            reason="token_expired",
            occurred_at=START + timedelta(minutes=1),
        ),
        SubmissionNeedsClarification(
            submission_id=a5,
            recipient=_to(sealer, a5),
            reason="ambiguous_municipality",
            choices=(),
            occurred_at=START + timedelta(minutes=2),
        ),
        SubmissionUnroutable(
            submission_id=a5,
            recipient=_to(sealer, a5),
            reason="clarification_not_given",
            occurred_at=START + timedelta(days=1),
        ),
        _decided(sealer, a1, KOELN, "accepted", START + timedelta(days=2)),
        _decided(sealer, a2, KOELN, "rejected", START + timedelta(days=1)),
        _decided(sealer, a3, BONN, "information_requested", START + timedelta(days=1)),
    ]
    return events


def stream(sealer: Sealer | None = None) -> list[BaseModel]:
    return [*page_events(), *pipeline_events(sealer), *ratings()]


# The times to route of many_applications, in turn: one on a bucket's bound, the others inside a bucket.
ROUTING_TIMES = (timedelta(minutes=1), timedelta(minutes=20), timedelta(hours=3), timedelta(hours=7))


def many_applications(count: int, sealer: Sealer | None = None) -> list[BaseModel]:
    """`count` applications received on DAY at 09:00, verified, routed to Köln (after each of ROUTING_TIMES in turn)
    and accepted two days after; each viewed, started and submitted on the page (one visit each)."""
    sealer = sealer or sealer_with_every_key()
    events: list[BaseModel] = []
    for number in range(count):
        application = received(sealer, WILHELMINE, FORM, "a-token", SERVICE).model_copy(update={"occurred_at": START})
        submission_id, journey = application.submission_id, uuid4()
        events += [
            *(experience(kind, journey, START) for kind in (ExperienceKind.SERVICE_VIEWED, ExperienceKind.SUBMITTED)),
            application,
            verified(sealer, WILHELMINE, FORM, SERVICE, submission_id).model_copy(
                update={"received_at": START, "occurred_at": START + timedelta(minutes=1)}
            ),
            _routed(sealer, submission_id, KOELN, START + ROUTING_TIMES[number % len(ROUTING_TIMES)]),
            _decided(sealer, submission_id, KOELN, "accepted", START + timedelta(days=2)),
        ]
    return events


def with_redeliveries(events: Sequence[BaseModel]) -> list[BaseModel]:
    """Every event, then every event again (at-least-once: a crash before the commit delivers a batch twice)."""
    return [*events, *events]


# What the stream gives for SERVICE over DAY .. DAY + 3, every agency.
EXPECTED_FUNNEL = {
    "service_viewed": 4,
    "form_started": 3,
    "summary_reached": 2,
    "submitted": 2,
    "received": 5,
    "verified": 4,
    "routed": 3,
    "decided": 2,
}
EXPECTED_ERROR_FIELDS = [
    {"field": "/form/business_name", "count": 2},
    {"field": "/applicant/address/postal_code", "count": 1},
]
# Nearest-rank: to route 1800, 3600, 7200 s; to decide 86400, 172800 s; each on a bucket's upper bound, so the
# histogram's percentiles (domain.percentiles) are these exact values.
EXPECTED_DURATIONS: dict[str, dict[str, Any]] = {
    "to_route": {"count": 3, "p50_seconds": 3600.0, "p90_seconds": 7200.0, "over_target": 0},
    "to_decision": {"count": 2, "p50_seconds": 86400.0, "p90_seconds": 172800.0, "over_target": 0},
}
EXPECTED_RATINGS = {"count": 4, "mean": 3.5, "distribution": {"1": 1, "2": 0, "3": 0, "4": 2, "5": 1}, "commented": 1}
EXPECTED_OUTCOMES = {
    "rejections": {
        "identity": {"token_expired": 1},
        "routing": {"clarification_not_given": 1},
        "agency": {"rejected": 1},
    },
    "accepted": 1,
    "clarification_requests": 1,
    "information_requests": 1,
    "abandoned": 1,
}


def _to(sealer: Sealer, submission_id: UUID) -> Any:
    return recipient(sealer, submission_id, WILHELMINE.email)


def _routed(sealer: Sealer, submission_id: UUID, agency_id: str, at: datetime) -> SubmissionRouted:
    return SubmissionRouted(
        submission_id=submission_id,
        recipient=_to(sealer, submission_id),
        agency_id=agency_id,
        municipality_key="05315000",
        occurred_at=at,
    )


def _decided(sealer: Sealer, submission_id: UUID, agency_id: str, outcome: Any, at: datetime) -> SubmissionDecided:
    reason = f"Sehr geehrte Frau {WILHELMINE.given_name} {WILHELMINE.family_name}, Ihr Antrag ist entschieden."
    return SubmissionDecided(
        submission_id=submission_id,
        recipient=_to(sealer, submission_id),
        agency_id=agency_id,
        outcome=outcome,
        reason=sealer.seal(personal.DECISION_REASON, reason, submission_id),
        decision_id=uuid4(),
        occurred_at=at,
    )


async def feed(events: Sequence[BaseModel], days: Days, applications: Applications) -> None:
    """Each event to its handler as a batch of one, as insights' subscriptions hand on a single event (and every
    event of a batch that failed for one of them: entrypoints.kafka)."""
    for event in events:
        await _handle([event], days, applications)


async def feed_batches(events: Sequence[BaseModel], days: Days, applications: Applications, size: int) -> None:
    """The events in turn, `size` at a time, each such slice handed on as one batch per topic (event type), in the
    order the types first come in the slice, as the shared consumers hand on a batch of each topic. A status event
    whose application is received later in its slice raises NotReceivedYet, as it would in its topic's batch."""
    for start in range(0, len(events), size):
        by_type: dict[type[BaseModel], list[BaseModel]] = {}
        for event in events[start : start + size]:
            by_type.setdefault(type(event), []).append(event)
        for batch in by_type.values():
            await _handle(batch, days, applications)


async def _handle(batch: Sequence[BaseModel], days: Days, applications: Applications) -> None:
    """One topic's batch (its events all of one type) to its handler."""
    event = batch[0]
    if isinstance(event, ExperienceRecorded):
        await handlers.count_experience(_all(batch, ExperienceRecorded), days)
    elif isinstance(event, ServiceRated):
        await handlers.count_rating(_all(batch, ServiceRated), days)
    elif isinstance(event, SubmissionReceived):
        await handlers.count_received(_all(batch, SubmissionReceived), days, applications)
    elif isinstance(event, IdentityVerified):
        await handlers.count_verified(_all(batch, IdentityVerified), days, applications)
    elif isinstance(event, IdentityRejected):
        await handlers.count_rejected(_all(batch, IdentityRejected), days, applications)
    elif isinstance(event, SubmissionRouted):
        await handlers.count_routed(_all(batch, SubmissionRouted), days, applications)
    elif isinstance(event, SubmissionUnroutable):
        await handlers.count_unroutable(_all(batch, SubmissionUnroutable), days, applications)
    elif isinstance(event, SubmissionNeedsClarification):
        await handlers.count_clarification(_all(batch, SubmissionNeedsClarification), days, applications)
    elif isinstance(event, SubmissionDecided):
        await handlers.count_decided(_all(batch, SubmissionDecided), days, applications)
    else:
        raise TypeError(type(event).__name__)


def _all(batch: Sequence[BaseModel], event_type: type[M]) -> list[M]:
    found = [event for event in batch if isinstance(event, event_type)]
    assert len(found) == len(batch), "a batch holds one topic's events"
    return found
