"""The steady stream: one application every 1/rate seconds, whatever happens to intake, each with an identity
token signed just before it is sent, and now and then a burst besides. Every 202 is kept (submission id,
status token); every other answer, and every request that got none, is counted as not accepted by its reason,
and the stream goes on."""

import asyncio
import contextlib
import time
from dataclasses import dataclass

import httpx

from civicflow.local.chaos.clock import Clock
from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import application

# Longer than intake's own wait for the store (5 s server selection), so a 503 is read rather than cut off.
POST_TIMEOUT_SECONDS = 30.0
MAX_CONNECTIONS = 100


@dataclass(frozen=True)
class Accepted:
    submission_id: str
    status_token: str
    at: float  # when the 202 was read, in run seconds


@dataclass(frozen=True)
class Refused:
    reason: str  # `HTTP 503`, or the client's error when there was no answer, e.g. `ConnectError`
    at: float


class Stream:
    def __init__(self, layout: Layout, rate: float, clock: Clock) -> None:
        self.layout, self.rate, self.clock = layout, rate, clock
        self.posted = 0
        self.accepted: list[Accepted] = []  # in the order the answers were read
        self.refused: list[Refused] = []
        self._stopped, self._running = asyncio.Event(), asyncio.Event()
        self._client: httpx.AsyncClient | None = None
        self._key: SigningKey | None = None
        self._in_flight: set[asyncio.Task[None]] = set()

    def stop(self) -> None:
        self._stopped.set()

    def accepted_since(self, at: float) -> list[Accepted]:
        since = []
        for item in reversed(self.accepted):
            if item.at < at:
                break
            since.append(item)
        return since

    async def run(self) -> None:
        """Post until `stop()`, then wait for the answers still outstanding."""
        self._key = SigningKey.load_or_create(self.layout.idp_state_dir)
        # Idle connections are dropped before the server's 5 s keep-alive ends, so no request races a closing socket.
        limits = httpx.Limits(max_connections=MAX_CONNECTIONS, keepalive_expiry=2.0)
        async with httpx.AsyncClient(
            base_url=self.layout.intake_url, timeout=POST_TIMEOUT_SECONDS, limits=limits
        ) as self._client:
            self._running.set()
            began, steady = time.monotonic(), 0
            while not self._stopped.is_set():
                due = began + steady / self.rate
                with contextlib.suppress(TimeoutError):  # due: post the next one
                    await asyncio.wait_for(self._stopped.wait(), timeout=max(0.0, due - time.monotonic()))
                if not self._stopped.is_set():
                    self._send()
                    steady += 1
            await asyncio.gather(*self._in_flight)

    async def burst(self, count: int) -> None:
        """`count` applications at once, besides the steady ones; returns when every one of them is answered."""
        await self._running.wait()
        await asyncio.gather(*(self._send() for _ in range(count)))

    def _send(self) -> asyncio.Task[None]:
        assert self._client is not None and self._key is not None
        post = asyncio.create_task(self._post(self._client, application(self._key, self.layout.idp_issuer)))
        self._in_flight.add(post)
        post.add_done_callback(self._in_flight.discard)
        self.posted += 1
        return post

    async def _post(self, client: httpx.AsyncClient, body: dict[str, object]) -> None:
        try:
            response = await client.post("/v1/submissions", json=body)
        except httpx.HTTPError as error:
            self.refused.append(Refused(type(error).__name__, self.clock.now()))
            return
        if response.status_code != 202:
            self.refused.append(Refused(f"HTTP {response.status_code}", self.clock.now()))
            return
        answer = response.json()
        self.accepted.append(Accepted(answer["submission_id"], answer["status_token"], self.clock.now()))
