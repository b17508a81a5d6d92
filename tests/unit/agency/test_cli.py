"""`civicflow-agency`: listen's options, its answer to a wrong file, and how it stops; decide's answer to a wrong
argument or key, and to a broker it cannot reach; keygen."""

import asyncio
import json
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from civicflow_agency import wire
from civicflow_agency.cli import main, parser
from civicflow_agency.commands import connection, until_stopped
from civicflow_agency.keys import load_signing_key
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


SUBMISSION = "3f2b8c1e-6a4d-4e8f-9b1a-2c3d4e5f6a7b"


def decide_args(key: Path, *extra: str, reason: str = "Vollständig.") -> list[str]:
    return ["decide", SUBMISSION, "accept", "--reason", reason, "--agency", "koeln-gewerbe", "--signing-key",
            str(key), "--bootstrap", "127.0.0.1:1", *extra]  # fmt: skip


@pytest.fixture
def signing_key_file(tmp_path: Path, signing_key: RSAKey) -> Path:
    path = tmp_path / "private-sig.jwk"
    path.write_text(json.dumps(signing_key.as_dict(private=True)))
    return path


@pytest.mark.parametrize(
    ("change", "answer"),
    [
        (lambda args: [*args[:1], "s-1", *args[2:]], "submission id 's-1' is not a UUID"),
        (lambda args: [*args, "--reason", ""], "--reason must contain a letter or a digit"),
        (lambda args: [*args, "--reason", "x" * 2001], "at most 2000"),
        (lambda args: [*args, "--reason", "<b>Abgelehnt</b>"], "must not contain markup"),
        (lambda args: [*args, "--reason", "Abgelehnt\x07"], "control or invisible"),
        (lambda args: [*args, "--agency", "Köln"], "agency id"),
        (lambda args: [*args, "--decision-id", "nochmal"], "--decision-id 'nochmal' is not a UUID"),
        (lambda args: [*args, "--security-protocol", "SASL_SSL"], "needs a SASL user name and password"),
        (lambda args: [*args, "--signing-key", "missing.jwk"], "missing.jwk"),
    ],
)
def test_a_wrong_decision_is_a_one_line_answer_before_connecting(
    signing_key_file: Path, change: Callable[[list[str]], list[str]], answer: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(change(decide_args(signing_key_file))) == 2
    captured = capsys.readouterr()
    assert answer in captured.err and len(captured.err.splitlines()) == 1 and captured.out == ""


def test_only_a_private_signing_key_signs_a_decision(
    tmp_path: Path, agency_key: RSAKey, signing_key: RSAKey, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "key.jwk"
    for document, answer in [
        (agency_key.as_dict(private=True), "not a signing key"),  # the decryption key, use enc
        (signing_key.as_dict(private=False), "not a private RSA key"),
        ({"keys": [signing_key.as_dict(private=True)]}, "not a key set"),
        (signing_key.as_dict(private=True) | {"alg": "RS256"}, "for PS256"),
    ]:
        key.write_text(json.dumps(document))
        assert main(decide_args(key)) == 2
        assert answer in capsys.readouterr().err


def test_a_decision_that_was_not_sent_names_its_id_to_send_again(
    signing_key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(decide_args(signing_key_file)) == 1  # nothing listens on 127.0.0.1:1
    error = capsys.readouterr().err
    decision_id = error.split("--decision-id ")[-1].strip()
    assert f"decision {decision_id} not confirmed" in error


def test_keygen_writes_a_private_key_for_the_agency_alone_and_prints_its_public_half(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "private-sig.jwk"
    assert main(["keygen", "--use", "sig", "--out", str(out)]) == 0
    public = json.loads(capsys.readouterr().out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    key = load_signing_key(out)
    assert public == key.as_dict(private=False) and "d" not in public
    assert (public["use"], public["alg"], public["kid"]) == ("sig", "PS256", key.thumbprint())
    assert wire.signing_keys([public])[0].kid == key.kid  # as CivicFlow's registry will read it
    assert main(["keygen", "--use", "enc", "--out", str(out)]) == 2  # never over an existing key
    assert "File exists" in capsys.readouterr().err
    assert load_signing_key(out).kid == key.kid
