"""Durations as counts in fixed buckets, and their percentiles (FerretDB has no $percentile; MongoDB's is
approximate).

A day document holds, per kind of duration, how many fell into each bucket ("le_3600": at most an hour and more
than the bound before), so that its size does not grow with the day's volume, and adding days up is adding
counts. The bounds follow the clock of an application: minutes while it is routed, hours and days until it is
decided, the last finite one the year after which an open application's record is forgotten
(adapters.mongo_applications.OPEN_DAYS), so a later decision finds no record and is never measured.

A percentile is nearest-rank over the buckets: the upper bound of the bucket that holds the value of that rank
("p50 ≤ 2 h"). It is the exact value whenever the durations lie on the bounds (the tests' known stream), and never
more than one bucket off otherwise. A rank in the last, open bucket has no bound: None, as when nothing was
measured."""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

MINUTE, HOUR, DAY = 60, 3600, 86400
BOUNDS: Final = (
    *(minutes * MINUTE for minutes in (1, 5, 15, 30)),
    *(hours * HOUR for hours in (1, 2, 4, 8)),
    *(days * DAY for days in (1, 2, 3, 5, 7, 14, 21, 30, 60, 90, 180, 365)),
)
OVERFLOW: Final = "le_inf"


def bucket_of(seconds: float) -> str:
    """The bucket a duration counts in: the smallest bound it does not exceed."""
    for bound in BOUNDS:
        if seconds <= bound:
            return _key(bound)
    return OVERFLOW


def nearest_rank(counts: Mapping[str, int], percent: float) -> float | None:
    """The upper bound, in seconds, of the bucket that holds the nearest-rank percentile."""
    total = sum(counts.values())
    if not total:
        return None
    rank = max(1, math.ceil(percent / 100 * total))
    below = 0
    for bound in BOUNDS:
        below += counts.get(_key(bound), 0)
        if below >= rank:
            return float(bound)
    return None


def more_than(counts: Mapping[str, int], seconds: float) -> int:
    """How many took longer than `seconds`: exact when `seconds` is one of the bounds (as 1, 2, 3, 5, 7, 14, 21,
    30, 60 and 90 days are), else those surely longer (their bucket starts at or above it)."""
    buckets = zip((0, *BOUNDS), (*map(_key, BOUNDS), OVERFLOW), strict=True)
    return sum(counts.get(key, 0) for start, key in buckets if start >= seconds)


@dataclass(frozen=True)
class Spread:
    count: int
    # At most this long: the upper bound of the bucket holding the median and the 90th percentile.
    p50_seconds: float | None
    p90_seconds: float | None
    over_target: int


def spread(counts: Mapping[str, int], target_seconds: float) -> Spread:
    return Spread(
        count=sum(counts.values()),
        p50_seconds=nearest_rank(counts, 50),
        p90_seconds=nearest_rank(counts, 90),
        over_target=more_than(counts, target_seconds),
    )


def _key(bound: int) -> str:
    # Not the bare number: a numeric path component ("durations.to_route.3600") may be read as an array index.
    return f"le_{bound}"
