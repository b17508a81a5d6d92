"""Counting a fault run by submission id: what was accepted, what arrived on the agency topics, which mails
were sent and what the timelines show. Pure: observations in, counts out."""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from civicflow.local.chaos.mails import MailCounts, MailKey, count_mails
from civicflow.local.chaos.timeline import NOT_DELIVERED, Timeline


@dataclass(frozen=True)
class Observed:
    accepted: Sequence[str]  # submission ids answered 202
    not_accepted: Mapping[str, int]  # reason -> requests
    deliveries: Mapping[str, Sequence[str]]  # submission id -> the event id of each copy on the agency topics
    mails: Mapping[MailKey, int] | None  # Message-ID -> copies in the mailbox; None: the mailbox is elsewhere
    timelines: Mapping[str, Timeline]  # submission id -> its timeline; absent: it could not be read


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
    messages_by_status: dict[str, int]  # messages in the timelines read, by their latest status

    def failures(self) -> list[str]:
        """Why the run failed; empty when it did not."""
        found = []
        if self.accepted == 0:
            found.append("nothing was accepted")
        if self.lost:
            found.append(f"{len(self.lost)} lost")
        if self.doubly_delivered:
            found.append(f"{len(self.doubly_delivered)} delivered twice after de-duplication")
        found += _mail_failures(self.mails)
        incomplete = self.accepted - self.timelines_complete
        if incomplete:
            found.append(f"{incomplete} with an incomplete timeline")
        if self.timelines_doubled:
            found.append(f"{self.timelines_doubled} with a timeline step twice or told twice")
        given_up = Counter({status: n for status, n in self.messages_by_status.items() if status in NOT_DELIVERED})
        if given_up:
            statuses = ", ".join(f"{status} {n}" for status, n in sorted(given_up.items()))
            found.append(f"{given_up.total()} message(s) given up on ({statuses})")
        return found


def _mail_failures(mails: MailCounts | None) -> list[str]:
    if mails is None:
        return []
    found = [f"{mails.missing} without a mail"] if mails.missing else []
    if mails.doubled:
        found.append(f"{mails.doubled} with two messages of one type")
    if mails.unmailed:
        found.append(f"{mails.unmailed} message(s) sent by e-mail and not in the mailbox")
    return found


def count(observed: Observed) -> ChaosCounts:
    accepted = list(dict.fromkeys(observed.accepted))
    ours = set(accepted)
    copies = observed.deliveries
    timelines = [observed.timelines.get(submission_id) for submission_id in accepted]
    read = [timeline for timeline in timelines if timeline is not None]
    missing = Counter(item for timeline in read for item in timeline.missing())
    return ChaosCounts(
        accepted=len(accepted),
        not_accepted=dict(sorted(observed.not_accepted.items())),
        delivered=sum(1 for submission_id in accepted if copies.get(submission_id)),
        lost=[submission_id for submission_id in accepted if not copies.get(submission_id)],
        raw_duplicates=sum(max(len(copies.get(submission_id, ())) - 1, 0) for submission_id in accepted),
        doubly_delivered=[sid for sid in accepted if len(set(copies.get(sid, ()))) > 1],
        delivered_unaccepted=sum(1 for submission_id, seen in copies.items() if seen and submission_id not in ours),
        mails=None if observed.mails is None else count_mails(accepted, observed.mails, observed.timelines),
        timelines_complete=sum(1 for timeline in read if not timeline.missing()),
        timelines_missing=dict(sorted(missing.items())),
        timelines_unread=len(timelines) - len(read),
        timelines_doubled=sum(1 for timeline in read if timeline.doubled()),
        messages_by_status=dict(sorted(Counter(message.status for t in read for message in t.told).items())),
    )
