"""Counting a fault run by submission id, from observations made up here."""

from civicflow.local.chaos.counts import Observed, Timeline, count, count_mails, mail_key

STEPS = ("received", "verified", "routed")


def timeline(*steps: str, notified: tuple[str, ...] = STEPS) -> Timeline:
    entries = [{"step": step, "at": "2026-11-27T10:00:00+00:00"} for step in steps]
    entries += [{"step": "notified", "about": about, "channel": "email"} for about in notified]
    return Timeline.of({"status": "routed", "timeline": entries})


def all_mails(*submission_ids: str) -> dict[tuple[str, str], int]:
    return {(submission_id, step): 1 for submission_id in submission_ids for step in STEPS}


def test_a_message_id_names_the_submission_and_the_step() -> None:
    assert mail_key("<aa5af57d-0000-4000-8000-000000000001.verified@civicflow>") == (
        "aa5af57d-0000-4000-8000-000000000001",
        "verified",
    )
    assert mail_key(" <a.b.routed@civicflow> ") == ("a.b", "routed")
    assert mail_key("<1234@example.org>") is None
    assert mail_key("<received@civicflow>") is None
    assert mail_key("") is None


def test_a_timeline_is_complete_with_every_step_and_a_notice_of_each() -> None:
    assert timeline(*STEPS).missing() == []
    assert timeline("received", "verified", notified=("received",)).missing() == [
        "routed",
        "notified about verified",
        "notified about routed",
    ]
    assert not timeline(*STEPS).doubled()
    assert timeline("received", "verified", "routed", "routed").doubled()
    assert timeline(*STEPS, notified=(*STEPS, "verified")).doubled()


def test_a_run_where_everything_arrived_once_passes() -> None:
    counts = count(
        Observed(
            accepted=["a", "b"],
            not_accepted={"HTTP 503": 4, "ConnectError": 2},
            deliveries={"a": ["e1"], "b": ["e2"]},
            mails=all_mails("a", "b"),
            timelines={"a": timeline(*STEPS), "b": timeline(*STEPS)},
        )
    )
    assert (counts.accepted, counts.delivered, counts.lost, counts.raw_duplicates) == (2, 2, [], 0)
    assert counts.not_accepted == {"ConnectError": 2, "HTTP 503": 4}
    assert counts.doubly_delivered == []
    assert counts.mails is not None and counts.mails.complete == 2 and counts.mails.raw_duplicates == 0
    assert counts.timelines_complete == 2
    assert counts.failures() == []


def test_copies_with_the_same_event_id_are_raw_duplicates_and_other_event_ids_a_double_delivery() -> None:
    counts = count(
        Observed(
            accepted=["a", "b", "c"],
            not_accepted={},
            deliveries={"a": ["e1", "e1", "e1"], "b": ["e2", "e9"], "x": ["e5"]},
            mails=all_mails("a", "b", "c"),
            timelines={sid: timeline(*STEPS) for sid in "abc"},
        )
    )
    assert counts.delivered == 2
    assert counts.lost == ["c"]
    assert counts.raw_duplicates == 3  # two more of a, one more of b
    assert counts.doubly_delivered == ["b"]
    assert counts.delivered_unaccepted == 1  # x: its POST got no answer, but intake kept it
    assert counts.failures() == ["1 lost", "1 delivered twice after de-duplication"]


def test_mails_are_counted_distinct_and_raw_and_missing_by_step() -> None:
    mails = all_mails("a", "b", "c") | {("a", "verified"): 2, ("c", "routed"): 0, ("x", "received"): 5}
    del mails[("b", "received")]
    counted = count_mails(["a", "b", "c"], mails | {("c", "rejected"): 1})
    assert (counted.complete, counted.exactly_once_raw, counted.missing) == (1, 0, 2)
    assert counted.missing_by_step == {"received": 1, "verified": 0, "routed": 1}
    assert (counted.distinct, counted.raw, counted.raw_duplicates) == (8, 9, 1)
    assert counted.submissions_with_copies == 1
    assert counted.other_steps == {"rejected": 1}


def test_an_incomplete_unread_or_doubled_timeline_fails_the_run_and_mails_elsewhere_are_not_counted() -> None:
    counts = count(
        Observed(
            accepted=["a", "b", "c", "d"],
            not_accepted={},
            deliveries={sid: [f"e-{sid}"] for sid in "abcd"},
            mails=None,
            timelines={
                "a": timeline(*STEPS),
                "b": timeline("received", "verified", notified=("received", "verified")),
                "d": timeline(*STEPS, "routed"),
            },
        )
    )
    assert counts.mails is None
    assert counts.timelines_complete == 2
    assert counts.timelines_missing == {"notified about routed": 1, "routed": 1}
    assert counts.timelines_unread == 1
    assert counts.timelines_doubled == 1
    assert counts.failures() == ["2 with an incomplete timeline", "1 with a timeline step twice"]


def test_a_run_that_accepted_nothing_proves_nothing() -> None:
    counts = count(Observed(accepted=[], not_accepted={"ConnectError": 30}, deliveries={}, mails={}, timelines={}))
    assert counts.failures() == ["nothing was accepted"]
