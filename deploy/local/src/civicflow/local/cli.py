"""`civicflow`: the local stack's command line (up, down, dev-token, demo, bench)."""

import argparse
import asyncio
import json
import sys
from datetime import date

from civicflow.local.idp import LOA_URIS, SigningKey
from civicflow.local.layout import Layout
from civicflow.local.stack import Stack, StackError
from civicflow.shared.contracts import asyncapi_document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="civicflow", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "up", help="start Kafka, PostgreSQL + FerretDB, SMTP, the dev identity provider and the four services"
    )
    commands.add_parser("down", help="stop everything `up` started")
    token = commands.add_parser("dev-token", help="print a signed identity token from the dev identity provider")
    token.add_argument("--given-name", required=True)
    token.add_argument("--family-name", required=True)
    token.add_argument("--birth-date", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    token.add_argument("--loa", choices=sorted(LOA_URIS), default="substantial", help="eIDAS level of assurance")
    token.add_argument("--issuer", help="the `iss` claim (default: the local identity provider's address)")
    commands.add_parser("demo", help="post one application and print its status timeline")
    bench = commands.add_parser("bench", help="post N applications concurrently and measure end to end")
    bench.add_argument("-n", "--count", type=int, default=2000)
    bench.add_argument("-c", "--concurrency", type=int, default=50)
    bench.add_argument("-r", "--rate", type=float, default=None, help="post at this many per second (open loop)")
    commands.add_parser("asyncapi", help="print the AsyncAPI document generated from the event models")
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
        elif args.command == "dev-token":
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
        elif args.command == "demo":
            from civicflow.local.demo import run_demo

            return asyncio.run(run_demo(layout))
        elif args.command == "bench":
            from civicflow.local.bench import run_bench

            return asyncio.run(run_bench(layout, args.count, args.concurrency, args.rate))
    except StackError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
