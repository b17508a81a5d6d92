"""The fault run's mails, by Message-ID: which messages each accepted application's citizen got, and how often.
Pure: the mailbox's counts (and the timelines) in, counts out."""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from civicflow.local.chaos.timeline import Timeline
from civicflow.shared.events import NotificationStatus

MAIL_DOMAIN = "@civicflow"
EMAIL_CHANNEL = "email"  # notify's SmtpEmail.name
# A message at one of these was taken by the SMTP server, which keeps it in the mailbox before notify hears so.
MAILED = frozenset({NotificationStatus.SENDING, NotificationStatus.DELIVERED})


class MailKey(NamedTuple):
    submission_id: str
    notification_id: str
    message_type: str


def mail_key(message_id: str) -> MailKey | None:
    """`<submission-id>.<notification-id>.<message-type>@civicflow>` as notify writes it; None for other mail."""
    local, at, domain = message_id.strip().strip("<>").partition("@")
    parts = local.split(".")
    if not (at and f"@{domain}" == MAIL_DOMAIN and len(parts) == 3 and all(parts)):
        return None
    return MailKey(*parts)


@dataclass(frozen=True)
class MailCounts:
    complete: int  # accepted submissions with a mail, and one distinct Message-ID per message type
    exactly_once_raw: int  # ... and no Message-ID of theirs twice
    missing: int  # accepted submissions without a mail
    doubled: int  # accepted submissions with two distinct Message-IDs of one message type: two messages for one
    unmailed: int  # messages their timelines call sent by e-mail, with no mail in the mailbox
    by_type: dict[str, int]  # distinct mails of accepted submissions by message type
    distinct: int  # distinct Message-IDs of accepted submissions
    raw: int  # mails of accepted submissions, copies included
    submissions_with_copies: int  # a Message-ID twice: notify sent the same message again after a crash

    @property
    def raw_duplicates(self) -> int:
        return self.raw - self.distinct


def count_mails(accepted: Sequence[str], mails: Mapping[MailKey, int], timelines: Mapping[str, Timeline]) -> MailCounts:
    """Per accepted submission: a mail at all, one Message-ID per message type, and a mail for every message its
    timeline (when read) calls sent by e-mail. The same Message-ID again is a resend, counted apart."""
    ours = set(accepted)
    by_submission: dict[str, dict[MailKey, int]] = {}
    for key, copies in mails.items():
        if key.submission_id in ours and copies > 0:
            by_submission.setdefault(key.submission_id, {})[key] = copies
    by_type: Counter[str] = Counter()
    complete = exactly_once = missing = doubled = with_copies = unmailed = 0
    for submission_id in accepted:
        found = by_submission.get(submission_id, {})
        types = Counter(key.message_type for key in found)
        by_type.update(types)
        twice, resent = any(n > 1 for n in types.values()), any(n > 1 for n in found.values())
        missing += not found
        doubled += twice
        complete += bool(found) and not twice
        exactly_once += bool(found) and not twice and not resent
        with_copies += resent
        unmailed += _unmailed(submission_id, found, timelines.get(submission_id))
    return MailCounts(
        complete=complete,
        exactly_once_raw=exactly_once,
        missing=missing,
        doubled=doubled,
        unmailed=unmailed,
        by_type=dict(sorted(by_type.items())),
        distinct=sum(len(found) for found in by_submission.values()),
        raw=sum(sum(found.values()) for found in by_submission.values()),
        submissions_with_copies=with_copies,
    )


def _unmailed(submission_id: str, found: Mapping[MailKey, int], timeline: Timeline | None) -> int:
    """Messages the timeline calls taken by the SMTP server, whose Message-ID is not in the mailbox."""
    told = () if timeline is None else timeline.told
    sent = (message for message in told if message.channel == EMAIL_CHANNEL and message.status in MAILED)
    return sum(1 for m in sent if MailKey(submission_id, m.notification_id, m.message_type) not in found)
