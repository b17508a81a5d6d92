"""Is a component up? Each check answers within a few seconds and never raises."""

import asyncio
import contextlib
import logging

import httpx
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

CHECK_TIMEOUT_SECONDS = 3.0


async def kafka_up(bootstrap_servers: str) -> bool:
    # Refused connections are the expected answer while the broker starts; aiokafka logs each as an error.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=3000)
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
