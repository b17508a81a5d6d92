"""What each command does once its arguments are parsed: first everything that reads and checks the agency's own
files and input (a wrong one is a ValueError or OSError, which `main` answers in one line), and only then a `Run`
that connects to CivicFlow's brokers."""

import argparse
import asyncio
import functools
import json
import logging
import signal
import sys
from collections.abc import Callable, Coroutine
from contextlib import suppress
from typing import Any

import httpx
from aiokafka.errors import KafkaError
from joserfc.jwk import RSAKey

from civicflow_agency.attaching import WithAttachments
from civicflow_agency.attachments import AttachmentSource
from civicflow_agency.decide import OUTCOMES, publish, signed_decision
from civicflow_agency.fetch import Fetch, targets
from civicflow_agency.handlers import handler_from_spec
from civicflow_agency.inbox import Handler, Inbox
from civicflow_agency.kafka import Connection, consume, open_consumer, pausing_sleep
from civicflow_agency.keys import load_private_keys, load_signing_key, read_lines, write_new_key
from civicflow_agency.state import InboxState

WEBHOOK_TIMEOUT_SECONDS = 30
STOP_GRACE_SECONDS = 5

log = logging.getLogger(__name__)

# What a command does once its arguments and files are checked: connect, work, and give the exit status.
Run = Callable[[], int]


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


def prepared_listen(args: argparse.Namespace) -> Run:
    client = httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT_SECONDS)
    keys = load_private_keys(args.key)
    secrets = read_lines(args.webhook_secret_file, 2) if args.webhook_secret_file else []
    handler = attached(handler_from_spec(args.handler, secrets, client), args, keys, client)
    connection(args).options()  # a protocol without its password, a CA file that is not there
    inbox = Inbox(keys, InboxState(args.state), handler)

    def run() -> int:
        asyncio.run(listen(args, inbox, client))
        return 0

    return run


def attached(handler: Handler, args: argparse.Namespace, keys: list[RSAKey], client: httpx.AsyncClient) -> Handler:
    """With --attachments-from, the handler with each application's attachments fetched first (attaching)."""
    if (args.attachments_from is None) != (args.signing_key is None):
        raise ValueError("--attachments-from and --signing-key go together (the key signs the fetch's token)")
    if args.attachments_from is None:
        return handler
    source = AttachmentSource(args.attachments_from, args.agency, load_signing_key(args.signing_key), keys)
    return WithAttachments(handler, functools.partial(source.fetch, client))


def prepared_decide(args: argparse.Namespace) -> Run:
    decision = signed_decision(
        agency_id=args.agency,
        submission_id=args.submission_id,
        outcome=OUTCOMES[args.outcome],
        reason=args.reason,
        key=load_signing_key(args.signing_key),
        decision_id=args.decision_id,
    )
    brokers = connection(args)
    brokers.options()

    def run() -> int:
        try:
            asyncio.run(publish(brokers, decision))
        except (KafkaError, OSError) as error:  # it may have arrived all the same: the same id makes it one decision
            print(
                f"civicflow-agency: decision {decision.decision_id} not confirmed ({type(error).__name__});"
                f" send it again with --decision-id {decision.decision_id}",
                file=sys.stderr,
            )
            return 1
        print(decision.decision_id)
        return 0

    return run


def prepared_fetch(args: argparse.Namespace) -> Run:
    source = AttachmentSource(args.url, args.agency, load_signing_key(args.signing_key), load_private_keys(args.key))
    fetch = Fetch(source, targets(args))
    return lambda: asyncio.run(fetch.run())


def prepared_keygen(args: argparse.Namespace) -> Run:
    key = write_new_key(args.out, args.use)

    def run() -> int:  # the public half only: what the agency gives CivicFlow for its registry
        print(json.dumps(key.as_dict(private=False), indent=2))
        return 0

    return run
