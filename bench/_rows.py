"""What every bench row is: a measurement, the floor it is compared with, the ratio, the target
and whether it was met — as text for the table and as numbers for `--json` (SPEC "Benchmark")."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Row:
    key: str
    what: str
    target: str = ""
    measured: str = ""  # as the table shows it
    floor: str = ""
    ratio: str = ""
    note: str = ""
    value: float | None = None  # seconds (or bytes), for --json
    floor_value: float | None = None
    ratio_value: float | None = None
    met: bool | None = None  # None: not measured (missing tool, skipped, failed)

    @property
    def verdict(self) -> str:
        return {True: "met", False: "MISSED", None: ""}[self.met]

    def to_json(self) -> dict[str, Any]:
        return {
            "row": self.key,
            "what": self.what,
            "measured": self.value,
            "floor": self.floor_value,
            "ratio": None if self.ratio_value is None else round(self.ratio_value, 3),
            "target": self.target,
            "met": self.met,
            "note": self.note or self.measured,
        }


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def fmt_mb(size: float) -> str:
    return f"{size / 2**20:.0f} MB"


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def timed(row: Row, measured: float, floor: float, floor_text: str, limit: float) -> Row:
    """Fill a row whose target is `measured ≤ limit × floor` (times in seconds)."""
    row.value, row.floor_value = round(measured, 4), round(floor, 4)
    row.ratio_value = measured / floor
    row.measured, row.floor = fmt_s(measured), f"{fmt_s(floor)} {floor_text}"
    row.ratio = f"{row.ratio_value:.2f}×"
    row.met = row.ratio_value <= limit
    return row
