"""Counting a fault run by submission id: what was accepted, what arrived on the agency topics, which mails
were sent and what the timelines show. Pure: observations in, counts out."""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from civicflow.shared.events import Step

# The steps of an application that is verified and routed: one mail each, and a timeline entry each.
STEPS = (Step.RECEIVED, Step.VERIFIED, Step.ROUTED)
MAIL_DOMAIN = "@civicflow"


def mail_key(message_id: str) -> tuple[str, str] | None:
    """`<submission-id>.<step>@civicflow>` as notify writes it -> (submission id, step); None for other mail."""
    local, at, domain = message_id.strip().strip("<>").partition("@")
    submission_id, dot, step = local.rpartition(".")
    if not (at and f"@{domain}" == MAIL_DOMAIN and dot and submission_id and step):
        return None
    return submission_id, step


@dataclass(frozen=True)
class Timeline:
    """How often each step, and each `notified` about a step, appears in one status timeline."""

    steps: Mapping[str, int]
    notified: Mapping[str, int]

    @classmethod
    def of(cls, status: Mapping[str, Any]) -> "Timeline":
        entries = status.get("timeline", [])
        steps = Counter(str(entry["step"]) for entry in entries if entry["step"] != Step.NOTIFIED)
        notified = Counter(str(entry.get("about")) for entry in entries if entry["step"] == Step.NOTIFIED)
        return cls(dict(steps), dict(notified))

    def missing(self) -> list[str]:
        """What a complete timeline has and this one lacks, e.g. `routed` or `notified about verified`."""
        lacking = [str(step) for step in STEPS if not self.steps.get(step)]
        return lacking + [f"notified about {step}" for step in STEPS if not self.notified.get(step)]

    def doubled(self) -> bool:
        """A step, or a mail about it, recorded twice (under two event ids: the timeline keeps one per id)."""
        return any(count > 1 for count in (*self.steps.values(), *self.notified.values()))


@dataclass(frozen=True)
class Observed:
    accepted: Sequence[str]  # submission ids answered 202
    not_accepted: Mapping[str, int]  # reason -> requests
    deliveries: Mapping[str, Sequence[str]]  # submission id -> the event id of each copy on the agency topics
    mails: Mapping[tuple[str, str], int] | None  # (submission id, step) -> mails; None: the mailbox is elsewhere
    timelines: Mapping[str, Timeline]  # submission id -> its timeline; absent: it could not be read


@dataclass(frozen=True)
class MailCounts:
    complete: int  # accepted submissions with a mail (one distinct Message-ID) for every step
    exactly_once_raw: int  # ... and no Message-ID of theirs twice
    missing: int  # accepted submissions without a mail for at least one step
    missing_by_step: dict[str, int]
    distinct: int  # distinct Message-IDs of accepted submissions
    raw: int  # mails of accepted submissions, copies included
    submissions_with_copies: int
    other_steps: dict[str, int] = field(default_factory=dict)  # mails about steps a routed one never has

    @property
    def raw_duplicates(self) -> int:
        return self.raw - self.distinct


@dataclass(frozen=True)
class ChaosCounts:
    accepted: int
    not_accepted: dict[str, int]
    delivered: int  # accepted submissions on their agency topic, counted once
    lost: list[str]  # accepted, never delivered
    raw_duplicates: int  # copies on the agency topics beyond the first, of accepted submissions
    doubly_delivered: list[str]  # delivered under more than one event id: a real double delivery
    delivered_unaccepted: int  # on the agency topics, but no 202 was read for them (the POST was cut off)
    mails: MailCounts | None
    timelines_complete: int
    timelines_missing: dict[str, int]  # what was missing -> submissions
    timelines_unread: int
    timelines_doubled: int

    def failures(self) -> list[str]:
        """Why the run failed; empty when it did not."""
        found = []
        if self.accepted == 0:
            found.append("nothing was accepted")
        if self.lost:
            found.append(f"{len(self.lost)} lost")
        if self.doubly_delivered:
            found.append(f"{len(self.doubly_delivered)} delivered twice after de-duplication")
        if self.mails is not None and self.mails.missing:
            found.append(f"{self.mails.missing} missing a mail")
        incomplete = self.accepted - self.timelines_complete
        if incomplete:
            found.append(f"{incomplete} with an incomplete timeline")
        if self.timelines_doubled:
            found.append(f"{self.timelines_doubled} with a timeline step twice")
        return found


def count(observed: Observed) -> ChaosCounts:
    accepted = list(dict.fromkeys(observed.accepted))
    ours = set(accepted)
    copies = observed.deliveries
    timelines = [observed.timelines.get(submission_id) for submission_id in accepted]
    missing = Counter(item for timeline in timelines if timeline is not None for item in timeline.missing())
    return ChaosCounts(
        accepted=len(accepted),
        not_accepted=dict(sorted(observed.not_accepted.items())),
        delivered=sum(1 for submission_id in accepted if copies.get(submission_id)),
        lost=[submission_id for submission_id in accepted if not copies.get(submission_id)],
        raw_duplicates=sum(max(len(copies.get(submission_id, ())) - 1, 0) for submission_id in accepted),
        doubly_delivered=[sid for sid in accepted if len(set(copies.get(sid, ()))) > 1],
        delivered_unaccepted=sum(1 for submission_id, seen in copies.items() if seen and submission_id not in ours),
        mails=None if observed.mails is None else count_mails(accepted, observed.mails),
        timelines_complete=sum(1 for timeline in timelines if timeline is not None and not timeline.missing()),
        timelines_missing=dict(sorted(missing.items())),
        timelines_unread=sum(1 for timeline in timelines if timeline is None),
        timelines_doubled=sum(1 for timeline in timelines if timeline is not None and timeline.doubled()),
    )


def count_mails(accepted: Sequence[str], mails: Mapping[tuple[str, str], int]) -> MailCounts:
    ours = set(accepted)
    by_submission: dict[str, dict[str, int]] = {}
    for (submission_id, step), copies in mails.items():
        if submission_id in ours and copies > 0:
            by_submission.setdefault(submission_id, {})[step] = copies
    missing_by_step: Counter[str] = Counter()
    other_steps: Counter[str] = Counter()
    complete = exactly_once = missing = with_copies = 0
    for submission_id in accepted:
        steps = by_submission.get(submission_id, {})
        lacking = [str(step) for step in STEPS if step not in steps]
        missing_by_step.update(lacking)
        other_steps.update(step for step in steps if step not in STEPS)
        missing += bool(lacking)
        complete += not lacking
        exactly_once += not lacking and all(steps[step] == 1 for step in STEPS)
        with_copies += any(copies > 1 for copies in steps.values())
    return MailCounts(
        complete=complete,
        exactly_once_raw=exactly_once,
        missing=missing,
        missing_by_step={str(step): missing_by_step[str(step)] for step in STEPS},
        distinct=sum(len(steps) for steps in by_submission.values()),
        raw=sum(sum(steps.values()) for steps in by_submission.values()),
        submissions_with_copies=with_copies,
        other_steps=dict(sorted(other_steps.items())),
    )
