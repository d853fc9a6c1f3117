"""Run by tests/test_roster_hostile.py in a fresh process: import one roster file and print the
time taken and the peak resident memory (tracemalloc is left off: it slows the import
several times over)."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from app.errors import UserError
from app.models import open_database
from app.paths import database_path
from app.services.roster_import import import_file


def peak_rss_kb() -> int:
    """This process's peak resident memory. VmHWM starts afresh at exec; getrusage's ru_maxrss
    may carry the parent's peak over a fork+exec on Linux, so it is the fallback only."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(path: str, data_dir: str) -> None:
    open_database(database_path(Path(data_dir)))
    started = time.perf_counter()
    try:
        out: dict = {"ok": True, "added": import_file(Path(path)).added}
    except UserError as err:
        out = {"ok": False, "message": err.message, "lines": len(err.message.splitlines())}
    out["seconds"] = round(time.perf_counter() - started, 2)
    out["rss_peak_mb"] = round(peak_rss_kb() / 1024, 1)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
