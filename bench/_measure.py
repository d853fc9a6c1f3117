"""Run one command and print its wall time and peak RSS as JSON on the last stdout line.

Peak RSS comes from wait4() on that child alone. It is started from this small process rather
than from bench/run.py because a forked child's ru_maxrss starts at its parent's RSS, and the
bench process is large (Qt, reportlab, demo data) — measured directly, every child would look
at least that big.

    python bench/_measure.py OUT_PREFIX CMD ARG…   # child's stdout/stderr go to OUT_PREFIX.out/.err
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

prefix, command = sys.argv[1], sys.argv[2:]
with open(prefix + ".out", "wb") as out, open(prefix + ".err", "wb") as err:
    t0 = time.perf_counter()
    proc = subprocess.Popen(command, stdout=out, stderr=err)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
code = os.waitstatus_to_exitcode(status)
proc.returncode = code
print(json.dumps({"wall": wall, "maxrss_mb": usage.ru_maxrss / 1024, "returncode": code}))
