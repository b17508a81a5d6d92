"""The names of what insights counts, defined once: the store's fields, the JSON and the CSV use these.

The funnel runs from the page (the experience events: distinct visits per step) into the pipeline (the status
events: applications per step). "received" is not a page step: it counts every application, the API's too, and
is what the pipeline's steps are measured against."""

from enum import StrEnum
from typing import Final

from civicflow.shared.events import ExperienceKind, Step


class FunnelStep(StrEnum):
    SERVICE_VIEWED = ExperienceKind.SERVICE_VIEWED.value
    FORM_STARTED = ExperienceKind.FORM_STARTED.value
    SUMMARY_REACHED = ExperienceKind.SUMMARY_REACHED.value
    SUBMITTED = ExperienceKind.SUBMITTED.value
    RECEIVED = Step.RECEIVED.value
    VERIFIED = Step.VERIFIED.value
    ROUTED = Step.ROUTED.value
    DECIDED = Step.DECIDED.value  # accepted or rejected: a request for information is no decision yet


# Steps the page reports; the others come from the status events.
PAGE_STEPS: Final = (
    FunnelStep.SERVICE_VIEWED,
    FunnelStep.FORM_STARTED,
    FunnelStep.SUMMARY_REACHED,
    FunnelStep.SUBMITTED,
)


class Outcome(StrEnum):
    """What became of an application besides its funnel steps."""

    ABANDONED = ExperienceKind.ABANDONED.value  # the page said the visitor left
    ACCEPTED = "accepted"
    CLARIFICATION_NEEDED = Step.CLARIFICATION_NEEDED.value  # routing asked the citizen for their municipality
    INFORMATION_REQUESTED = "information_requested"  # the agency asked the citizen for information
    COMMENTED = "commented"  # a rating came with a comment (the comment itself stays in intake)


class RejectedBy(StrEnum):
    """Who stopped an application; the reason codes are the events' own (events.identity, events.routing)."""

    IDENTITY = "identity"
    ROUTING = "routing"
    AGENCY = "agency"


class Duration(StrEnum):
    TO_ROUTE = "to_route"  # received → routed
    TO_DECISION = "to_decision"  # received → accepted or rejected


# The reason recorded for an agency's rejection: its words are the citizen's (sealed), never kept here.
AGENCY_REJECTION: Final = "rejected"
SCORES: Final = ("1", "2", "3", "4", "5")
