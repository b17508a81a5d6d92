"""`civicflow trace SUBMISSION_ID`: the submission's trace from Jaeger, as a waterfall in the terminal.

Intake keeps the id of the trace a submission started with its record (`trace_id`, from the request that
posted it), and every service continues that trace over Kafka; so the trace is one store read and one
`GET /api/traces/{trace_id}` away. (Searching Jaeger by tag would need the submission id on a span: FastStream's
spans carry it only as the Kafka message key, in bytes, which Jaeger keeps as a base64 binary tag, and later traces
of the same submission, an agency's decision, carry it as well.)
"""

import shutil
import sys
from typing import Any
from uuid import UUID

from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from civicflow.local.provisioning import SERVICES
from civicflow.local.waterfall_text import render
from civicflow.shared.traces.jaeger import JaegerUnreachable, fetch_trace
from civicflow.shared.traces.waterfall import waterfall

STORE_TIMEOUT_MS = 5000


class CannotFindTrace(Exception):
    pass


async def run_trace(mongo_uri: str, jaeger_url: str, submission_id: str) -> int:
    try:
        trace_id = await stored_trace_id(mongo_uri, submission_id)
        trace = await fetch_trace(jaeger_url, trace_id)
    except CannotFindTrace as missing:
        print(f"error: {missing}", file=sys.stderr)
        return 1
    except JaegerUnreachable as error:
        print(f"error: no trace from Jaeger's query API ({error}); is the stack up (`make up`)?", file=sys.stderr)
        return 1
    if trace is None:
        print(
            f"error: Jaeger at {jaeger_url} holds no span of trace {trace_id} (submission {submission_id}). It keeps"
            " traces in memory: a trace from before its last start is gone, and spans arrive a few seconds after"
            " each step.",
            file=sys.stderr,
        )
        return 1
    print(render(waterfall(trace), shutil.get_terminal_size((120, 24)).columns))
    return 0


async def stored_trace_id(mongo_uri: str, submission_id: str) -> str:
    try:
        key = str(UUID(submission_id))
    except ValueError:
        raise CannotFindTrace(f"{submission_id!r} is not a submission id (a UUID)") from None
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri, serverSelectionTimeoutMS=STORE_TIMEOUT_MS)
    try:
        record = await client[SERVICES["intake"].database]["submissions"].find_one({"_id": key}, {"trace_id": 1})
    except PyMongoError as error:
        raise CannotFindTrace(f"intake's store is not reachable ({type(error).__name__}); is the stack up?") from error
    finally:
        await client.close()
    if record is None:
        raise CannotFindTrace(f"intake holds no submission {key}")
    if not record.get("trace_id"):
        # Today the citizen page files applications without its request's trace (web/apply.py): their events
        # start traces of their own, which nothing on the record names.
        raise CannotFindTrace(f"submission {key} has no trace id on its record (filed through the citizen page?)")
    return str(record["trace_id"])
