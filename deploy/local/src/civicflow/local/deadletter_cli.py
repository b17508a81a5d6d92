"""The `civicflow deadletters` command: argument handling around civicflow.local.deadletters."""

import argparse

from civicflow.local import deadletters
from civicflow.shared.settings import KafkaSettings


async def run_deadletters(kafka: KafkaSettings, args: argparse.Namespace) -> int:
    letters, unreadable = await deadletters.read_letters(kafka)
    if unreadable:
        print(f"({unreadable} records on the topic are not dead letters of this version)")
    if args.action == "show":
        found = [letter for letter in letters if str(letter.dead_letter_id) == args.id]
        print(deadletters.show(found[0]) if found else f"no dead letter {args.id}")
        return 0 if found else 1
    chosen = [letter for letter in letters if deadletters.Filter(args.group, args.reason)(letter)]
    if args.action == "list":
        print(deadletters.summary(chosen))
        for letter in chosen:
            print(deadletters.line(letter))
        return 0
    if not args.all:
        chosen = [letter for letter in chosen if str(letter.dead_letter_id) in set(args.ids)]
        if not args.ids:
            print("name the dead letters to replay, or give --all")
            return 2
    for letter in chosen:
        if (why := deadletters.why_not_replayable(letter)) is not None:
            print(f"not replayed: {letter.dead_letter_id}: {why}")
    print(f"replayed {await deadletters.replay(kafka, chosen)} dead letter(s)")
    return 0
