"""The store patterns the services use, proved against the local store: FerretDB 1.24 over PostgreSQL (or the
MongoDB that MONGODB_URI names). Where FerretDB differs from MongoDB, the comment says what was observed."""

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import ASCENDING, DESCENDING, AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import AutoReconnect, BulkWriteError, DuplicateKeyError, OperationFailure

from civicflow.local.health import postgres_tool
from civicflow.local.layout import STORE_OPERATOR, Layout, Ports
from civicflow.local.stack import Component, Stack, document_store
from tests.support.ports import free_ports
from tests.support.store import remove_postgres_data

pytestmark = pytest.mark.integration

Database = AsyncDatabase[dict[str, Any]]


async def is_ferretdb(database: Database) -> bool:
    return "ferretdbVersion" in await database.client.admin.command("buildInfo")


@pytest.mark.parametrize(
    ("existing", "batch"),
    [
        pytest.param(range(0, 10, 3), range(10), id="some-duplicates"),
        pytest.param(range(0), range(10), id="all-new"),
        pytest.param(range(10), range(10), id="all-duplicates"),
        pytest.param(range(0, 100, 7), range(100), id="100-documents"),
        pytest.param(range(0, 500, 7), range(500), id="500-documents"),
    ],
)
async def test_an_unordered_batch_stores_the_new_and_names_each_duplicate_by_its_index(
    database: Database, existing: range, batch: range
) -> None:
    events = database["events"]
    if existing:
        await events.insert_many([{"_id": f"event-{i}", "seen": "before"} for i in existing])
    duplicates = [index for index, i in enumerate(batch) if i in existing]

    # FerretDB's write errors carry index, code and errmsg ("E11000 duplicate key error collection: <db>.<coll>"),
    # but not MongoDB's keyPattern/keyValue, and the errmsg names no key: a consumer finds the duplicate by index.
    documents = [{"_id": f"event-{i}", "seen": "now"} for i in batch]
    if duplicates:
        with pytest.raises(BulkWriteError) as raised:
            await events.insert_many(documents, ordered=False)
        errors = raised.value.details["writeErrors"]
        assert [error["index"] for error in errors] == duplicates
        assert {error["code"] for error in errors} == {11000}
        assert raised.value.details["nInserted"] == len(batch) - len(duplicates)
    else:
        assert len((await events.insert_many(documents, ordered=False)).inserted_ids) == len(batch)

    assert await events.count_documents({"seen": "now"}) == len(batch) - len(duplicates)
    assert await events.count_documents({"seen": "before"}) == len(existing)


async def test_a_second_insert_of_an_id_is_a_duplicate_key_error(database: Database) -> None:
    await database["items"].insert_one({"_id": "only-once"})
    with pytest.raises(DuplicateKeyError) as raised:
        await database["items"].insert_one({"_id": "only-once", "other": True})
    assert raised.value.code == 11000
    assert await database["items"].find_one({"_id": "only-once"}) == {"_id": "only-once"}


@pytest.mark.parametrize("count", [1, 200])
async def test_ids_are_looked_up_together_and_only_the_ids_returned(database: Database, count: int) -> None:
    items = database["items"]
    await items.insert_many([{"_id": f"item-{i}", "payload": "x" * 200} for i in range(1000)])
    wanted = [f"item-{i}" for i in range(0, 5 * count, 5)]
    # FerretDB does not push $in down to PostgreSQL (explain: filterPushdown false): it reads every document
    # of the collection and filters itself, so this costs as much as the collection is large.
    found = await items.find({"_id": {"$in": [*wanted, "item-missing"]}}, projection={"_id": 1}).to_list()
    assert sorted(document["_id"] for document in found) == sorted(wanted)
    assert all(document.keys() == {"_id"} for document in found)


async def test_many_ids_are_set_and_unset_together(database: Database) -> None:
    items = database["items"]
    await items.insert_many([{"_id": i, "status": "received"} for i in range(400)])
    ids = list(range(0, 400, 2))

    claimed = await items.update_many({"_id": {"$in": ids}}, {"$set": {"status": "verified", "lease": "worker-1"}})
    assert (claimed.matched_count, claimed.modified_count) == (200, 200)
    assert await items.count_documents({"status": "verified", "lease": "worker-1"}) == 200
    assert await items.count_documents({"status": "received", "lease": {"$exists": False}}) == 200

    released = await items.update_many({"_id": {"$in": ids}}, {"$unset": {"lease": ""}})
    assert (released.matched_count, released.modified_count) == (200, 200)
    assert await items.count_documents({"lease": {"$exists": True}}) == 0
    # As on MongoDB, an update that changes nothing matches but does not modify.
    again = await items.update_many({"_id": {"$in": ids}}, {"$unset": {"lease": ""}})
    assert (again.matched_count, again.modified_count) == (200, 0)


async def agencies_inbox(database: Database, count: int = 200) -> None:
    received = datetime(2026, 11, 27, 9, tzinfo=UTC)
    inbox = database["inbox"]
    await inbox.insert_many(
        [{"_id": i, "agency": f"agency-{i % 4}", "received_at": received + timedelta(minutes=i)} for i in range(count)]
    )
    assert await inbox.create_index("agency") == "agency_1"
    assert await inbox.create_index([("agency", ASCENDING), ("received_at", DESCENDING)]) == "agency_1_received_at_-1"


async def test_an_indexed_field_is_filtered_sorted_and_limited(database: Database) -> None:
    await agencies_inbox(database)
    inbox = database["inbox"]
    newest = await inbox.find({"agency": "agency-1"}).sort("received_at", DESCENDING).limit(3).to_list()
    assert [document["_id"] for document in newest] == [197, 193, 189]
    assert set(await inbox.index_information()) == {"_id_", "agency_1", "agency_1_received_at_-1"}


async def test_explain_shows_which_filters_an_index_answers(database: Database) -> None:
    if not await is_ferretdb(database):
        pytest.skip("what FerretDB hands to PostgreSQL")
    await agencies_inbox(database, count=2000)  # enough rows for PostgreSQL to prefer an index to a scan

    async def explain(find: dict[str, Any]) -> dict[str, Any]:
        return await database.command("explain", {"find": "inbox", **find}, verbosity="queryPlanner")

    # FerretDB 1.24 pushes only equality down, as `_jsonb->'agency' @> '"agency-1"'`, which its own btree index
    # on `_jsonb->'agency'` cannot answer (without more, PostgreSQL scans the whole table, for _id too). The GIN
    # index that deploy/local/postgres/ferretdb.sql adds beside it does. Sort and limit stay with FerretDB.
    for find in ({"filter": {"agency": "agency-1"}, "sort": {"received_at": -1}, "limit": 3}, {"filter": {"_id": 7}}):
        plan = await explain(find)
        assert (plan["filterPushdown"], plan["sortPushdown"], plan["limitPushdown"]) == (True, False, False)
        assert plan["queryPlanner"]["Plan"]["Node Type"] == "Bitmap Heap Scan"
        assert plan["queryPlanner"]["Plan"]["Plans"][0]["Index Name"].endswith("_gin")
    # $in and ranges are not pushed down at all: FerretDB reads the whole collection and filters it itself.
    for filter_ in ({"_id": {"$in": [1, 2]}}, {"received_at": {"$lt": datetime.now(UTC)}}):
        plan = await explain({"filter": filter_})
        assert (plan["filterPushdown"], plan["queryPlanner"]["Plan"]["Node Type"]) == (False, "Seq Scan")


async def test_expired_bookkeeping_is_swept_by_date(database: Database) -> None:
    # FerretDB has no TTL index; a sweep deletes what has expired. ($lt is not pushed down: a full scan.)
    ledger = database["ledger"]
    await ledger.create_index("expires_at")
    now = datetime.now(UTC)
    await ledger.insert_many([{"_id": i, "expires_at": now + timedelta(minutes=i - 30)} for i in range(60)])
    swept = await ledger.delete_many({"expires_at": {"$lt": now}})
    assert swept.deleted_count == 30
    assert await ledger.count_documents({}) == 30
    assert await ledger.count_documents({"expires_at": {"$lt": now}}) == 0


async def test_fifty_concurrent_writers_do_not_wedge_the_store(database: Database) -> None:
    # FerretDB 1.24 holds one PostgreSQL connection for an update's query while the write takes a second; with
    # as many concurrent updates as pool connections it stopped answering for good (pool_max_conns 4 with 15
    # writers; 20 with 50). deploy/local/ferretdb/run.sh sizes the pool for this.
    items = database["items"]
    await items.insert_many([{"_id": i, "writes": 0} for i in range(50)])

    async def writer(i: int) -> None:
        for _ in range(5):
            await items.update_one({"_id": i}, {"$inc": {"writes": 1}})

    await asyncio.wait_for(asyncio.gather(*(writer(i) for i in range(50))), 60)
    assert await items.count_documents({"writes": 5}) == 50


@dataclass(frozen=True)
class OwnStore:
    layout: Layout
    postgres: Component
    ferretdb: Component

    async def stop(self, part: Component) -> None:
        await asyncio.to_thread(Stack(self.layout, say=lambda _: None, parts=[part]).down)

    async def start(self, part: Component) -> None:
        await Stack(self.layout, say=lambda _: None, parts=[part]).up()


@pytest.fixture(scope="module")
def own_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OwnStore]:
    """A PostgreSQL + FerretDB pair of these tests' own, to stop and start without disturbing the stack."""
    postgres_port, mongo_port = free_ports(2)
    layout = Layout.from_environment(
        ports=Ports(postgres=postgres_port, mongo=mongo_port), var_dir=tmp_path_factory.mktemp("store")
    )
    if layout.external_mongo is not None:
        pytest.skip("MONGODB_URI names the store: no FerretDB or PostgreSQL is started")
    postgres, ferretdb = document_store(layout)
    whole = Stack(layout, say=lambda _: None, parts=[postgres, ferretdb])
    try:
        asyncio.run(whole.up())
        yield OwnStore(layout, postgres, ferretdb)
    finally:
        whole.down()
        remove_postgres_data(layout)


async def psql(layout: Layout, sql: str) -> str:
    tool = postgres_tool("psql")
    assert tool is not None
    run = await asyncio.create_subprocess_exec(
        tool, *psql_connection(layout), "--tuples-only", "--no-align", "--command", sql, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await run.communicate()
    return out.decode().strip()


def psql_connection(layout: Layout) -> list[str]:
    """As the store's operator, with its password (every TCP connection proves one)."""
    password = layout.secrets.store_password(STORE_OPERATOR)
    return ["--no-psqlrc", f"postgresql://{STORE_OPERATOR}:{password}@127.0.0.1:{layout.ports.postgres}/ferretdb"]


async def until(condition: Callable[[], Awaitable[bool]], timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.1)


async def test_an_operation_in_flight_when_ferretdb_stops_fails_and_the_client_works_after_its_restart(
    own_store: OwnStore,
) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        own_store.layout.mongo_uri, serverSelectionTimeoutMS=2000
    )
    items = client["restarts"]["items"]
    await items.insert_many([{"_id": i} for i in range(10)])
    # Hold a lock on the collection's table so that an update is certainly in flight (waiting in PostgreSQL).
    tool = postgres_tool("psql")
    assert tool is not None
    holder = await asyncio.create_subprocess_exec(
        tool,
        *psql_connection(own_store.layout),
        "--quiet",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.write(
        b"BEGIN;\nSELECT format('LOCK TABLE %I.%I', schemaname, tablename) FROM pg_tables"
        b" WHERE schemaname = 'restarts' AND tablename <> '_ferretdb_database_metadata' \\gexec\n\\echo locked\n"
    )
    await holder.stdin.drain()
    while (await asyncio.wait_for(holder.stdout.readline(), 15)) != b"locked\n":
        pass

    async def update_waits() -> bool:
        query = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'FerretDB' AND wait_event_type = 'Lock'"
        return await psql(own_store.layout, query) == "1"

    in_flight = asyncio.create_task(items.update_many({"_id": {"$in": [1, 2]}}, {"$set": {"seen": True}}))
    await until(update_waits)
    await own_store.stop(own_store.ferretdb)
    # The connection closes under the operation: AutoReconnect, a ConnectionFailure, as with MongoDB.
    with pytest.raises(AutoReconnect, match="connection closed"):
        await in_flight
    holder.stdin.close()
    await holder.wait()
    # While FerretDB is down: ServerSelectionTimeoutError, also an AutoReconnect.
    with pytest.raises(AutoReconnect):
        await items.find_one({"_id": 1})

    await own_store.start(own_store.ferretdb)
    assert (await items.update_many({"_id": {"$in": [1, 2]}}, {"$set": {"seen": True}})).modified_count == 2
    await client.close()


async def test_postgres_stopping_under_ferretdb_is_an_internal_error_until_it_is_back(own_store: OwnStore) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(own_store.layout.mongo_uri)
    items = client["outage"]["items"]
    await items.insert_one({"_id": 1})
    await own_store.stop(own_store.postgres)
    # Unlike MongoDB, whose outage is a ConnectionFailure, FerretDB still answers: each operation fails with
    # OperationFailure code 1, InternalError, naming PostgreSQL's error (first the sessions PostgreSQL ended,
    # SQLSTATE 57P01, then refused connections). The services must read this as "store unavailable".
    operations: list[Callable[[], Awaitable[object]]] = [
        lambda: items.find_one({"_id": 1}),
        lambda: items.insert_one({"_id": 2}),
        lambda: client.admin.command("ping"),
    ]
    for operation in operations:
        with pytest.raises(OperationFailure) as failed:
            await operation()
        assert (failed.value.code, (failed.value.details or {}).get("codeName")) == (1, "InternalError")
        assert re.search(r"SQLSTATE 57P01|failed to connect", str(failed.value))

    await own_store.start(own_store.postgres)
    await items.insert_one({"_id": 2})
    assert await items.count_documents({}) == 2
    await client.close()


async def test_after_a_ferretdb_restart_every_service_still_writes_its_own_database(own_store: OwnStore) -> None:
    """FerretDB reads its catalogue of databases with the first client's credentials after a start; a database that
    client could not see would then be taken for missing and fail every write of its owner (postgres/roles.sql)."""
    layout = own_store.layout
    first, second = "civicflow_notify", "civicflow_intake"
    for database in (first, second):
        await write_as(layout, database)
    await own_store.stop(own_store.ferretdb)
    await own_store.start(own_store.ferretdb)
    for database in (first, second):  # notify comes first after the restart, intake second
        await write_as(layout, database)


async def write_as(layout: Layout, role: str) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(layout.store_uri(role), serverSelectionTimeoutMS=5000)
    try:
        await client[role]["restart_probe"].insert_one({})
    finally:
        await client.close()
