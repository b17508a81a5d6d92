"""`civicflow-agency`: `listen` for one agency's applications (and the citizens' answers to its requests for
information), decrypted, handed to its system once each; `fetch` an application's attachments; `decide` on one,
signed, back to CivicFlow; `keygen`."""

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from civicflow_agency.attachments import EXTENSIONS
from civicflow_agency.commands import Run, prepared_decide, prepared_fetch, prepared_keygen, prepared_listen
from civicflow_agency.decide import OUTCOMES
from civicflow_agency.keys import KEY_USES
from civicflow_agency.wire import REASON_MAX_CHARACTERS

DECIDE = """The agency's decision on one application, signed with the agency's signing key and sent to CivicFlow,
which verifies it and tells the citizen the outcome and the reason. Prints the decision's id: if sending fails, or
to be sure it arrived, send it again with --decision-id: the same id makes it the same decision."""

FETCH = """An application's attachments from CivicFlow, each decrypted with the agency's key and checked against the
SHA-256 the application names: all of them (--application, --out-dir) or one (--attachment … --out). Prints each
file it wrote; an existing file of the same name is replaced."""


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="civicflow-agency", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    listen = commands.add_parser("listen", help="receive, decrypt and hand over the agency's applications")
    connecting(listen)
    listen.add_argument("--key", required=True, action="append", type=Path, help="private JWK; repeat for older")
    listen.add_argument("--state", required=True, type=Path, help="directory for handled ids and set-aside records")
    listen.add_argument("--handler", required=True, help="print | dir:PATH | webhook:URL")
    listen.add_argument("--webhook-secret-file", type=Path, help="one or two lines: current, previous secret")
    listen.add_argument("--attachments-from", metavar="URL", help="CivicFlow's base URL: fetch attachments (dir:)")
    listen.add_argument("--signing-key", type=Path, help="with --attachments-from: the agency's private signing JWK")
    decide = commands.add_parser(
        "decide", help="send the agency's signed decision on an application", description=DECIDE
    )
    decide.add_argument("submission_id", metavar="SUBMISSION_ID", help="the application's id (a UUID)")
    decide.add_argument("outcome", choices=OUTCOMES, help="request-info asks the citizen for what the reason names")
    decide.add_argument(
        "--reason",
        required=True,
        help="SHOWN TO THE CITIZEN as written: why, or for request-info what is missing, in words for them; plain"
        f" text, 1 to {REASON_MAX_CHARACTERS} characters, newlines allowed, no markup, no internal notes",
    )
    decide.add_argument("--signing-key", required=True, type=Path, help="the agency's private signing JWK (use sig)")
    decide.add_argument("--decision-id", help="the id printed before, to send the same decision again")
    connecting(decide)
    fetching(commands.add_parser("fetch", help="fetch an application's attachments", description=FETCH))
    keygen = commands.add_parser("keygen", help="make a key pair; prints the public JWK to register with CivicFlow")
    keygen.add_argument("--use", required=True, choices=KEY_USES, help="enc: to decrypt with; sig: to sign decisions")
    keygen.add_argument("--out", required=True, type=Path, help="a new file for the private JWK (0600)")
    return root


def fetching(fetch: argparse.ArgumentParser) -> None:
    fetch.add_argument("--agency", required=True, help="the agency id, e.g. koeln-gewerbe")
    fetch.add_argument("--url", required=True, help="CivicFlow's base URL, e.g. https://civicflow.example")
    fetch.add_argument("--signing-key", required=True, type=Path, help="the agency's private signing JWK (use sig)")
    fetch.add_argument("--key", required=True, action="append", type=Path, help="private JWK; repeat for older")
    which = fetch.add_mutually_exclusive_group(required=True)
    which.add_argument("--application", type=Path, help="an application's JSON (as dir: writes it): all its files")
    which.add_argument("--attachment", metavar="ID", help="one attachment, with --sha256 --media-type --size --out")
    fetch.add_argument("--out-dir", type=Path, help="with --application: where <attachment id>.<ext> go (0600)")
    fetch.add_argument("--sha256", help="with --attachment: its SHA-256 as the application names it (hex)")
    fetch.add_argument("--media-type", help=f"with --attachment: {', '.join(EXTENSIONS)}")
    fetch.add_argument("--size", type=int, help="with --attachment: its size in bytes")
    fetch.add_argument("--out", type=Path, help="with --attachment: the file to write (0600)")


def connecting(command: argparse.ArgumentParser) -> None:
    """The options of a command that connects to CivicFlow's brokers as the agency."""
    command.add_argument("--agency", required=True, help="the agency id, e.g. koeln-gewerbe")
    command.add_argument("--bootstrap", required=True, help="HOST:PORT[,HOST:PORT…] of CivicFlow's brokers")
    command.add_argument("--security-protocol", choices=["SASL_SSL", "SASL_PLAINTEXT", "PLAINTEXT"])
    command.add_argument("--sasl-username", help="default: agency-<agency id>")
    command.add_argument("--sasl-password-file", type=Path)
    command.add_argument("--ca-file", type=Path, help="the CA that signed the brokers' certificates (SASL_SSL)")


PREPARE: dict[str, Callable[[argparse.Namespace], Run]] = {
    "listen": prepared_listen,
    "decide": prepared_decide,
    "fetch": prepared_fetch,
    "keygen": prepared_keygen,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # Reports go to stderr and name offsets and submission ids only; `print` writes the applications to stdout.
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:  # everything read and checked before connecting: a wrong file or argument is a one-line answer
        run = PREPARE[args.command](args)
    except (ValueError, OSError) as error:
        print(f"civicflow-agency: {error}", file=sys.stderr)
        return 2
    return run()
