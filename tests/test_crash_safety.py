"""Crash safety: a process writing records is killed (SIGKILL) at random moments; after each kill
the database passes integrity_check and holds every record whose commit was reported, whole.

Each child reopens the file its killed predecessor left (with a hot WAL), so recovery after a
crash is exercised again and again. Bounded: KILLS runs within about a minute on a slow CI box.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KILLS = 50
BUDGET_SECONDS = 75
ATTENDANCE_PER_ACTIVITY = 6

# Writes one activity with its attendance per transaction, through the app's own models and
# pragmas, and prints the activity id after each commit.
WRITER = f"""
import datetime as dt, sys
from pathlib import Path
from app.models import DB, Activity, AnnualPlan, Attendance, Branch, Member, open_database
open_database(Path(sys.argv[1]))
with DB.atomic():
    if not Branch.select().exists():
        Branch.create(name="中共青山村支部委员会")
        AnnualPlan.create(year=2026)
        for i in range({ATTENDANCE_PER_ACTIVITY}):
            Member.create(name=f"党员{{i}}")
plan = AnnualPlan.get()
members = list(Member.select())
print("ready", flush=True)
n = 0
while True:
    n += 1
    with DB.atomic():
        a = Activity.create(plan=plan, plan_date=dt.date(2026, 1 + n % 12, 5), theme=f"主题{{n}}",
                            content="学习党章" * 50)
        for m in members:
            Attendance.create(activity=a, member=m, status="出席")
    print(a.id, flush=True)
"""


def read_committed(proc: subprocess.Popen) -> list[int]:
    out = proc.stdout.read().decode()
    lines = out.split("\n")
    # The last line may be cut by the kill; only complete lines are reported commits.
    return [int(x) for x in lines[:-1] if x.strip().isdigit()]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
def test_records_survive_being_killed_at_fifty_random_moments(tmp_path):
    db = tmp_path / "dangri.sqlite3"
    rng = random.Random(20261125)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    committed: set[int] = set()
    started = time.monotonic()
    for kill in range(KILLS):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=ROOT,
        )
        # Every fifth kill lands during start-up (opening the crashed file, creating tables);
        # the others at a random moment while records are being written.
        if kill % 5 == 0:
            time.sleep(rng.uniform(0.0, 0.25))
        else:
            assert proc.stdout.readline().strip() == b"ready"
            time.sleep(rng.uniform(0.0, 0.12))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        committed.update(read_committed(proc))

        con = sqlite3.connect(db)
        try:
            assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)], kill
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
            if "activity" not in tables:  # killed before the first start created the tables
                assert not committed and not tables
                continue
            present = {r[0] for r in con.execute("SELECT id FROM activity")}
            assert committed <= present, f"kill {kill}: lost {sorted(committed - present)[:5]}"
            # No half-written transaction: every activity has all its attendance rows.
            partial = con.execute(
                "SELECT a.id, count(t.id) FROM activity a LEFT JOIN attendance t "
                "ON t.activity_id = a.id GROUP BY a.id HAVING count(t.id) != ?",
                (ATTENDANCE_PER_ACTIVITY,),
            ).fetchall()
            assert partial == [], f"kill {kill}: partial transactions {partial[:3]}"
        finally:
            con.close()
        assert time.monotonic() - started < BUDGET_SECONDS
    assert len(committed) > 100  # the kills really interrupted a busy writer
