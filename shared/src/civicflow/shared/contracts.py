"""Which event travels on which topic, and the AsyncAPI document generated from that (never written by hand).

The agency topic is described as it is on the wire (civicflow_agency.wire): the value is a JWE, its clear headers
are a schema of their own, and the application the agency reads after decrypting is the `AgencySubmission` schema.
`agency.<agency-id>.decisions` is left out until its event exists.
"""

from typing import Any, Final

from civicflow_agency import wire
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
AGENCY_MESSAGE: Final = AGENCY_TOPIC_EVENT.__name__
AGENCY_PAYLOAD: Final = f"{AGENCY_MESSAGE}JWE"
AGENCY_HEADERS: Final = f"{AGENCY_MESSAGE}Headers"
# RFC 7516 §7.1: five base64url parts (no padding); with RSA-OAEP-256 and A256GCM none of them is empty.
JWE_COMPACT: Final = r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){4}$"
TRACE_CONTEXT: Final = ("traceparent", "tracestate")
AGENCY_ID_PATTERN: Final = wire.AGENCY_ID.pattern  # the check topics.agency_submissions() makes
DESCRIPTIONS: Final = {
    topics.AGENCY_SUBMISSIONS: "Public: one topic per agency, the applications it is responsible for, each "
    "encrypted to that agency.",
    topics.EXPERIENCE_RECORDED: "Public: the steps of visits to the service pages, keyed by journey id, without "
    "personal data (no submission id, address, user agent or input); no CivicFlow subscriber yet.",
}


def asyncapi_document() -> dict[str, Any]:
    """AsyncAPI 3.0 for every CivicFlow topic, with the payload schemas taken from the event models."""
    _, schemas = models_json_schema(
        [(model, "serialization") for model in [*TOPIC_EVENTS.values(), AGENCY_TOPIC_EVENT]],
        ref_template="#/components/schemas/{model}",
    )
    definitions: dict[str, Any] = schemas["$defs"]
    channels = {model.__name__: _channel(address, model.__name__) for address, model in TOPIC_EVENTS.items()}
    channels[AGENCY_MESSAGE] = _agency_channel()
    messages = {model.__name__: _message(model.__name__) for model in TOPIC_EVENTS.values()}
    messages[AGENCY_MESSAGE] = _agency_message()
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "CivicFlow events",
            "version": "1",
            "description": "Kafka topics of CivicFlow. Every message is JSON, keyed by its submission id "
            "(dead letters by their own id, experience events by their journey id), committed after processing; "
            "consumers de-duplicate on event_id. On the agency topics each message is encrypted to its agency "
            f"({wire.MEDIA_TYPE}); decrypted, it is JSON too.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "components": {
            "messages": messages,
            "schemas": {**definitions, **_agency_schemas(definitions[AGENCY_MESSAGE]["properties"])},
        },
    }


def _channel(address: str, message: str) -> dict[str, Any]:
    channel: dict[str, Any] = {"address": address, "messages": {message: _ref("messages", message)}}
    if address in DESCRIPTIONS:
        channel["description"] = DESCRIPTIONS[address]
    return channel


def _message(name: str) -> dict[str, Any]:
    return {"name": name, "payload": _ref("schemas", name)}


def _agency_channel() -> dict[str, Any]:
    # AsyncAPI 3.0's Parameter Object has no schema: the id's pattern is told in words, with an example.
    parameter = {
        "description": f"the agency's id in the agency registry, matching {AGENCY_ID_PATTERN}",
        "examples": ["koeln-gewerbe"],
    }
    return {**_channel(topics.AGENCY_SUBMISSIONS, AGENCY_MESSAGE), "parameters": {"agency_id": parameter}}


def _agency_message() -> dict[str, Any]:
    return {
        "name": AGENCY_MESSAGE,
        "title": "An application, encrypted to its agency",
        "description": "The value is a JWE in compact serialization (RFC 7516), encrypted to the agency's newest "
        f"encryption key in the agency registry: key encryption {wire.KEY_ENCRYPTION}, content encryption "
        f"{wire.CONTENT_ENCRYPTION}, the key's `kid` in the protected header. Decrypted, it is the JSON of an "
        f"{AGENCY_MESSAGE} (`#/components/schemas/{AGENCY_MESSAGE}`). The record's key is the submission id; its "
        "headers, in clear, carry nothing personal.",
        "contentType": wire.MEDIA_TYPE,
        "headers": _ref("schemas", AGENCY_HEADERS),
        "payload": _ref("schemas", AGENCY_PAYLOAD),
        "bindings": {"kafka": {"key": {"type": "string", "format": "uuid"}, "bindingVersion": "0.5.0"}},
    }


def _agency_schemas(fields: dict[str, Any]) -> dict[str, Any]:
    """The JWE and the clear headers; a header that repeats a field of the application has that field's schema."""

    def field(name: str, description: str) -> dict[str, Any]:
        schema = {key: value for key, value in fields[name].items() if key != "title"}
        return {**schema, "description": description}

    headers = {
        wire.HEADER_SUBMISSION_ID: field("submission_id", "the submission id, as the record's key"),
        wire.HEADER_SERVICE_ID: field("service_id", "the service applied for (LeiKa key)"),
        wire.HEADER_AGENCY_ID: {"type": "string", "pattern": AGENCY_ID_PATTERN, "description": "the agency"},
        wire.HEADER_RECEIVED_AT: field("received_at", "when CivicFlow received the application"),
        wire.HEADER_SENT_AT: field("occurred_at", "when routing sent it (the application's occurred_at)"),
        wire.HEADER_CONTENT_TYPE: {"type": "string", "const": wire.MEDIA_TYPE},
    }
    # W3C Trace Context (https://www.w3.org/TR/trace-context/): present only when the sender traced the delivery.
    trace_context = {name: {"type": "string", "description": "W3C Trace Context"} for name in TRACE_CONTEXT}
    return {
        AGENCY_PAYLOAD: {
            "type": "string",
            "pattern": JWE_COMPACT,
            "description": f"JWE compact serialization of an {AGENCY_MESSAGE}, encrypted to the agency",
        },
        AGENCY_HEADERS: {
            "type": "object",
            "description": "The Kafka record's headers, in clear (UTF-8 values)",
            "properties": {**headers, **trace_context},
            "required": list(headers),
        },
    }


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}
