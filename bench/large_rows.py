"""Bench rows on the large ledger (bench/large_ledger.py: 300 members, 2017–2026, every activity
held and its attendance entered): (f) a year switch, (g) one attendance key, the stalls after
the window's first paint (in row a) and the export of its year (in row c)."""

from __future__ import annotations

import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _rows import Row, fmt_s, timed

ROOT = Path(__file__).resolve().parent.parent


def build_large(root: Path) -> tuple[Path, str]:
    """The large ledger in `root`/large; returns (data dir, its shape in words)."""
    from large_ledger import build_ledger

    from app.models import close_database, open_database
    from app.paths import database_path

    data_dir = root / "large"
    open_database(database_path(data_dir))
    try:
        shape = build_ledger(data_dir)
    finally:
        close_database()
    years = f"{shape.years[0]}–{shape.years[-1]}"
    return data_dir, f"{shape.members} members, {years}, {shape.attendance_rows} attendance rows"


def ui_child(data_dir: Path, rows: str, repeat: int) -> dict:
    """Run bench/_ui_rows.py on the large ledger (a window offscreen) and read its JSON."""
    args = [sys.executable, str(ROOT / "bench" / "_ui_rows.py"), str(data_dir), rows, str(repeat)]
    out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-800:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def row_year_switch(found: dict, shape: str) -> Row:
    row = Row("f", "year switch, large ledger", target="≤ 2.5× one load_year")
    per_tab = found["per_tab_ms"]
    worst = max(per_tab, key=per_tab.get)
    timed(row, per_tab[worst] / 1000, found["load_year_ms"] / 1000, "one load_year", 2.5)
    tabs = ", ".join(f"{tab} {ms:.0f} ms" for tab, ms in per_tab.items())
    row.note = (
        f"the slowest tab on view ({worst}); every tab: {tabs}; set_year and the events it "
        f"posts, median of 2026↔2025 switches; {shape}"
    )
    return row


def row_attendance_key(found: dict) -> Row:
    row = Row("g", "one attendance key, large ledger", target="≤ 3× the save alone")
    timed(row, found["ui_ms"] / 1000, found["save_ms"] / 1000, "save_attendance alone", 3)
    row.note = (
        f"key on the 考勤登记 sheet ({found['members']} members) + the save its timer makes "
        "(save_attendance, the change told to every screen) + the events it posts; the floor "
        "saves the same one-status change alone; medians"
    )
    return row


def start_stalls(data_dir: Path, runs: int) -> list[float]:
    """The longest wait of the UI thread in the 2 s after the first paint, per start."""
    stalls = []
    for _ in range(runs):
        args = [sys.executable, str(ROOT / "bench" / "_window.py"), "app", str(data_dir)]
        out = subprocess.run(
            [*args, "--stalls", "2"], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        lines = [line for line in out.stdout.splitlines() if line.startswith("stall ")]
        if out.returncode != 0 or not lines:
            raise RuntimeError(f"stall probe failed: {out.stderr[-500:]}")
        stalls.append(float(lines[0].split()[1]))
    return stalls


def large_export(data_dir: Path) -> tuple[float, str]:
    """Seconds to export the large ledger's year in progress, and what the bundle held."""
    import zipfile

    from app.bundle.write import export_bundle
    from app.models import close_database, open_database
    from app.paths import database_path

    open_database(database_path(data_dir))
    try:
        year = dt.date.today().year
        with tempfile.TemporaryDirectory(dir=data_dir) as out:
            t0 = time.perf_counter()
            bundle = export_bundle(year, Path(out), data_dir=data_dir)
            seconds = time.perf_counter() - t0
            with zipfile.ZipFile(bundle) as zf:
                infos = zf.infolist()
            stored = sum(1 for i in infos if i.compress_type == zipfile.ZIP_STORED)
            what = f"{len(infos)} files ({stored} stored), {bundle.stat().st_size // 1024} KB"
    finally:
        close_database()
    return seconds, what


def stall_note(stalls: list[float]) -> str:
    shown = ", ".join(fmt_s(s) for s in stalls)
    return f"longest UI stall in the 2 s after the first paint (large ledger): {shown}"


def stall_ok(stalls: list[float]) -> bool:
    return statistics.median(stalls) <= 0.1
