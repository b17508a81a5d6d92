"""The fault run's clock: seconds since the run began, and lines stamped with the wall time and those seconds."""

import time
from collections.abc import Callable
from datetime import datetime


class Clock:
    def __init__(self, say: Callable[[str], None] = print) -> None:
        self._say = say
        self.restart()

    def restart(self) -> None:
        """Count from now: the run begins."""
        self._began_monotonic, self._began_wall = time.monotonic(), time.time()

    def now(self) -> float:
        """Seconds since the run began."""
        return time.monotonic() - self._began_monotonic

    def stamp(self, at: float | None = None) -> str:
        at = self.now() if at is None else at
        wall = datetime.fromtimestamp(self._began_wall + at).strftime("%H:%M:%S.%f")[:-5]
        return f"{wall} +{at:6.1f} s"

    def say(self, line: str) -> None:
        self._say(f"[{self.stamp()}] {line}")
