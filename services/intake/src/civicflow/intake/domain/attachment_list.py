"""The attachments a submission refers to, checked when it is submitted: against its service's rules (how many,
whether one is required, which types), and against what was stored for each reference (uploaded for this service,
the same bytes, not another submission's). Each issue names the reference by its position in the list."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from civicflow.intake.domain.attachments import StoredAttachment
from civicflow.intake.domain.catalogue import AttachmentRules
from civicflow.shared.events import AttachmentRef


class ListIssue(StrEnum):
    TOO_MANY = "too_many"
    MISSING = "missing"
    DUPLICATE = "duplicate"
    NOT_ACCEPTED = "not_accepted"
    UNKNOWN = "unknown"  # never uploaded, forgotten unbound after a day, or uploaded for another service
    CHANGED = "changed"  # the reference's hash, type or size is not what was stored under its id
    TAKEN = "taken"  # bound to another submission


@dataclass(frozen=True)
class RefIssue:
    issue: ListIssue
    index: int | None = None  # the reference's position; None for the list as a whole


def check_refs(rules: AttachmentRules, refs: Sequence[AttachmentRef]) -> list[RefIssue]:
    issues: list[RefIssue] = []
    if len(refs) > rules.max_files:
        issues.append(RefIssue(ListIssue.TOO_MANY))
    if rules.required and not refs:
        issues.append(RefIssue(ListIssue.MISSING))
    seen: set[UUID] = set()
    for index, ref in enumerate(refs):
        if ref.attachment_id in seen:
            issues.append(RefIssue(ListIssue.DUPLICATE, index))
        elif ref.media_type not in rules.accepted:
            issues.append(RefIssue(ListIssue.NOT_ACCEPTED, index))
        seen.add(ref.attachment_id)
    return issues


def check_stored(
    service_id: str,
    refs: Sequence[AttachmentRef],
    stored: Mapping[UUID, StoredAttachment],
    submission_id: UUID | None = None,
) -> list[RefIssue]:
    """`stored` as the store found the references' ids; `submission_id` the submission they are to be bound to, when
    known (a retried submission finds its attachments bound to itself already)."""
    issues: list[RefIssue] = []
    for index, ref in enumerate(refs):
        found = stored.get(ref.attachment_id)
        if found is None or found.service_id != service_id:
            issues.append(RefIssue(ListIssue.UNKNOWN, index))
        elif found.ref != ref:
            issues.append(RefIssue(ListIssue.CHANGED, index))
        elif found.submission_id is not None and found.submission_id != submission_id:
            issues.append(RefIssue(ListIssue.TAKEN, index))
    return issues
