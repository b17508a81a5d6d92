"""The HTTP shell every service runs in: health endpoints, metrics, broker and database lifecycle, tracing."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from aiokafka.errors import KafkaError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from faststream.kafka import KafkaBroker
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder
from pymongo import AsyncMongoClient
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from civicflow.shared.messaging.failures import describe
from civicflow.shared.metrics import ConsumerLag, RequestMetrics, request_duration
from civicflow.shared.mongo import Document, store_up
from civicflow.shared.telemetry import flush_tracing

logger = logging.getLogger(__name__)

Hook = Callable[[], Awaitable[None]]
MAX_RECONNECT_DELAY_SECONDS = 15.0
PAUSE_AFTER_TASK_FAILURE_SECONDS = 5.0
# For an API that serves JSON only (OWASP Secure Headers Project): nothing it answers may be framed, sniffed into
# another type, run as a page's script or style, or leak where it was linked from.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def make_service_app(
    *,
    title: str,
    broker: KafkaBroker,
    mongo: AsyncMongoClient[Document],
    tracer_provider: TracerProvider,
    metrics: CollectorRegistry,
    background: Sequence[Hook] = (),
    before_consuming: Hook | None = None,
    on_shutdown: Hook | None = None,
    middleware: Sequence[Middleware] = (),
) -> FastAPI:
    """`background`: jobs that run for the service's lifetime once Kafka can be published to (an outbox relay, a
    sweep), not waiting for the subscribers to join their groups; one that fails is logged and started again.
    `before_consuming`: awaited after that and before the subscribers start (e.g. until reference data a background
    job reads has arrived); meanwhile /health/ready answers 503.
    `metrics`: the app's own registry (civicflow.shared.metrics), served at /metrics with the requests' durations and
    the consumer lag added here; like the health endpoints, /metrics is neither rate-limited nor traced.
    `middleware`: the service's own, inside the security headers (so its answers carry them too)."""
    connected, can_publish = asyncio.Event(), asyncio.Event()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        starting = _start_when_reachable(broker, title, can_publish, connected, before_consuming)
        tasks = [asyncio.create_task(starting)]
        tasks += [asyncio.create_task(_keep_running(job, title, once=can_publish)) for job in background]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await broker.stop()
            if on_shutdown is not None:
                await on_shutdown()
            await mongo.close()
            flush_tracing()

    # No interactive docs: FastAPI's load their scripts from a CDN. The OpenAPI document stays at /openapi.json.
    app = FastAPI(
        title=title,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(RequestMetrics, duration=request_duration(metrics)),
            *middleware,
        ],
    )
    lag = ConsumerLag(broker, metrics)

    @app.get("/health/live", include_in_schema=False)
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/health/ready", include_in_schema=False)
    async def ready() -> JSONResponse:
        kafka_up = connected.is_set() and await broker.ping(timeout=2.0)
        checks: dict[str, Any] = {"kafka": kafka_up, "mongodb": await store_up(mongo)}
        status = 200 if all(checks.values()) else 503
        return JSONResponse({"status": "ok" if status == 200 else "unavailable", "checks": checks}, status)

    @app.get("/metrics", include_in_schema=False)
    async def exposition(request: Request) -> Response:
        await lag.measure()
        # The format the scraper asks for: OpenMetrics for Prometheus, else the classic text format.
        encode, content_type = choose_encoder(request.headers.get("accept", ""))
        return Response(encode(metrics), media_type=content_type)

    # One span per request: without exclude_spans the ASGI instrumentation adds a span for every receive and send
    # of the body (three more per POST, a tenth of all spans exported), which say nothing the request's does not.
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=tracer_provider, excluded_urls="health,metrics", exclude_spans=["receive", "send"]
    )
    return app


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every answer that does not set its own (a plain ASGI middleware: Starlette's
    BaseHTTPMiddleware costs a task and a stream per request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers.append(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _start_when_reachable(
    broker: KafkaBroker,
    title: str,
    can_publish: asyncio.Event,
    connected: asyncio.Event,
    before_consuming: Hook | None = None,
) -> None:
    """Keep trying to connect instead of exiting: Kafka may come up after the service (Kubernetes starts pods
    in any order). Meanwhile /health/ready answers 503 and intake answers 503 to submissions."""
    delay = 1.0
    while True:
        try:
            await broker.connect()  # the producer
            can_publish.set()
            if before_consuming is not None:
                await before_consuming()
            await broker.start()  # the subscribers
        except (KafkaError, OSError) as error:
            await broker.stop()  # release the half-opened clients before the next attempt
            logger.warning("%s: Kafka not reachable (%s); retrying in %.0f s", title, error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RECONNECT_DELAY_SECONDS)
        else:
            connected.set()
            logger.info("%s started", title)
            return


async def _keep_running(job: Hook, title: str, once: asyncio.Event) -> None:
    await once.wait()
    while True:
        try:
            await job()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - a background job is started again, whatever stopped it
            logger.error("%s: a background job failed (%s); starting it again", title, describe(error))
        await asyncio.sleep(PAUSE_AFTER_TASK_FAILURE_SECONDS)


def serve(app: FastAPI, host: str, port: int) -> None:
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)
