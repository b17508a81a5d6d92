"""A bounce: the channel refused the recipient for good, so the address is not sent to again for a while
(domain.flooding). Only a refusal of the recipient counts; a message refused for another reason (too big, taken for
spam, a policy) is a permanent failure of that message, and says nothing about the address.

Not in domain/: Bounced is a PermanentFailure (the consumers dead-letter it as one), and civicflow.shared.messaging,
where that is defined, imports Kafka and Mongo clients, which the domain may not (the import-linter contract)."""

import re

from civicflow.shared.messaging import PermanentFailure

# SMTP replies that refuse the mailbox (RFC 5321 §4.2.2, §4.2.3): 550 no such mailbox, 551 user not local, 553
# mailbox name not allowed. A 552 (storage exceeded) or 554 (transaction failed) refuses this message, not the address.
SMTP_RECIPIENT_REFUSED = frozenset({550, 551, 553})
# An enhanced status code at the start of the reply's text (RFC 3463; RFC 2034 §3 puts it there).
_ENHANCED = re.compile(r"\s*([245])\.(\d{1,3})\.(\d{1,3})\b")
# HTTP answers that refuse the recipient: 404 no such recipient, 410 gone for good, 422 the recipient is not one the
# provider can deliver to (RFC 9110 §15.5.5, §15.5.11, §15.5.21), as SMS providers and portals answer an unknown number
# or mailbox. A 400 (malformed), 401 or 403 (our credentials) is about our request, not the address.
HTTP_RECIPIENT_REFUSED = frozenset({404, 410, 422})


class Bounced(PermanentFailure):
    """The channel refused the recipient for good: dead-lettered as any permanent failure, and the address is not sent
    to again for bounce_days."""


def enhanced_code(reply: str) -> str | None:
    """The enhanced status code ("5.1.1") a reply's text begins with, if any; never the rest, which may quote the
    address."""
    found = _ENHANCED.match(reply)
    return ".".join(found.groups()) if found else None


def smtp_refuses_recipient(code: int, reply: str) -> bool:
    """Whether a 5xx answer to RCPT or DATA refuses the recipient. Where the server gives an enhanced code, only an
    address status (5.1.x, RFC 3463 §3.2) does: "550 5.7.1" is a policy refusal of the message. Without one, the basic
    code decides."""
    enhanced = enhanced_code(reply)
    if enhanced is not None:
        return enhanced.startswith("5.1.")
    return code in SMTP_RECIPIENT_REFUSED
