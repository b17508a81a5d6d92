"""Is a component up? Each check answers within a few seconds and never raises."""

import asyncio
import contextlib
import logging
from pathlib import Path

import httpx
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from civicflow.shared.kafka import client_options
from civicflow.shared.settings import KafkaSettings

CHECK_TIMEOUT_SECONDS = 3.0
# Debian's PostgreSQL packages, one bin/ per major version; postgres/install.sh uses the highest one as well.
POSTGRES_VERSIONS = Path("/usr/lib/postgresql")


async def kafka_up(kafka: KafkaSettings) -> bool:
    # Refused connections are the expected answer while the broker starts; aiokafka logs each as an error.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    admin = AIOKafkaAdminClient(**client_options(kafka), request_timeout_ms=3000)
    try:
        await asyncio.wait_for(admin.start(), CHECK_TIMEOUT_SECONDS)
        await asyncio.wait_for(admin.list_topics(), CHECK_TIMEOUT_SECONDS)
    except Exception:  # noqa: BLE001 - not reachable yet, or not a broker
        return False
    finally:
        with contextlib.suppress(Exception):
            await admin.close()
    return True


async def mongo_up(uri: str) -> bool:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(uri, serverSelectionTimeoutMS=1500)
    try:
        await client.admin.command("ping")
    except Exception:  # noqa: BLE001 - not reachable yet
        return False
    finally:
        await client.close()
    return True


def postgres_tool(name: str) -> Path | None:
    """A program from the newest PostgreSQL installed, where postgres/install.sh finds the server too."""
    tools = sorted(POSTGRES_VERSIONS.glob(f"[0-9]*/bin/{name}"), key=lambda tool: int(tool.parts[-3]))
    return tools[-1] if tools else None


async def postgres_up(port: int) -> bool:
    """pg_isready: the server accepts connections (not only the port, which is open during start-up too)."""
    pg_isready = postgres_tool("pg_isready")
    if pg_isready is None:
        return False  # not installed yet
    check = await asyncio.create_subprocess_exec(
        pg_isready,
        "--quiet",
        "--host=127.0.0.1",
        f"--port={port}",
        "--username=postgres",  # a role that exists, or the server logs a failed login for each check
        "--dbname=postgres",
        f"--timeout={CHECK_TIMEOUT_SECONDS:.0f}",
    )
    return await check.wait() == 0


async def smtp_up(host: str, port: int) -> bool:
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), CHECK_TIMEOUT_SECONDS)
    except (OSError, TimeoutError):
        return False
    try:
        banner = await asyncio.wait_for(reader.readline(), CHECK_TIMEOUT_SECONDS)
        writer.write(b"QUIT\r\n")
        await writer.drain()
    except (OSError, TimeoutError):
        return False
    finally:
        writer.close()
    return banner.startswith(b"220")


async def http_ok(url: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=CHECK_TIMEOUT_SECONDS) as client:
            response = await client.get(url)
    except httpx.HTTPError:
        return False
    return response.status_code == 200
