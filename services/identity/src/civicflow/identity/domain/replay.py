"""One identity token, one submission: a token's use is recorded by its issuer and `jti` (RFC 7519 §4.1.7: the
`jti` "can be used to prevent the JWT from being replayed").

Keyed on the `jti`, never on the token's bytes: an ECDSA signature (r, s) is as valid as (r, n - s), so the same
token can be written as a second byte string that verifies (ECDSA signatures are malleable). A use is recorded
for the submission that first got through every other check; the same submission checked again (a redelivery,
a retry) finds its own record and passes, any other is a replay.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

# How long a use is remembered after its token expired. A token is judged as of the moment its submission was
# filed, and a submission can reach identity long after that (retry topics, then dead letters replayed by an
# operator), so the record must outlive the longest wait we still answer; as long as identity remembers the
# events it handled (CIVICFLOW_PROCESSED_RETENTION_DAYS, 14 days by default).
KEEP_AFTER_EXPIRY = timedelta(days=14)


@dataclass(frozen=True)
class TokenUse:
    issuer: str
    token_id: str
    submission_id: UUID
    # After this the record may be swept: the token cannot be used any more.
    keep_until: datetime


def use_of(issuer: str, token_id: str, expires_at: datetime, submission_id: UUID) -> TokenUse:
    return TokenUse(issuer, token_id, submission_id, expires_at + KEEP_AFTER_EXPIRY)


def can_tell_replays(use: TokenUse, now: datetime) -> bool:
    """Whether the record of an earlier use would still be there: after its sweep, a replay and a first use look
    the same, so a token checked that late is no longer taken."""
    return now <= use.keep_until
