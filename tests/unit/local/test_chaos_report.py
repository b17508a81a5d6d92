"""The fault run's report, from counts and fault records made up here."""

from civicflow.local.chaos.counts import Observed, count
from civicflow.local.chaos.faults import Fault, FaultRecord, Kind
from civicflow.local.chaos.mails import MailKey
from civicflow.local.chaos.report import ChaosReport, by_fault, format_chaos
from civicflow.local.chaos.stream import Refused
from civicflow.local.chaos.timeline import Timeline

STEPS = ("received", "verified", "routed")
MESSAGE = {
    "step": "notified",
    "notification_id": "n1",
    "message_type": "routed",
    "about": list(STEPS),
    "channel": "email",
}
COMPLETE = Timeline.of(
    {
        "timeline": [{"step": s} for s in STEPS]
        + [MESSAGE | {"status": "created", "attempt": 0}, MESSAGE | {"status": "sending", "attempt": 1}]
    },
)


def faults() -> list[FaultRecord]:
    return [
        FaultRecord(Fault("intake", Kind.KILL), began=15.0, back=21.3, in_flight=31, flowing=22.0),
        FaultRecord(Fault("kafka", Kind.RESTART), began=45.0, back=52.5, in_flight=28, flowing=None),
        FaultRecord(Fault("postgres", Kind.OUTAGE, 10.0), began=80.0, back=91.0, in_flight=0, flowing=93.5),
    ]


def refused() -> list[Refused]:
    return [
        Refused("HTTP 503", 3.0),
        Refused("ConnectError", 15.2),
        Refused("ConnectError", 18.0),
        Refused("ReadError", 15.0),
        Refused("HTTP 503", 85.0),
    ]


def test_what_happened_is_counted_from_one_fault_to_the_next() -> None:
    before, intake, kafka, postgres = by_fault(faults(), ((item.at, item.reason) for item in refused()))
    assert before == {"HTTP 503": 1}
    assert intake == {"ConnectError": 2, "ReadError": 1}
    assert kafka == {}
    assert postgres == {"HTTP 503": 1}


def test_the_report_shows_the_faults_then_the_counts_and_the_verdict() -> None:
    counts = count(
        Observed(
            accepted=["a", "b", "c"],
            not_accepted={"HTTP 503": 2, "ConnectError": 2, "ReadError": 1},
            deliveries={"a": ["e1", "e1"], "b": ["e2"], "z": ["e9"]},
            mails={MailKey("a", "n1", "routed"): 1, MailKey("b", "n1", "routed"): 2},
            timelines={"a": COMPLETE, "b": COMPLETE},
        )
    )
    report = ChaosReport(
        rate=10.0,
        burst=30,
        seconds=120.4,
        posted=1204,
        faults=faults(),
        skipped=[Fault("ferretdb", Kind.OUTAGE, 10.0)],
        refused=refused(),
        seen_again=[46.0, 47.5, 99.0],
        counts=counts,
        dead_letters={"civicflow-notify retries_exhausted": 1},
        mailbox="var/mail",
        drained=False,
    )
    assert format_chaos(report) == (
        "CivicFlow fault run: 10 applications/s for 120 s, 1204 posted, 3 faults\n"
        "\n"
        "fault                                                      in flight   began    back  flowing  copies   not"
        " accepted\n"
        "(before the first fault)                                                                            0   "
        "HTTP 503 1\n"
        "intake killed (SIGKILL), started again                            31    15.0    21.3     22.0       0   "
        "ConnectError 2, ReadError 1\n"
        "kafka restarted (stop + start)                                    28    45.0    52.5    never       2\n"
        "store down 10 s: postgres stopped under a running ferretdb         0    80.0    91.0     93.5       1   "
        "HTTP 503 1\n"
        "in flight: accepted, not yet on the agency topic with its mail when it struck (after a burst of 30);\n"
        "began, back (healthy again), flowing (an application accepted after that went all the way): seconds since\n"
        "the run began; copies (a submission again on the agency topics) and not accepted: from this fault until the"
        " next\n"
        "skipped: store down 10 s: ferretdb stopped (ferretdb runs elsewhere)\n"
        "\n"
        "applications\n"
        "  accepted (202)                                           3\n"
        "  not accepted                                             5   ConnectError 2, HTTP 503 2, ReadError 1\n"
        "  delivered (distinct on the agency topics)                2\n"
        "  lost (accepted, never delivered)                         1   c\n"
        "  raw duplicates on the agency topics                      1   copies beyond the first\n"
        "  duplicates after de-duplication                          0   the same submission under two event ids\n"
        "  delivered, no 202 read                                   1   the POST was cut off, the application kept\n"
        "\n"
        "e-mails (Message-ID <submission-id>.<notification-id>.<message-type>@civicflow, per accepted submission)\n"
        "  mailed, one message per type                        2 of 3\n"
        "  without a mail                                           1\n"
        "  two messages of one type                                 0   distinct Message-IDs: the citizen told twice\n"
        "  sent by e-mail, not in the mailbox                       0   as their timelines say\n"
        "  messages by type                                         2   routed 2\n"
        "  distinct / raw mails                                 2 / 3\n"
        "  resent mails (same Message-ID again)                     1   in 1 submission(s): sent again after a crash\n"
        "  mailed once, no mail resent                         1 of 3\n"
        "\n"
        "timelines (received, verified, routed; each step that tells told by a message that went out)\n"
        "  complete                                            2 of 3\n"
        "  incomplete                                               1\n"
        "  could not be read                                        1\n"
        "  a step twice, or told twice                              0\n"
        "  messages by latest status                                2   sending 2\n"
        "\n"
        "operators\n"
        "  dead letters written during the run                      1   civicflow-notify retries_exhausted 1\n"
        "\n"
        "(the wait for the pipeline ended without progress; counted what was there)\n"
        "result: FAILED: 1 lost; 1 without a mail; 1 with an incomplete timeline"
    )


def test_without_the_mailbox_the_report_says_mails_were_not_counted() -> None:
    counts = count(Observed(["a"], {}, {"a": ["e1"]}, None, {"a": COMPLETE}))
    report = ChaosReport(1.0, 0, 10.0, 10, [], [], [], [], counts, {}, mailbox=None, drained=True)
    text = format_chaos(report)
    assert "e-mails: not counted: SMTP_HOST names a server elsewhere, whose mailbox this run cannot read" in text
    assert text.endswith("\nresult: passed")
