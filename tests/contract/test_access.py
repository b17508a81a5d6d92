"""The access table agrees with what the services do: each internal topic has exactly one producer, and each
service may read exactly the topics it subscribes to."""

import pytest

from civicflow.shared import topics
from civicflow.shared.security.access import (
    CONSUMES,
    CONSUMES_OF_EVERY_AGENCY,
    PRODUCES,
    READS_WHOLE,
    Operation,
    Resource,
    all_grants,
    producer_of,
)
from civicflow.shared.topics import ConsumerGroup
from tests.support.registrations import subscribed_topics


def test_every_internal_topic_has_exactly_one_producer() -> None:
    for topic in topics.INTERNAL_TOPICS:
        assert [group for group, produced in PRODUCES.items() if topic in produced] == [
            ConsumerGroup(producer_of(topic))
        ]


@pytest.mark.parametrize("group", list(ConsumerGroup))
def test_a_service_may_read_what_it_subscribes_to_and_nothing_else(group: ConsumerGroup) -> None:
    service = group.removeprefix("civicflow-")
    subscribed = {topic for topic in subscribed_topics(service) if not topic.startswith("civicflow.retry.")}
    of_every_agency = set(CONSUMES_OF_EVERY_AGENCY.get(group, ()))
    assert subscribed == set(CONSUMES[group]) | of_every_agency
    readable = {
        grant.name
        for grant in all_grants(["koeln-gewerbe"])
        if grant.principal == group and grant.resource is Resource.TOPIC and grant.operation is Operation.READ
    }
    # besides what it subscribes to: what it reads whole without a group (routing: the agency registry)
    # and, of each family subscribed by pattern, the registered agencies' topics
    each_agency = {family.format(agency_id="koeln-gewerbe") for family in of_every_agency}
    assert readable == (
        set(CONSUMES[group]) | set(READS_WHOLE.get(group, ())) | {topics.retry_topic_prefix(group)} | each_agency
    )


def test_only_the_producer_and_the_operator_may_write_an_internal_topic() -> None:
    for topic in topics.INTERNAL_TOPICS:
        writers = {
            grant.principal
            for grant in all_grants(["koeln-gewerbe"])
            if grant.name == topic and grant.operation is Operation.WRITE
        }
        assert writers == {producer_of(topic), "civicflow-operator"}
