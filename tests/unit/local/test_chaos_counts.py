"""Counting a fault run by submission id, from observations made up here."""

from typing import Any

from civicflow.local.chaos.counts import Observed, count
from civicflow.local.chaos.mails import MailKey, count_mails, mail_key
from civicflow.local.chaos.timeline import Timeline

STEPS = ("received", "verified", "routed")


def notified(message: str, message_type: str, status: str, about: tuple[str, ...], attempt: int = 1) -> dict[str, Any]:
    """A timeline entry for one status of the message `message` (its notification id), as intake shows it."""
    return {
        "step": "notified",
        "at": "2026-11-27T10:00:04+00:00",
        "notification_id": message,
        "message_type": message_type,
        "status": status,
        "about": list(about),
        "channel": "email",
        "reason": None,
        "attempt": attempt,
        "will_retry": status == "temporary-failure",
    }


def sent(message: str = "n1", message_type: str = "routed", about: tuple[str, ...] = STEPS) -> list[dict[str, Any]]:
    """A message created, then taken by the SMTP server."""
    return [
        notified(message, message_type, "created", about, attempt=0),
        notified(message, message_type, "sending", about),
    ]


def timeline(*steps: str, told: list[dict[str, Any]] | None = None) -> Timeline:
    entries = [{"step": step, "at": "2026-11-27T10:00:00+00:00"} for step in steps]
    return Timeline.of({"status": "routed", "timeline": entries + (sent() if told is None else told)})


def mail(submission_id: str, message: str = "n1", message_type: str = "routed") -> MailKey:
    return MailKey(submission_id, message, message_type)


def test_a_message_id_names_the_submission_the_notification_and_the_message_type() -> None:
    assert mail_key("<aa5af57d-0000-4000-8000-000000000001.1c0ffee0-0000-5000-8000-000000000002.routed@civicflow>") == (
        "aa5af57d-0000-4000-8000-000000000001",
        "1c0ffee0-0000-5000-8000-000000000002",
        "routed",
    )
    assert mail_key(" <a.b.identity_rejected@civicflow> ") == MailKey("a", "b", "identity_rejected")
    assert mail_key("<a.received@civicflow>") is None  # the old form, one mail per step
    assert mail_key("<a.b.c.routed@civicflow>") is None
    assert mail_key("<1234@example.org>") is None
    assert mail_key("") is None


def test_one_message_that_went_out_tells_of_the_steps_close_together() -> None:
    assert timeline(*STEPS).missing() == []
    assert not timeline(*STEPS).doubled()
    # received told alone; verified and routed came after its window closed, and are quiet
    assert timeline(*STEPS, told=sent(message_type="received", about=("received",))).missing() == []


def test_a_timeline_lacks_a_step_a_telling_step_not_told_or_a_message_not_yet_sent() -> None:
    assert timeline("received", "verified", told=[]).missing() == ["routed", "told of received"]
    waiting = [*sent("n1")[:1], notified("n1", "routed", "temporary-failure", STEPS)]
    assert timeline(*STEPS, told=waiting).missing() == ["told of received", "a message left temporary-failure"]
    assert timeline(*STEPS, told=sent("n1")[:1]).missing() == ["told of received", "a message left created"]
    # a later attempt's outcome is the message's status
    retried = [*waiting, notified("n1", "routed", "sending", STEPS, attempt=2)]
    assert timeline(*STEPS, told=retried).missing() == []


def test_a_step_twice_or_the_citizen_told_twice_is_doubled() -> None:
    assert timeline("received", "verified", "routed", "routed").doubled()
    assert timeline(*STEPS, told=sent("n1") + sent("n2")).doubled()  # two messages of one type
    twice = sent("n1", "received", ("received",)) + sent("n2", "routed", STEPS)
    assert timeline(*STEPS, told=twice).doubled()  # received in both
    once_each = sent("n1", "received", ("received",)) + sent("n2", "unroutable", ("unroutable",))
    assert not timeline("received", "unroutable", told=once_each).doubled()


def test_a_run_where_everything_arrived_once_passes() -> None:
    counts = count(
        Observed(
            accepted=["a", "b"],
            not_accepted={"HTTP 503": 4, "ConnectError": 2},
            deliveries={"a": ["e1"], "b": ["e2"]},
            mails={mail("a"): 1, mail("b"): 1},
            timelines={"a": timeline(*STEPS), "b": timeline(*STEPS)},
        )
    )
    assert (counts.accepted, counts.delivered, counts.lost, counts.raw_duplicates) == (2, 2, [], 0)
    assert counts.not_accepted == {"ConnectError": 2, "HTTP 503": 4}
    assert counts.doubly_delivered == []
    assert counts.mails is not None and counts.mails.complete == 2 and counts.mails.raw_duplicates == 0
    assert counts.mails.by_type == {"routed": 2}
    assert counts.timelines_complete == 2
    assert counts.messages_by_status == {"sending": 2}
    assert counts.failures() == []


def test_copies_with_the_same_event_id_are_raw_duplicates_and_other_event_ids_a_double_delivery() -> None:
    counts = count(
        Observed(
            accepted=["a", "b", "c"],
            not_accepted={},
            deliveries={"a": ["e1", "e1", "e1"], "b": ["e2", "e9"], "x": ["e5"]},
            mails={mail(sid): 1 for sid in "abc"},
            timelines={sid: timeline(*STEPS) for sid in "abc"},
        )
    )
    assert counts.delivered == 2
    assert counts.lost == ["c"]
    assert counts.raw_duplicates == 3  # two more of a, one more of b
    assert counts.doubly_delivered == ["b"]
    assert counts.delivered_unaccepted == 1  # x: its POST got no answer, but intake kept it
    assert counts.failures() == ["1 lost", "1 delivered twice after de-duplication"]


def test_a_message_id_again_is_a_resend_and_two_of_one_type_a_second_message() -> None:
    mails = {
        mail("a"): 2,  # sent again after a crash: one message
        mail("b", "n1", "received"): 1,  # received told alone: one message, of another type
        mail("c", "n1"): 1,
        mail("c", "n2"): 1,  # two messages of one type
        mail("d", "n1"): 0,
        mail("x"): 5,  # not accepted: not counted
    }
    counted = count_mails(["a", "b", "c", "d"], mails, {})
    assert (counted.complete, counted.exactly_once_raw, counted.missing, counted.doubled) == (2, 1, 1, 1)
    assert counted.by_type == {"received": 1, "routed": 3}
    assert (counted.distinct, counted.raw, counted.raw_duplicates) == (4, 5, 1)
    assert counted.submissions_with_copies == 1
    assert counted.unmailed == 0


def test_a_message_the_timeline_calls_sent_by_e_mail_is_in_the_mailbox() -> None:
    timelines = {"a": timeline(*STEPS, told=sent("n1")), "b": timeline(*STEPS, told=sent("n2"))}
    counts = count(
        Observed(["a", "b"], {}, {"a": ["e1"], "b": ["e2"]}, {mail("a", "n1"): 1, mail("b", "n1"): 1}, timelines)
    )
    assert counts.mails is not None and counts.mails.unmailed == 1  # b's n2
    assert counts.failures() == ["1 message(s) sent by e-mail and not in the mailbox"]


def test_an_incomplete_unread_or_doubled_timeline_fails_the_run_and_mails_elsewhere_are_not_counted() -> None:
    counts = count(
        Observed(
            accepted=["a", "b", "c", "d"],
            not_accepted={},
            deliveries={sid: [f"e-{sid}"] for sid in "abcd"},
            mails=None,
            timelines={
                "a": timeline(*STEPS),
                "b": timeline("received", "verified", told=sent("n1")[:1]),
                "d": timeline(*STEPS, "routed"),
            },
        )
    )
    assert counts.mails is None
    assert counts.timelines_complete == 2
    assert counts.timelines_missing == {"a message left created": 1, "routed": 1, "told of received": 1}
    assert counts.timelines_unread == 1
    assert counts.timelines_doubled == 1
    assert counts.messages_by_status == {"created": 1, "sending": 2}
    assert counts.failures() == ["2 with an incomplete timeline", "1 with a timeline step twice or told twice"]


def test_a_message_given_up_on_fails_the_run() -> None:
    given_up = [*sent()[:1], notified("n1", "routed", "technical-failure", STEPS, attempt=5)]
    counts = count(Observed(["a"], {}, {"a": ["e1"]}, {}, {"a": timeline(*STEPS, told=given_up)}))
    assert counts.timelines_complete == 1  # told, as far as the timeline goes: the message was settled
    assert counts.failures() == ["1 without a mail", "1 message(s) given up on (technical-failure 1)"]


def test_a_run_that_accepted_nothing_proves_nothing() -> None:
    counts = count(Observed(accepted=[], not_accepted={"ConnectError": 30}, deliveries={}, mails={}, timelines={}))
    assert counts.failures() == ["nothing was accepted"]
