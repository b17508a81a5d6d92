"""The experience recorder: checks a step at once, never waits for Kafka, publishes in the background, and drops
(counted, in a log line that names no step) what it cannot keep or publish."""

import logging
from uuid import uuid4

import pytest

from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.domain.experience import UnknownService, device_of
from civicflow.intake.experience import Experience
from civicflow.shared import topics
from civicflow.shared.events import ExperienceKind
from tests.unit.fakes import FakePublisher
from tests.unit.intake.fakes import published

SERVICE = "99050012104000"


@pytest.mark.parametrize(
    ("user_agent", "device"),
    [
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", "phone"),
        ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36", "phone"),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "desktop"),
        ("", "unknown"),
        (None, "unknown"),
    ],
)
def test_the_device_is_told_coarsely_from_the_user_agent(user_agent: str | None, device: str) -> None:
    assert device_of(user_agent) == device


async def test_a_step_is_queued_at_once_and_published_by_the_background_job_keyed_by_its_journey() -> None:
    publisher = FakePublisher()
    experience = Experience(Catalogue.bundled(), publisher)
    journey = uuid4()
    await experience.record(ExperienceKind.SERVICE_VIEWED, SERVICE, journey, "en", "desktop")
    await experience.record(ExperienceKind.VALIDATION_FAILED, SERVICE, journey, "en", "desktop", "/form/activity")
    assert publisher.published == []  # nothing waited for Kafka

    viewed, failed = await published(experience, publisher, 2)
    assert publisher.topics() == [topics.EXPERIENCE_RECORDED] * 2
    assert {key for _, _, key in publisher.published} == {str(journey)}
    assert (viewed.kind, failed.kind, failed.field) == ("service_viewed", "validation_failed", "/form/activity")


async def test_a_step_that_does_not_fit_is_refused_to_the_caller() -> None:
    experience = Experience(Catalogue.bundled(), FakePublisher())
    with pytest.raises(UnknownService):
        await experience.record(ExperienceKind.SERVICE_VIEWED, "99000000000000", uuid4(), "de", "phone")
    with pytest.raises(ValueError, match="field"):
        await experience.record(ExperienceKind.VALIDATION_FAILED, SERVICE, uuid4(), "de", "phone", "/form/Erika")


async def test_when_the_queue_is_full_a_step_is_dropped_and_counted_in_a_line_that_names_no_step(
    caplog: pytest.LogCaptureFixture,
) -> None:
    publisher = FakePublisher()
    experience = Experience(Catalogue.bundled(), publisher, limit=2)
    journey = uuid4()
    with caplog.at_level(logging.WARNING, logger="civicflow.intake.experience"):
        for _ in range(3):
            await experience.record(ExperienceKind.FORM_STARTED, SERVICE, journey, "de", "phone")
    assert experience.dropped == 1
    (line,) = caplog.messages
    assert "queue full" in line and SERVICE not in line and str(journey) not in line
    assert len(await published(experience, publisher, 3)) == 2


async def test_a_failed_publish_is_dropped_and_counted_and_the_job_goes_on() -> None:
    publisher = FakePublisher(fail=True)
    experience = Experience(Catalogue.bundled(), publisher)
    await experience.record(ExperienceKind.ABANDONED, SERVICE, uuid4(), "de", "unknown")
    await published(experience, publisher, 1)
    assert experience.dropped == 1

    publisher.fail = False
    await experience.record(ExperienceKind.ABANDONED, SERVICE, uuid4(), "de", "unknown")
    assert len(await published(experience, publisher, 2)) == 1
