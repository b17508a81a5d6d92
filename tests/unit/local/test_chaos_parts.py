"""The fault run's parts that need no running stack: which faults a stack can take, the stream's record of
answers, and the mailbox reader."""

import asyncio
from email.message import EmailMessage
from pathlib import Path

import pytest

from civicflow.local.chaos.clock import Clock
from civicflow.local.chaos.faults import Kind, every_fault, plan
from civicflow.local.chaos.stream import Accepted, Stream
from civicflow.local.chaos.watch import Mailbox
from civicflow.local.layout import Layout, Ports
from civicflow.local.stack import Stack, StackError
from tests.support.ports import free_ports


def layout(tmp_path: Path, **externals: object) -> Layout:
    return Layout(root=Path(__file__).resolve().parents[3], var_dir=tmp_path, **externals)  # type: ignore[arg-type]


def with_pid_files(stack: Stack) -> Stack:
    stack.run_dir.mkdir(parents=True, exist_ok=True)
    for part in stack.parts:
        (stack.run_dir / f"{part.name}.pid").write_text("1")
    return stack


def test_every_service_is_killed_the_broker_restarted_and_the_store_stopped_twice() -> None:
    titles = [fault.title for fault in every_fault(10.0)]
    assert titles == [
        "intake killed (SIGKILL), started again",
        "identity killed (SIGKILL), started again",
        "routing killed (SIGKILL), started again",
        "notify killed (SIGKILL), started again",
        "kafka restarted (stop + start)",
        "store down 10 s: ferretdb stopped",
        "store down 10 s: postgres stopped under a running ferretdb",
    ]
    assert [fault.kind for fault in every_fault(5.0)][-2:] == [Kind.OUTAGE, Kind.OUTAGE]


def test_what_runs_elsewhere_is_skipped(tmp_path: Path) -> None:
    external = layout(tmp_path, external_kafka="broker:9092", external_mongo="mongodb://db")
    doable, skipped = plan(with_pid_files(Stack(external, say=lambda _: None)), every_fault(10.0))
    assert [fault.component for fault in doable] == ["intake", "identity", "routing", "notify"]
    assert [fault.component for fault in skipped] == ["kafka", "ferretdb", "postgres"]


def test_a_stack_started_on_another_var_dir_is_refused(tmp_path: Path) -> None:
    stack = Stack(layout(tmp_path), say=lambda _: None)
    with pytest.raises(
        StackError, match=r"no pid file for intake, identity, routing, notify, kafka, ferretdb, postgres in "
    ):
        plan(stack, every_fault(10.0))


async def test_the_stream_finds_what_was_accepted_since_a_moment(tmp_path: Path) -> None:
    stream = Stream(layout(tmp_path), rate=1.0, clock=Clock(say=lambda _: None))
    stream.accepted = [Accepted(f"s{n}", "token", at=float(n)) for n in range(10)]
    assert [item.submission_id for item in stream.accepted_since(7.0)] == ["s9", "s8", "s7"]
    assert stream.accepted_since(10.5) == []


async def test_a_stream_and_a_burst_against_nothing_count_every_request_as_not_accepted(tmp_path: Path) -> None:
    (nobody,) = free_ports(1)  # closed again at once: nothing listens there
    closed = layout(tmp_path, ports=Ports(intake=nobody))
    stream = Stream(closed, rate=50.0, clock=Clock(say=lambda _: None))
    posting = asyncio.create_task(stream.run())
    await stream.burst(20)  # returns once all 20 are answered
    assert len(stream.refused) >= 20
    await asyncio.sleep(0.2)
    stream.stop()
    await posting
    assert stream.posted > 20
    assert stream.accepted == []
    assert {item.reason for item in stream.refused} == {"ConnectError"}
    assert len(stream.refused) == stream.posted


def test_the_mailbox_counts_each_mail_once_by_message_id(tmp_path: Path) -> None:
    mailbox = Mailbox(tmp_path / "mail")
    assert mailbox.scan() == {}
    (tmp_path / "mail").mkdir()
    resent = "<s1.n1.routed@civicflow>"  # the same message sent again after a crash
    for name, message_id in (("1", resent), ("2", resent), ("3", "<x@other>"), ("4", "<s1.received@civicflow>")):
        message = EmailMessage()
        message["Message-ID"] = message_id
        message.set_content("Ihr Antrag ist eingegangen.")
        (tmp_path / "mail" / f"{name}.eml").write_bytes(message.as_bytes())
    (tmp_path / "mail" / ".5.eml.tmp").write_text("half a message")
    assert mailbox.scan() == {("s1", "n1", "routed"): 2}
    assert mailbox.scan() == {("s1", "n1", "routed"): 2}  # read once each
