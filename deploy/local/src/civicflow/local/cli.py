"""`civicflow`: the local stack's command line (up, down, dev-token, agency-keys, agencies, demo, trace, bench,
bench-growth, chaos)."""

import argparse
import asyncio
import json
import sys
from datetime import date
from pathlib import Path

from civicflow.local.agency_keys import write_agency_registry
from civicflow.local.chaos import command as chaos_command
from civicflow.local.idp import LOA_URIS, KeyPair, SigningKey
from civicflow.local.layout import Layout
from civicflow.local.stack import Stack, StackError
from civicflow.local.topics_admin import PARTITIONS
from civicflow.shared.contracts import asyncapi_document
from civicflow.shared.events.deadletter import DeadLetterReason


def _key_command(args: argparse.Namespace, layout: Layout) -> None:
    if args.command == "agency-keys":
        print(write_agency_registry(layout))
        return
    if args.command == "idp-rotate":
        pair = KeyPair.rotate(layout.idp_state_dir)
        print(f"signing with {pair.current.kid}; {pair.previous.kid if pair.previous else 'none'} still published")
        return
    key = SigningKey.load_or_create(layout.idp_state_dir)
    print(
        key.issue(
            issuer=args.issuer or layout.idp_issuer,
            given_name=args.given_name,
            family_name=args.family_name,
            birth_date=args.birth_date,
            loa=args.loa,
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="civicflow", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "up",
        help="start Kafka, PostgreSQL + FerretDB, SMTP, Jaeger, the dev identity provider and the five services",
    )
    commands.add_parser("down", help="stop everything `up` started")
    token = commands.add_parser("dev-token", help="print a signed identity token from the dev identity provider")
    token.add_argument("--given-name", required=True)
    token.add_argument("--family-name", required=True)
    token.add_argument("--birth-date", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    token.add_argument("--loa", choices=sorted(LOA_URIS), default="substantial", help="eIDAS level of assurance")
    token.add_argument("--issuer", help="the `iss` claim (default: the local identity provider's address)")
    commands.add_parser(
        "idp-rotate",
        help="give the dev identity provider a new signing key; the old one stays in its JWKS until the next rotation"
        " (restart the provider, or `make down up`, to serve it)",
    )
    commands.add_parser(
        "agency-keys",
        help="make (once) a private key per agency of the bundled registry under var/secrets/agencies and write"
        " the registry with their public keys, to publish with `agencies publish` (`up` does both; for compose:"
        " CIVICFLOW_VAR_DIR=var/compose)",
    )
    commands.add_parser("demo", help="post one application and print its status timeline")
    _add_trace_command(commands)
    _add_benchmarks(commands)
    chaos_command.add_arguments(
        commands.add_parser("chaos", help="a steady stream of applications while each component fails in turn")
    )
    commands.add_parser("asyncapi", help="print the AsyncAPI document generated from the event models")
    _add_deadletter_commands(commands)
    _add_agency_commands(commands)
    args = parser.parse_args(argv)

    if args.command == "asyncapi":
        print(json.dumps(asyncapi_document(), indent=2, ensure_ascii=False))
        return 0
    layout = Layout.from_environment()
    try:
        if args.command == "up":
            asyncio.run(Stack(layout).up())
            print(
                f"\nCivicFlow is running. Post applications to {layout.intake_url}/v1/submissions"
                f"\n(see README.md for a curl example; `make demo` posts one; mail lands in {layout.mail_dir})"
            )
        elif args.command == "down":
            Stack(layout).down()
        elif args.command in ("dev-token", "idp-rotate", "agency-keys"):
            _key_command(args, layout)
        elif args.command == "demo":
            from civicflow.local.demo import run_demo

            return asyncio.run(run_demo(layout))
        elif args.command in ("deadletters", "agencies", "trace"):
            return _operator_command(args, layout)
        elif args.command == "chaos":
            return chaos_command.run_command(layout, args)
        elif args.command in ("bench", "bench-growth"):
            return _benchmark(args, layout)
    except StackError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def _operator_command(args: argparse.Namespace, layout: Layout) -> int:
    # Imported here: the other commands need neither Kafka nor store clients.
    if args.command == "trace":
        from civicflow.local.trace_cli import run_trace

        return asyncio.run(run_trace(layout.mongo_uri, args.jaeger or layout.jaeger_query_url, args.submission_id))
    if args.command == "agencies":
        from civicflow.local.agencies import run_publish

        return run_publish(layout, args.file, args.partitions)
    from civicflow.local.deadletter_cli import run_deadletters

    return asyncio.run(run_deadletters(layout.kafka_operator, args))


def _add_deadletter_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    letters = commands.add_parser("deadletters", help="list, show or replay the messages consumers gave up on")
    actions = letters.add_subparsers(dest="action", required=True)
    for name, text in (("list", "count by consumer group and reason, then one line each"), ("replay", "send back")):
        action = actions.add_parser(name, help=text)
        action.add_argument("--group", help="only this consumer group, e.g. civicflow-notify")
        action.add_argument("--reason", choices=[str(reason) for reason in DeadLetterReason])
        if name == "replay":
            action.add_argument("ids", nargs="*", help="dead letter ids (or --all)")
            action.add_argument("--all", action="store_true", help="every letter that matches the filters")
    actions.add_parser("show", help="one letter, whole").add_argument("id")


def _add_trace_command(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    trace = commands.add_parser(
        "trace",
        help="print a submission's trace as a waterfall: each step of each service, how long it took, what failed",
    )
    trace.add_argument("submission_id")
    trace.add_argument("--jaeger", help="Jaeger's query address (default: the local stack's, http://127.0.0.1:16686)")


def _add_agency_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    agencies = commands.add_parser("agencies", help="change the agency registry while everything runs")
    actions = agencies.add_subparsers(dest="action", required=True)
    publish = actions.add_parser(
        "publish",
        help="publish a registry file as the version routing uses for the next application",
        description='Validates a registry file ({"agencies": [...]}) and publishes it as the version routing uses for'
        " the next application, without a restart. The topics of a new agency (and, on the local broker, its"
        " principal and ACLs) are made first. An agency with applications in flight is not retired.",
    )
    publish.add_argument("file", type=Path)
    publish.add_argument(
        "--partitions", type=int, default=PARTITIONS, help=f"of a new agency's topics (default {PARTITIONS})"
    )


def _add_benchmarks(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    bench = commands.add_parser("bench", help="the bare relay's ceiling, then CivicFlow closed and open loop")
    bench.add_argument("-n", "--count", type=int, default=2000)
    bench.add_argument("-c", "--concurrency", type=int, default=50)
    bench.add_argument("-r", "--rate", type=float, help="only an open loop at this many per second")
    bench.add_argument("--relay-messages", type=int, help="messages through the bare relay (0: skip it)")
    bench.add_argument("--open-seconds", type=float, default=20.0, help="length of the open loop at half the maximum")
    growth = commands.add_parser("bench-growth", help="applications/s and p95 as the store fills")
    growth.add_argument("--levels", type=int, nargs="+", help="applications stored before each measurement")
    growth.add_argument("-n", "--count", type=int, default=1000, help="applications per measurement")
    growth.add_argument("-c", "--concurrency", type=int, default=50)


def _benchmark(args: argparse.Namespace, layout: Layout) -> int:
    # Imported here: the other commands need neither Kafka clients nor progress bars.
    if args.command == "bench-growth":
        from civicflow.local.growth import DEFAULT_LEVELS, run_growth

        return asyncio.run(run_growth(layout, args.levels or DEFAULT_LEVELS, args.count, args.concurrency))
    from civicflow.local.bench import run_bench
    from civicflow.local.relay import DEFAULT_MESSAGES

    relay_messages = DEFAULT_MESSAGES if args.relay_messages is None else args.relay_messages
    return asyncio.run(run_bench(layout, args.count, args.concurrency, args.rate, relay_messages, args.open_seconds))


if __name__ == "__main__":
    sys.exit(main())
