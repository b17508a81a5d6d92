"""`civicflow chaos` (`make chaos`): the fault run against the stack `make up` started, its report on stdout,
exit code 1 when anything was lost, delivered twice after de-duplication, or is missing a mail or a timeline
step."""

import argparse
import asyncio

from civicflow.local.chaos.clock import Clock
from civicflow.local.chaos.options import ChaosOptions
from civicflow.local.layout import Layout
from civicflow.local.stack import Stack


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = ChaosOptions()
    parser.add_argument("-r", "--rate", type=float, default=defaults.rate, help="applications per second")
    parser.add_argument("--warmup", type=float, default=defaults.warmup_seconds, help="seconds before the first fault")
    parser.add_argument(
        "--pause", type=float, default=defaults.pause_seconds, help="seconds after the stream flows again"
    )
    parser.add_argument(
        "--burst", type=int, default=defaults.burst, help="applications posted at once right before each fault"
    )
    parser.add_argument(
        "--store-down", type=float, default=defaults.store_down_seconds, help="seconds the store is down"
    )
    parser.add_argument(
        "--stall", type=float, default=defaults.stall_seconds, help="stop waiting after this long without progress"
    )


def run_command(layout: Layout, args: argparse.Namespace) -> int:
    options = ChaosOptions(
        rate=args.rate,
        warmup_seconds=args.warmup,
        pause_seconds=args.pause,
        burst=args.burst,
        store_down_seconds=args.store_down,
        stall_seconds=args.stall,
    )
    from civicflow.local.chaos.run import run_chaos  # here: the other commands need none of the run's modules

    clock = Clock()
    run = asyncio.run(run_chaos(Stack(layout, say=clock.say), options, clock))
    print("\n" + run.report)
    return 1 if run.counts.failures() else 0
