"""The knobs of a fault run, with the defaults of `make chaos` (a few minutes)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ChaosOptions:
    rate: float = 10.0  # applications per second
    warmup_seconds: float = 15.0  # the stream alone, before the first fault
    pause_seconds: float = 20.0  # after the stream flows again, before the next fault
    # Posted at once right before each fault, so that it strikes while the pipeline is working them off.
    burst: int = 30
    store_down_seconds: float = 10.0
    flow_timeout_seconds: float = 120.0  # how long to wait for the stream to flow again after a fault
    stall_seconds: float = 120.0  # give up waiting for the pipeline after this long without progress
