"""The fault run's report: the faults with their timings, then the counts by submission id. Pure: results in,
lines out."""

import bisect
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from civicflow.local.chaos.counts import ChaosCounts
from civicflow.local.chaos.faults import Fault, FaultRecord
from civicflow.local.chaos.mails import MailCounts
from civicflow.local.chaos.stream import Refused

SHOWN_IDS = 10


@dataclass(frozen=True)
class ChaosReport:
    rate: float
    burst: int
    seconds: float  # how long the stream ran
    posted: int
    faults: Sequence[FaultRecord]
    skipped: Sequence[Fault]
    refused: Sequence[Refused]
    seen_again: Sequence[float]  # when each copy beyond the first arrived on the agency topics
    counts: ChaosCounts
    dead_letters: Mapping[str, int]  # "<group> <reason>" -> letters written during the run
    mailbox: str | None  # where the mails were read; None: the SMTP server runs elsewhere
    drained: bool  # False: waiting for the pipeline ended without progress


def by_fault(faults: Sequence[FaultRecord], happenings: Iterable[tuple[float, str]]) -> list[Counter[str]]:
    """What happened when (run seconds, what), counted: first before the first fault, then one counter per
    fault, from its beginning to the next one's."""
    starts = [record.began for record in faults]
    found: list[Counter[str]] = [Counter() for _ in range(len(faults) + 1)]
    for at, what in happenings:
        found[bisect.bisect_right(starts, at)][what] += 1
    return found


def format_chaos(report: ChaosReport) -> str:
    title = (
        f"CivicFlow fault run: {report.rate:g} applications/s for {report.seconds:.0f} s, {report.posted} posted,"
        f" {len(report.faults)} faults"
    )
    sections = [
        [title],
        _fault_table(report),
        _applications(report.counts),
        _mails(report),
        _timelines(report.counts),
        _dead_letters(report.dead_letters),
        _verdict(report),
    ]
    return "\n\n".join("\n".join(lines) for lines in sections)


def _fault_table(report: ChaosReport) -> list[str]:
    row = "{:<58} {:>9} {:>7} {:>7} {:>8} {:>7}   {}"
    lines = [row.format("fault", "in flight", "began", "back", "flowing", "copies", "not accepted")]
    refused = by_fault(report.faults, ((item.at, item.reason) for item in report.refused))
    copies = [found["copy"] for found in by_fault(report.faults, ((at, "copy") for at in report.seen_again))]
    if refused[0] or copies[0]:
        lines.append(row.format("(before the first fault)", "", "", "", "", copies[0], _reasons(refused[0])))
    for record, not_accepted, again in zip(report.faults, refused[1:], copies[1:], strict=True):
        flowing = "never" if record.flowing is None else f"{record.flowing:.1f}"
        times = (f"{record.began:.1f}", f"{record.back:.1f}", flowing)
        lines.append(row.format(record.fault.title, record.in_flight, *times, again, _reasons(not_accepted)).rstrip())
    lines.append(
        "in flight: accepted, not yet on the agency topic with its mail when it struck (after a burst of"
        f" {report.burst});\nbegan, back (healthy again), flowing (an application accepted after that went all the"
        " way): seconds since\nthe run began; copies (a submission again on the agency topics) and not accepted:"
        " from this fault until the next"
    )
    lines += [f"skipped: {fault.title} ({fault.component} runs elsewhere)" for fault in report.skipped]
    return lines


def _applications(counts: ChaosCounts) -> list[str]:
    return [
        "applications",
        _line("accepted (202)", counts.accepted),
        _line("not accepted", sum(counts.not_accepted.values()), _reasons(Counter(counts.not_accepted))),
        _line("delivered (distinct on the agency topics)", counts.delivered),
        _line("lost (accepted, never delivered)", len(counts.lost), _ids(counts.lost)),
        _line("raw duplicates on the agency topics", counts.raw_duplicates, "copies beyond the first"),
        _line(
            "duplicates after de-duplication",
            len(counts.doubly_delivered),
            "the same submission under two event ids"
            + (f": {_ids(counts.doubly_delivered)}" if counts.doubly_delivered else ""),
        ),
        _line("delivered, no 202 read", counts.delivered_unaccepted, "the POST was cut off, the application kept"),
    ]


def _mails(report: ChaosReport) -> list[str]:
    mails: MailCounts | None = report.counts.mails
    if mails is None or report.mailbox is None:
        return ["e-mails: not counted: SMTP_HOST names a server elsewhere, whose mailbox this run cannot read"]
    accepted = report.counts.accepted
    return [
        "e-mails (Message-ID <submission-id>.<notification-id>.<message-type>@civicflow, per accepted submission)",
        _line("mailed, one message per type", f"{mails.complete} of {accepted}"),
        _line("without a mail", mails.missing),
        _line("two messages of one type", mails.doubled, "distinct Message-IDs: the citizen told twice"),
        _line("sent by e-mail, not in the mailbox", mails.unmailed, "as their timelines say"),
        _line("messages by type", mails.distinct, _reasons(Counter(mails.by_type))),
        _line("distinct / raw mails", f"{mails.distinct} / {mails.raw}"),
        _line(
            "resent mails (same Message-ID again)",
            mails.raw_duplicates,
            f"in {mails.submissions_with_copies} submission(s): sent again after a crash",
        ),
        _line("mailed once, no mail resent", f"{mails.exactly_once_raw} of {accepted}"),
    ]


def _timelines(counts: ChaosCounts) -> list[str]:
    missing = _reasons(Counter(counts.timelines_missing)) if counts.timelines_missing else ""
    statuses = _reasons(Counter(counts.messages_by_status))
    return [
        "timelines (received, verified, routed; each step that tells told by a message that went out)",
        _line("complete", f"{counts.timelines_complete} of {counts.accepted}"),
        _line("incomplete", counts.accepted - counts.timelines_complete, missing),
        _line("could not be read", counts.timelines_unread),
        _line("a step twice, or told twice", counts.timelines_doubled),
        _line("messages by latest status", sum(counts.messages_by_status.values()), statuses),
    ]


def _dead_letters(letters: Mapping[str, int]) -> list[str]:
    return [
        "operators",
        _line("dead letters written during the run", sum(letters.values()), _reasons(Counter(letters))),
    ]


def _verdict(report: ChaosReport) -> list[str]:
    failures = report.counts.failures()
    waited = [] if report.drained else ["(the wait for the pipeline ended without progress; counted what was there)"]
    return [*waited, "result: " + ("FAILED: " + "; ".join(failures) if failures else "passed")]


def _line(label: str, value: object, note: str = "") -> str:
    return f"  {label:<44} {value!s:>13}   {note}".rstrip()


def _reasons(found: Counter[str]) -> str:
    return ", ".join(f"{reason} {n}" for reason, n in sorted(found.items(), key=lambda item: (-item[1], item[0])))


def _ids(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:SHOWN_IDS])
    return shown + (f" and {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else "")
