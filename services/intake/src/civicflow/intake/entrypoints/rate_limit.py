"""Per-client rate limiting of submissions: a token bucket per client address, in this process (each intake
replica keeps its own; a gateway in front may keep a global one). Applied by limits.RequestLimits."""

import time
from collections import OrderedDict
from collections.abc import Callable

# Addresses remembered at once; the least recently seen are forgotten first (and start again with a full bucket).
MAX_CLIENTS = 10_000


class TokenBuckets:
    def __init__(self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate, self._burst, self._clock = per_minute / 60.0, burst, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, client: str) -> float:
        """0 when the client may go on (a token is taken), else the seconds until it may."""
        now = self._clock()
        tokens, last = self._buckets.pop(client, (float(self._burst), now))
        tokens = min(float(self._burst), tokens + (now - last) * self._rate)
        wait = 0.0 if tokens >= 1 else (1 - tokens) / self._rate
        self._buckets[client] = (tokens - 1 if wait == 0 else tokens, now)
        if len(self._buckets) > MAX_CLIENTS:
            self._buckets.popitem(last=False)
        return wait
