"""The local stack's supervisor with real (tiny) child processes: waiting, naming, reusing, stopping."""

import os
import signal
import sys
from pathlib import Path

import pytest

from civicflow.local import health
from civicflow.local.layout import Layout, Ports
from civicflow.local.stack import Component, Stack, StackError, components
from tests.support.ports import free_ports


def layout(tmp_path: Path, **externals: object) -> Layout:
    return Layout(root=Path(__file__).resolve().parents[3], var_dir=tmp_path, **externals)  # type: ignore[arg-type]


def web_server(port: int, timeout: float = 20) -> Component:
    return Component(
        "web",
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        lambda: health.http_ok(f"http://127.0.0.1:{port}/"),
        timeout,
    )


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_a_component_is_waited_for_reused_and_stopped(tmp_path: Path) -> None:
    (port,) = free_ports(1)
    said: list[str] = []
    stack = Stack(layout(tmp_path), say=said.append, parts=[web_server(port)])
    await stack.up()
    pid = int((tmp_path / "run" / "web.pid").read_text())
    assert said[-1] == f"web: healthy (pid {pid})"
    await stack.up()
    assert said[-1] == "web: already running, reused"
    stack.down()
    assert not alive(pid)
    assert not (tmp_path / "run" / "web.pid").exists()
    assert not await health.http_ok(f"http://127.0.0.1:{port}/")


async def test_a_component_that_never_gets_healthy_is_named_with_its_log(tmp_path: Path) -> None:
    (port,) = free_ports(1)
    silent = Component(
        "silent",
        [sys.executable, "-c", "import time; print('warming up', flush=True); time.sleep(60)"],
        lambda: health.http_ok(f"http://127.0.0.1:{port}/"),
        timeout_seconds=1.5,
    )
    stack = Stack(layout(tmp_path), say=lambda _: None, parts=[silent])
    with pytest.raises(StackError, match=r"silent did not become healthy within 2 s") as raised:
        await stack.up()
    assert "warming up" in str(raised.value)
    stack.down()


async def test_a_component_that_exits_is_named_with_its_exit_code(tmp_path: Path) -> None:
    (port,) = free_ports(1)
    crashing = Component(
        "crashing",
        [sys.executable, "-c", "raise SystemExit(3)"],
        lambda: health.http_ok(f"http://127.0.0.1:{port}/"),
        timeout_seconds=10,
    )
    with pytest.raises(StackError, match="crashing exited with code 3"):
        await Stack(layout(tmp_path), say=lambda _: None, parts=[crashing]).up()


def test_nothing_is_started_for_servers_given_in_the_environment(tmp_path: Path) -> None:
    own = components(layout(tmp_path))
    assert [part.name for part in own if not part.is_service] == [
        "kafka",
        "postgres",
        "ferretdb",
        "smtp",
        "jaeger",
        "idp",
    ]
    assert [part.name for part in own if part.is_service] == ["intake", "identity", "routing", "notify", "insights"]
    external = layout(
        tmp_path,
        external_kafka="kafka:9092",
        external_mongo="mongodb://db",
        external_smtp=("mx", 25),
        external_traces="http://collector:4318",
    )
    started = {part.name for part in components(external)}
    assert started == {"idp", "intake", "identity", "routing", "notify", "insights"}


def test_ferretdb_keeps_its_data_in_the_postgres_server_started_before_it(tmp_path: Path) -> None:
    store = {part.name: part for part in components(layout(tmp_path, ports=Ports(postgres=15432, mongo=17017)))}
    assert store["postgres"].command[-3:] == [str(tmp_path / "postgres"), "15432", str(tmp_path / "secrets/postgres")]
    # No user in FerretDB's address: it connects as each client's own role, with that client's password.
    assert store["ferretdb"].command[-3:] == [
        str(tmp_path / "ferretdb"),
        "17017",
        "postgres://127.0.0.1:15432/ferretdb",
    ]
    # PostgreSQL's fast shutdown: SIGTERM (smart) would wait for FerretDB's pooled sessions to end.
    assert store["postgres"].stop_signal == signal.SIGINT
    assert store["ferretdb"].stop_signal == signal.SIGTERM


async def test_a_component_is_stopped_with_its_own_signal(tmp_path: Path) -> None:
    ready, stopped_by = tmp_path / "ready", tmp_path / "stopped-by"
    script = (
        "import pathlib, signal, sys, time\n"
        "def stop(number, frame):\n"
        f"    pathlib.Path({str(stopped_by)!r}).write_text(signal.Signals(number).name)\n"
        "    sys.exit(0)\n"
        "signal.signal(signal.SIGINT, stop)\n"
        "signal.signal(signal.SIGTERM, stop)\n"
        f"pathlib.Path({str(ready)!r}).touch()\n"
        "time.sleep(60)\n"
    )

    async def is_ready() -> bool:
        return ready.exists()

    child = Component("child", [sys.executable, "-c", script], is_ready, 20, stop_signal=signal.SIGINT)
    stack = Stack(layout(tmp_path), say=lambda _: None, parts=[child])
    await stack.up()
    stack.down()
    assert stopped_by.read_text() == "SIGINT"


def test_external_servers_are_read_from_the_conventional_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "broker:9092")
    monkeypatch.setenv("MONGODB_URI", "mongodb://db:27017")
    monkeypatch.setenv("SMTP_HOST", "mx.example")
    found = Layout.from_environment(ports=Ports())
    assert (found.kafka_bootstrap, found.mongo_uri, found.smtp_address) == (
        "broker:9092",
        "mongodb://db:27017",
        ("mx.example", 25),
    )


async def test_one_component_is_crashed_and_started_again_and_a_second_stop_says_nothing_ran(tmp_path: Path) -> None:
    (port,) = free_ports(1)
    stack = Stack(layout(tmp_path), say=lambda _: None, parts=[web_server(port)])
    await stack.up()
    crashed = int((tmp_path / "run" / "web.pid").read_text())
    assert stack.stop("web", signal.SIGKILL) is True
    assert not alive(crashed)
    assert stack.stop("web") is False  # no pid file: nothing of this stack's to stop
    await stack.start("web")
    restarted = int((tmp_path / "run" / "web.pid").read_text())
    assert restarted != crashed and alive(restarted)
    assert await health.http_ok(f"http://127.0.0.1:{port}/")
    stack.down()
