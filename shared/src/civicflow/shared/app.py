"""The HTTP shell every service runs in: health endpoints, broker and database lifecycle, tracing."""

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from pymongo import AsyncMongoClient

from civicflow.shared.mongo import Document
from civicflow.shared.telemetry import flush_tracing

logger = logging.getLogger(__name__)

Hook = Callable[[], Awaitable[None]]


def make_service_app(
    *,
    title: str,
    broker: KafkaBroker,
    mongo: AsyncMongoClient[Document],
    tracer_provider: TracerProvider,
    on_shutdown: Hook | None = None,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await broker.start()
        logger.info("%s started", title)
        try:
            yield
        finally:
            await broker.stop()
            if on_shutdown is not None:
                await on_shutdown()
            await mongo.close()
            flush_tracing()

    app = FastAPI(title=title, lifespan=lifespan)

    @app.get("/health/live", include_in_schema=False)
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/health/ready", include_in_schema=False)
    async def ready() -> JSONResponse:
        checks: dict[str, Any] = {"kafka": await broker.ping(timeout=2.0), "mongodb": await _mongo_up(mongo)}
        status = 200 if all(checks.values()) else 503
        return JSONResponse({"status": "ok" if status == 200 else "unavailable", "checks": checks}, status)

    FastAPIInstrumentor.instrument_app(app, tracer_provider=tracer_provider, excluded_urls="health")
    return app


async def _mongo_up(mongo: AsyncMongoClient[Document]) -> bool:
    try:
        await mongo.admin.command("ping")
    except Exception:  # any failure means "not ready"; the probe reports it, it does not raise
        return False
    return True


def serve(app: FastAPI, host: str, port: int) -> None:
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)
