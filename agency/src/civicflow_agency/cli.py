"""`civicflow-agency listen`: the applications for one agency, decrypted, handed to its system once each."""

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Coroutine, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

import httpx

from civicflow_agency.handlers import handler_from_spec
from civicflow_agency.inbox import Inbox
from civicflow_agency.kafka import Connection, consume, open_consumer, pausing_sleep
from civicflow_agency.keys import load_private_keys, read_lines
from civicflow_agency.state import InboxState

WEBHOOK_TIMEOUT_SECONDS = 30
STOP_GRACE_SECONDS = 5

log = logging.getLogger(__name__)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="civicflow-agency", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    listen = commands.add_parser("listen", help="receive, decrypt and hand over the agency's applications")
    listen.add_argument("--agency", required=True, help="the agency id, e.g. koeln-gewerbe")
    listen.add_argument("--key", required=True, action="append", type=Path, help="private JWK; repeat for older")
    listen.add_argument("--bootstrap", required=True, help="HOST:PORT[,HOST:PORT…] of CivicFlow's brokers")
    listen.add_argument("--security-protocol", choices=["SASL_SSL", "SASL_PLAINTEXT", "PLAINTEXT"])
    listen.add_argument("--sasl-username", help="default: agency-<agency id>")
    listen.add_argument("--sasl-password-file", type=Path)
    listen.add_argument("--ca-file", type=Path, help="the CA that signed the brokers' certificates (SASL_SSL)")
    listen.add_argument("--state", required=True, type=Path, help="directory for handled ids and set-aside records")
    listen.add_argument("--handler", required=True, help="print | dir:PATH | webhook:URL")
    listen.add_argument("--webhook-secret-file", type=Path, help="one or two lines: current, previous secret")
    return root


def connection(args: argparse.Namespace) -> Connection:
    password = read_lines(args.sasl_password_file, 1)[0] if args.sasl_password_file else None
    # TLS whenever there is a password to protect; SASL_PLAINTEXT only when asked for (a loopback test broker).
    protocol = args.security_protocol or ("SASL_SSL" if password else "PLAINTEXT")
    return Connection(args.bootstrap, protocol, args.sasl_username or f"agency-{args.agency}", password, args.ca_file)


async def listen(args: argparse.Namespace, inbox: Inbox, client: httpx.AsyncClient) -> None:
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    try:
        consumer = await open_consumer(connection(args), args.agency)
        try:
            inbox.sleep = pausing_sleep(consumer)
            await until_stopped(consume(consumer, inbox, stop), stop)
        finally:
            await consumer.stop()
    finally:
        await client.aclose()
        inbox.state.close()


async def until_stopped(
    work: Coroutine[Any, Any, None], stop: asyncio.Event, grace_seconds: float = STOP_GRACE_SECONDS
) -> None:
    """`work` until it ends or, once `stop` is set, for `grace_seconds` more: it stops between records by
    itself, but not while the agency's system is away and the handler is being retried. Cancelled there, the
    application is neither recorded nor committed, and comes again on the next start."""
    working, stopping = asyncio.create_task(work), asyncio.create_task(stop.wait())
    await asyncio.wait({working, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    done, _ = await asyncio.wait({working}, timeout=grace_seconds)
    if not done:
        working.cancel()
        log.warning("stopped while handing over an application; it comes again on the next start")
        with suppress(asyncio.CancelledError):
            await working
        return
    working.result()


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # Reports go to stderr and name offsets and submission ids only; `print` writes the applications to stdout.
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    client = httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT_SECONDS)
    try:  # everything read and checked before connecting: a wrong file is a one-line answer, not a traceback
        keys = load_private_keys(args.key)
        secrets = read_lines(args.webhook_secret_file, 2) if args.webhook_secret_file else []
        handler = handler_from_spec(args.handler, secrets, client)
        connection(args).options()  # a protocol without its password, a CA file that is not there
        inbox = Inbox(keys, InboxState(args.state), handler)
    except (ValueError, OSError) as error:
        print(f"civicflow-agency: {error}", file=sys.stderr)
        return 2
    asyncio.run(listen(args, inbox, client))
    return 0
