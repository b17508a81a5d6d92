"""The CSV export: one row per day and metric (RFC 4180), for a spreadsheet. Agencies of a day are added up (the
agency filter has chosen them already); a day's durations give their count and p50/p90 of that day, each the
upper bound of its histogram bucket (domain.percentiles)."""

import csv
import io
from collections.abc import Iterator

from civicflow.insights.domain.measures import Duration
from civicflow.insights.domain.percentiles import nearest_rank
from civicflow.insights.domain.totals import DayTotals, Sum, by_day, in_scope

HEADER = ("day", "metric", "value")


def csv_text(days: list[DayTotals], agency_id: str | None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for day, total in by_day(in_scope(days, agency_id)).items():
        writer.writerows((day.isoformat(), metric, value) for metric, value in rows(total))
    return out.getvalue()


def rows(total: Sum) -> Iterator[tuple[str, int | float]]:
    for prefix, counts in (
        ("funnel", total.funnel),
        ("outcome", total.outcomes),
        ("rejection", total.rejections),
        ("error_field", total.error_fields),
        ("rating", total.scores),
    ):
        for name, count in sorted(counts.items()):
            yield f"{prefix}.{name}", count
    for kind in Duration:
        counts = total.durations[kind]
        if counts:
            yield f"duration.{kind}.count", sum(counts.values())
            for percent in (50, 90):
                found = nearest_rank(counts, percent)
                if found is not None:  # None: in the open last bucket
                    yield f"duration.{kind}.p{percent}_seconds", found
