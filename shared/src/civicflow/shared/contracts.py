"""Which event travels on which topic, and the AsyncAPI document generated from that (never written by hand).

The agency topics are described as they are on the wire (civicflow_agency.wire): on the submissions topic the value
is a JWE, its clear headers are a schema of their own, and what the agency reads after decrypting is the
`AgencySubmission` schema (or `AgencyInformation`, the citizen's answer, as the header `civicflow-message-kind`
says); on the decisions topic the value is a JWS whose signed JSON is the `DecisionClaims` schema.
"""

from typing import Any, Final

from civicflow_agency import wire
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from civicflow.shared import topics
from civicflow.shared.events import (
    AgencyDecision,
    AgencyInformation,
    AgencySubmission,
    CitizenNotified,
    ClarificationProvided,
    ContactPreferencesChanged,
    DeadLetter,
    ErasureRequested,
    ExperienceRecorded,
    IdentityRejected,
    IdentityVerified,
    InformationProvided,
    NotificationDue,
    ProfileSaved,
    SubmissionDecided,
    SubmissionNeedsClarification,
    SubmissionReceived,
    SubmissionRouted,
    SubmissionUnroutable,
)
from civicflow.shared.events.agency import JWS_COMPACT, DecisionClaims
from civicflow.shared.events.experience import ServiceRated

TOPIC_EVENTS: Final[dict[str, type[BaseModel]]] = {
    topics.SUBMISSION_RECEIVED: SubmissionReceived,
    topics.IDENTITY_VERIFIED: IdentityVerified,
    topics.IDENTITY_REJECTED: IdentityRejected,
    topics.SUBMISSION_ROUTED: SubmissionRouted,
    topics.SUBMISSION_UNROUTABLE: SubmissionUnroutable,
    topics.CLARIFICATION_NEEDED: SubmissionNeedsClarification,
    topics.CLARIFICATION_PROVIDED: ClarificationProvided,
    topics.SUBMISSION_DECIDED: SubmissionDecided,
    topics.INFORMATION_PROVIDED: InformationProvided,
    topics.CITIZEN_NOTIFIED: CitizenNotified,
    topics.NOTIFICATION_DUE: NotificationDue,
    topics.PROFILE_SAVED: ProfileSaved,
    topics.CONTACT_PREFERENCES_CHANGED: ContactPreferencesChanged,
    topics.ERASURE_REQUESTED: ErasureRequested,
    topics.DEAD_LETTER: DeadLetter,
    topics.EXPERIENCE_RECORDED: ExperienceRecorded,
    topics.SERVICE_RATED: ServiceRated,
}
AGENCY_TOPIC_EVENT: Final[type[BaseModel]] = AgencySubmission
# The citizen's answer to a request for information, on the same topic (header civicflow-message-kind).
AGENCY_INFORMATION: Final = AgencyInformation.__name__
AGENCY_INFORMATION_PAYLOAD: Final = f"{AGENCY_INFORMATION}JWE"
AGENCY_MODELS: Final[tuple[type[BaseModel], ...]] = (AGENCY_TOPIC_EVENT, AgencyInformation, DecisionClaims)
# What routing reads from `agency.<agency-id>.decisions`: the agency's signed decision.
DECISION_EVENTS: Final[dict[str, type[BaseModel]]] = {topics.AGENCY_DECISIONS: AgencyDecision}
DECISION_MESSAGE: Final = AgencyDecision.__name__
DECISION_PAYLOAD: Final = f"{DECISION_MESSAGE}JWS"
DECISION_HEADERS: Final = f"{DECISION_MESSAGE}Headers"
AGENCY_MESSAGE: Final = AGENCY_TOPIC_EVENT.__name__
AGENCY_PAYLOAD: Final = f"{AGENCY_MESSAGE}JWE"
AGENCY_HEADERS: Final = f"{AGENCY_MESSAGE}Headers"
# RFC 7516 §7.1: five base64url parts (no padding); with RSA-OAEP-256 and A256GCM none of them is empty.
JWE_COMPACT: Final = r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){4}$"
TRACE_CONTEXT: Final = ("traceparent", "tracestate")
AGENCY_ID_PATTERN: Final = wire.AGENCY_ID.pattern  # the check topics.agency_submissions() makes
DESCRIPTIONS: Final = {
    topics.AGENCY_SUBMISSIONS: "Public: one topic per agency, the applications it is responsible for and the "
    "citizens' answers to its requests for information, each encrypted to that agency.",
    topics.AGENCY_DECISIONS: "Public: one topic per agency, written by the agency: its decisions on the "
    "applications delivered to it, each signed with its registered signing key and verified by CivicFlow.",
    topics.EXPERIENCE_RECORDED: "Public: the steps of visits to the service pages, keyed by journey id, without "
    "personal data (no submission id, address, user agent or input); no CivicFlow subscriber yet.",
    topics.SERVICE_RATED: "Public: the citizens' ratings of their applications once decided, keyed by service id, "
    "without personal data (no submission id, no comment); no CivicFlow subscriber yet.",
}


def asyncapi_document() -> dict[str, Any]:
    """AsyncAPI 3.0 for every CivicFlow topic, with the payload schemas taken from the event models."""
    _, schemas = models_json_schema(
        [(model, "serialization") for model in [*TOPIC_EVENTS.values(), *AGENCY_MODELS]],
        ref_template="#/components/schemas/{model}",
    )
    definitions: dict[str, Any] = schemas["$defs"]
    channels = {model.__name__: _channel(address, model.__name__) for address, model in TOPIC_EVENTS.items()}
    channels[AGENCY_MESSAGE] = _agency_channel()
    channels[DECISION_MESSAGE] = _decision_channel()
    messages = {model.__name__: _message(model.__name__) for model in TOPIC_EVENTS.values()}
    messages[AGENCY_MESSAGE] = _agency_message()
    messages[AGENCY_INFORMATION] = _information_message()
    messages[DECISION_MESSAGE] = _decision_message()
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "CivicFlow events",
            "version": "1",
            "description": "Kafka topics of CivicFlow. Every message is JSON, keyed by its submission id "
            "(dead letters by their own id, experience events by their journey id, ratings by their service id), "
            "committed after processing; "
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


# AsyncAPI 3.0's Parameter Object has no schema: the id's pattern is told in words, with an example.
_AGENCY_PARAMETER: Final = {
    "description": f"the agency's id in the agency registry, matching {AGENCY_ID_PATTERN}",
    "examples": ["koeln-gewerbe"],
}


def _agency_channel() -> dict[str, Any]:
    channel = _channel(topics.AGENCY_SUBMISSIONS, AGENCY_MESSAGE)
    channel["messages"][AGENCY_INFORMATION] = _ref("messages", AGENCY_INFORMATION)
    return {**channel, "parameters": {"agency_id": _AGENCY_PARAMETER}}


def _decision_channel() -> dict[str, Any]:
    return {**_channel(topics.AGENCY_DECISIONS, DECISION_MESSAGE), "parameters": {"agency_id": _AGENCY_PARAMETER}}


def _information_message() -> dict[str, Any]:
    return {
        "name": AGENCY_INFORMATION,
        "title": "The citizen's answer to the agency's request for information, encrypted to the agency",
        "description": "Encrypted as an application is; the header "
        f"`{wire.HEADER_MESSAGE_KIND}: {wire.KIND_INFORMATION}` tells it from one. Decrypted, it is the JSON of an "
        f"{AGENCY_INFORMATION} (`#/components/schemas/{AGENCY_INFORMATION}`); `request_id` names the decision "
        "that asked, `event_id` is unique per answer.",
        "contentType": wire.MEDIA_TYPE,
        "headers": _ref("schemas", AGENCY_HEADERS),
        "payload": _ref("schemas", AGENCY_INFORMATION_PAYLOAD),
        "bindings": {"kafka": {"key": {"type": "string", "format": "uuid"}, "bindingVersion": "0.5.0"}},
    }


def _decision_message() -> dict[str, Any]:
    return {
        "name": DECISION_MESSAGE,
        "title": "The agency's decision, signed by the agency",
        "description": "The value is a JWS in compact serialization (RFC 7515), signed with one of the agency's "
        f"signing keys in the agency registry (`use: sig`, {wire.SIGNATURE}, RSA of at least {wire.MIN_RSA_BITS} "
        "bits, the key's `kid` in the protected header). Its payload is the JSON of `DecisionClaims` "
        "(`#/components/schemas/DecisionClaims`). CivicFlow refuses (dead-letters) a decision that another key "
        "signed, that names another agency than the topic's, or that is about an application not delivered to "
        "that agency. `civicflow-agency decide` writes it.",
        "contentType": wire.MEDIA_TYPE,
        "headers": _ref("schemas", DECISION_HEADERS),
        "payload": _ref("schemas", DECISION_PAYLOAD),
        "bindings": {"kafka": {"key": {"type": "string", "format": "uuid"}, "bindingVersion": "0.5.0"}},
    }


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
    kind = {
        "type": "string",
        "enum": [wire.KIND_APPLICATION, wire.KIND_INFORMATION],
        "description": f"what the record is; absent: {wire.KIND_APPLICATION}",
    }
    decision_headers = {
        wire.HEADER_SUBMISSION_ID: headers[wire.HEADER_SUBMISSION_ID],
        wire.HEADER_AGENCY_ID: headers[wire.HEADER_AGENCY_ID],
        wire.HEADER_CONTENT_TYPE: headers[wire.HEADER_CONTENT_TYPE],
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
            "properties": {**headers, wire.HEADER_MESSAGE_KIND: kind, **trace_context},
            "required": list(headers),
        },
        AGENCY_INFORMATION_PAYLOAD: {
            "type": "string",
            "pattern": JWE_COMPACT,
            "description": f"JWE compact serialization of an {AGENCY_INFORMATION}, encrypted to the agency",
        },
        DECISION_PAYLOAD: {
            "type": "string",
            "pattern": JWS_COMPACT,
            "description": "JWS compact serialization of the agency's DecisionClaims, signed by the agency",
        },
        DECISION_HEADERS: {
            "type": "object",
            "description": "The Kafka record's headers, in clear (UTF-8 values)",
            "properties": decision_headers,
            "required": list(decision_headers),
        },
    }


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}
