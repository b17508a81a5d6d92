"""Topic names are defined once, and every topic someone publishes to is consumed or documented public
(after GOV.UK Notify's test_all_queues_used)."""

import ast
import re
from pathlib import Path

from civicflow.shared import topics
from civicflow.shared.settings import MessagingSettings
from tests.support.registrations import REGISTRATIONS, subscribed_topics

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "services").glob("*/src/**/*.py")) + sorted((ROOT / "shared" / "src").glob("**/*.py"))
TOPICS_MODULE = ROOT / "shared" / "src" / "civicflow" / "shared" / "topics.py"


PUBLISHING = {"publish", "OutgoingEvent"}


def published_topics() -> set[str]:
    """Topics named in a publish call, or in an outbox entry (a publish deferred to the relay), anywhere in the
    services and shared."""
    found = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in PUBLISHING:
                arguments = [*node.args, *(keyword.value for keyword in node.keywords if keyword.arg == "topic")]
                named = [argument for argument in arguments if _mentions_topic(argument)]
                # The generic plumbing passes its `topic` parameter along; every real call names one.
                if not any(isinstance(argument, ast.Name) and argument.id == "topic" for argument in arguments):
                    found.add(_topic_expression(named[0]) if named else f"<no topic: {ast.unparse(node)}>")
    return found


def _mentions_topic(node: ast.expr) -> bool:
    return "topics." in ast.unparse(node)


def _topic_expression(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "topics":
        return str(getattr(topics, node.attr))
    if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "agency_submissions":
        return "agency.*.submissions"
    return f"<not from topics: {ast.unparse(node)}>"


def test_every_publish_names_a_topic_from_the_topics_module() -> None:
    assert not [name for name in published_topics() if name.startswith("<")]


def subscriptions() -> dict[str, set[str]]:
    """The event topics each service reads (its retry topics aside)."""
    return {service: subscribed_topics(service) - set(topics.retry_topics()) for service in REGISTRATIONS}


def test_every_internal_topic_is_published_and_consumed() -> None:
    consumed = set().union(*subscriptions().values())
    published = published_topics()
    internal = set(topics.INTERNAL_TOPICS)
    assert internal <= published
    assert internal <= consumed
    assert published - consumed <= {*topics.PUBLIC_TOPICS, "agency.*.submissions"}


def test_each_service_consumes_what_the_pipeline_needs() -> None:
    consumed = subscriptions()
    assert consumed["identity"] == {
        topics.SUBMISSION_RECEIVED,
        topics.CONTACT_PREFERENCES_CHANGED,
        topics.ERASURE_REQUESTED,
    }
    assert consumed["routing"] == {
        topics.IDENTITY_VERIFIED,
        topics.CLARIFICATION_PROVIDED,
        topics.ERASURE_REQUESTED,
        topics.INFORMATION_PROVIDED,
        topics.AGENCY_DECISIONS,  # every agency's, by pattern
    }
    assert consumed["notify"] == {
        topics.SUBMISSION_RECEIVED,
        topics.IDENTITY_VERIFIED,
        topics.IDENTITY_REJECTED,
        topics.SUBMISSION_ROUTED,
        topics.SUBMISSION_UNROUTABLE,
        topics.CLARIFICATION_NEEDED,
        topics.SUBMISSION_DECIDED,
        topics.NOTIFICATION_DUE,  # its own, to be sent (and retried through its retry topics)
        topics.ERASURE_REQUESTED,
    }
    assert consumed["intake"] == {
        topics.IDENTITY_VERIFIED,
        topics.IDENTITY_REJECTED,
        topics.SUBMISSION_ROUTED,
        topics.SUBMISSION_UNROUTABLE,
        topics.CITIZEN_NOTIFIED,
        topics.PROFILE_SAVED,
        topics.CLARIFICATION_NEEDED,
        topics.SUBMISSION_DECIDED,
    }
    assert consumed["insights"] == {
        topics.EXPERIENCE_RECORDED,  # the page's funnel, public
        topics.SERVICE_RATED,  # the ratings, public
        topics.SUBMISSION_RECEIVED,
        topics.IDENTITY_VERIFIED,
        topics.IDENTITY_REJECTED,
        topics.SUBMISSION_ROUTED,
        topics.SUBMISSION_UNROUTABLE,
        topics.CLARIFICATION_NEEDED,
        topics.SUBMISSION_DECIDED,
    }


def test_each_group_reads_its_own_retry_topics_and_no_other() -> None:
    retries = set(topics.retry_topics())
    for service in REGISTRATIONS:
        group = topics.ConsumerGroup[service.upper()]
        stages = range(1, len(MessagingSettings().retry_delays_seconds) + 1)
        assert subscribed_topics(service) & retries == {topics.retry_topic(group, stage) for stage in stages}


def test_no_topic_name_is_spelled_inline() -> None:
    looks_like_topic = re.compile(r"^(civicflow\.[a-z.]+\.v[0-9]+|agency\..+)$")
    inline = [
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.value}"
        for path in SOURCES
        if path != TOPICS_MODULE
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and looks_like_topic.match(node.value)
    ]
    assert inline == []
