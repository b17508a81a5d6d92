"""The listener's memory under --state: what was already handed over, and the records set aside.

A message handed over is remembered by Application.handled_id: the submission id for an application (the column
keeps its name, so that a state directory from before answers existed stays valid), `<submission id>.information.
<event id>` for the citizen's answer to a request for information.

SQLite from the standard library: one file, transactions that survive a crash (journal in WAL mode, synchronous
FULL, so a recorded id is on disk before the offset is committed), nothing to run beside the listener."""

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from civicflow_agency.records import Record

DATABASE: Final = "inbox.sqlite3"

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS handled (
    submission_id TEXT PRIMARY KEY,
    handled_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS undecryptable (
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    "offset" INTEGER NOT NULL,
    submission_id TEXT,
    reason TEXT NOT NULL,
    value BLOB,
    set_aside_at REAL NOT NULL,
    PRIMARY KEY (topic, partition, "offset")
);
"""


@dataclass(frozen=True)
class SetAside:
    """A record the listener could not open: where it was, why, and its value as it came (still encrypted)."""

    topic: str
    partition: int
    offset: int
    submission_id: str | None
    reason: str
    value: bytes | None


class InboxState:
    def __init__(self, directory: Path) -> None:
        # Owner only: the ids and the set-aside records are the agency's business (the values stay encrypted).
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._db = sqlite3.connect(directory / DATABASE, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def handled(self, handled_id: str) -> bool:
        found = self._db.execute("SELECT 1 FROM handled WHERE submission_id = ?", (handled_id,)).fetchone()
        return found is not None

    def mark_handled(self, handled_id: str) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO handled (submission_id, handled_at) VALUES (?, ?)", (handled_id, time.time())
        )

    def set_aside(self, record: Record, submission_id: str | None, reason: str) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO undecryptable VALUES (?, ?, ?, ?, ?, ?, ?)",
            (record.topic, record.partition, record.offset, submission_id, reason, record.value, time.time()),
        )

    def undecryptable(self) -> list[SetAside]:
        rows = self._db.execute(
            'SELECT topic, partition, "offset", submission_id, reason, value FROM undecryptable'
            ' ORDER BY set_aside_at, topic, partition, "offset"'
        )
        return [SetAside(*row) for row in rows]

    def close(self) -> None:
        self._db.close()
