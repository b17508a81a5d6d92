"""Every Kafka topic name, defined once. Nobody spells a topic name inline (tests/contract checks this)."""

import re
from typing import Final

SUBMISSION_RECEIVED: Final = "civicflow.submission.received.v1"
IDENTITY_VERIFIED: Final = "civicflow.identity.verified.v1"
IDENTITY_REJECTED: Final = "civicflow.identity.rejected.v1"
SUBMISSION_ROUTED: Final = "civicflow.routing.routed.v1"
SUBMISSION_UNROUTABLE: Final = "civicflow.routing.unroutable.v1"
CITIZEN_NOTIFIED: Final = "civicflow.notify.notified.v1"
DEAD_LETTER: Final = "civicflow.deadletter.v1"

INTERNAL_TOPICS: Final = (
    SUBMISSION_RECEIVED,
    IDENTITY_VERIFIED,
    IDENTITY_REJECTED,
    SUBMISSION_ROUTED,
    SUBMISSION_UNROUTABLE,
    CITIZEN_NOTIFIED,
)
# Read by operators and by the agencies, not by a CivicFlow service.
PUBLIC_TOPICS: Final = (DEAD_LETTER,)

AGENCY_SUBMISSIONS: Final = "agency.{agency_id}.submissions"
_AGENCY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


def agency_submissions(agency_id: str) -> str:
    """The public topic an agency subscribes to for the applications it is responsible for."""
    if not _AGENCY_ID.match(agency_id):
        raise ValueError(f"agency id {agency_id!r} is not a valid topic component")
    return AGENCY_SUBMISSIONS.format(agency_id=agency_id)
