"""Which event travels on which topic, and the AsyncAPI document generated from that (never written by hand)."""

from typing import Any, Final

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from civicflow.shared import topics
from civicflow.shared.events import (
    AgencySubmission,
    CitizenNotified,
    ClarificationProvided,
    ContactPreferencesChanged,
    DeadLetter,
    ErasureRequested,
    ExperienceRecorded,
    IdentityRejected,
    IdentityVerified,
    ProfileSaved,
    SubmissionNeedsClarification,
    SubmissionReceived,
    SubmissionRouted,
    SubmissionUnroutable,
)

TOPIC_EVENTS: Final[dict[str, type[BaseModel]]] = {
    topics.SUBMISSION_RECEIVED: SubmissionReceived,
    topics.IDENTITY_VERIFIED: IdentityVerified,
    topics.IDENTITY_REJECTED: IdentityRejected,
    topics.SUBMISSION_ROUTED: SubmissionRouted,
    topics.SUBMISSION_UNROUTABLE: SubmissionUnroutable,
    topics.CLARIFICATION_NEEDED: SubmissionNeedsClarification,
    topics.CLARIFICATION_PROVIDED: ClarificationProvided,
    topics.CITIZEN_NOTIFIED: CitizenNotified,
    topics.PROFILE_SAVED: ProfileSaved,
    topics.CONTACT_PREFERENCES_CHANGED: ContactPreferencesChanged,
    topics.ERASURE_REQUESTED: ErasureRequested,
    topics.DEAD_LETTER: DeadLetter,
    topics.EXPERIENCE_RECORDED: ExperienceRecorded,
}
AGENCY_TOPIC_EVENT: Final[type[BaseModel]] = AgencySubmission
DESCRIPTIONS: Final = {
    topics.AGENCY_SUBMISSIONS: "Public: one topic per agency, the applications it is responsible for.",
    topics.EXPERIENCE_RECORDED: "Public: the steps of visits to the service pages, keyed by journey id, without "
    "personal data (no submission id, address, user agent or input); no CivicFlow subscriber yet.",
}


def asyncapi_document() -> dict[str, Any]:
    """AsyncAPI 3.0 for every CivicFlow topic, with the payload schemas taken from the event models."""
    models: list[type[BaseModel]] = [*TOPIC_EVENTS.values(), AGENCY_TOPIC_EVENT]
    _, schemas = models_json_schema(
        [(model, "serialization") for model in models], ref_template="#/components/schemas/{model}"
    )
    channels: dict[str, Any] = {}
    for address, model in [*TOPIC_EVENTS.items(), (topics.AGENCY_SUBMISSIONS, AGENCY_TOPIC_EVENT)]:
        channel: dict[str, Any] = {
            "address": address,
            "messages": {model.__name__: {"$ref": f"#/components/messages/{model.__name__}"}},
        }
        if address == topics.AGENCY_SUBMISSIONS:
            channel["parameters"] = {"agency_id": {"description": "the agency's id in the agency registry"}}
        if address in DESCRIPTIONS:
            channel["description"] = DESCRIPTIONS[address]
        channels[model.__name__] = channel
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "CivicFlow events",
            "version": "1",
            "description": "Kafka topics of CivicFlow. Every message is JSON, keyed by its submission id "
            "(dead letters by their own id, experience events by their journey id), committed after processing; "
            "consumers de-duplicate on event_id.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "components": {
            "messages": {
                model.__name__: {"name": model.__name__, "payload": {"$ref": f"#/components/schemas/{model.__name__}"}}
                for model in models
            },
            "schemas": schemas["$defs"],
        },
    }
