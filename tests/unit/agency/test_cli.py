"""`civicflow-agency listen`: its options, its answer to a wrong file, and how it stops."""

import asyncio
import json
from pathlib import Path

import pytest
from civicflow_agency.cli import connection, main, parser, until_stopped
from joserfc.jwk import RSAKey


def listen_args(*extra: str) -> list[str]:
    return ["listen", "--agency", "koeln-gewerbe", "--key", "k.jwk", "--bootstrap", "kafka:9093", "--state", "s",
            "--handler", "print", *extra]  # fmt: skip


def test_with_a_password_it_connects_over_tls_as_the_agencys_principal(tmp_path: Path) -> None:
    password = tmp_path / "password"
    password.write_text("s3cret\n")
    chosen = connection(parser().parse_args(listen_args("--sasl-password-file", str(password))))
    assert (chosen.security_protocol, chosen.sasl_username, chosen.sasl_password) == (
        "SASL_SSL",
        "agency-koeln-gewerbe",
        "s3cret",
    )
    assert "s3cret" not in repr(chosen)
    assert connection(parser().parse_args(listen_args())).security_protocol == "PLAINTEXT"


def test_a_wrong_file_is_a_one_line_answer_before_connecting(
    tmp_path: Path, agency_key: RSAKey, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(listen_args()) == 2  # k.jwk does not exist here
    assert "k.jwk" in capsys.readouterr().err
    key = tmp_path / "k.jwk"
    key.write_text(json.dumps(agency_key.as_dict(private=False)))
    args = [*listen_args(), "--state", str(tmp_path / "state")]
    args[args.index("k.jwk")] = str(key)
    assert main(args) == 2
    assert "not a private RSA key" in capsys.readouterr().err
    key.write_text(json.dumps(agency_key.as_dict(private=True)))
    assert main([*args, "--handler", "webhook:https://agency.example/in"]) == 2
    assert "one or two secrets" in capsys.readouterr().err
    assert main([*args, "--security-protocol", "SASL_SSL"]) == 2
    assert "needs a SASL user name and password" in capsys.readouterr().err


async def test_a_stop_ends_work_that_does_not_end_by_itself_after_the_grace() -> None:
    stop, cancelled = asyncio.Event(), asyncio.Event()

    async def retrying_forever() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.set()

    stop.set()
    await until_stopped(retrying_forever(), stop, grace_seconds=0.01)
    assert cancelled.is_set()


async def test_a_failure_of_the_work_is_not_hidden() -> None:
    async def failing() -> None:
        raise RuntimeError("broker gone")

    with pytest.raises(RuntimeError, match="broker gone"):
        await until_stopped(failing(), asyncio.Event())
