"""The benchmark: eight rows measured in one run, printed as a table with ratios against floors
(docs/benchmark.md says what each row measures and why its floor is the floor).

    python bench/run.py                 # everything (with (h), PyInstaller builds: ~10 minutes)
    python bench/run.py --json          # the rows as JSON (SPEC "Benchmark")
    python bench/run.py --only fg       # just some rows
    python bench/run.py --bundles 50    # a quicker (e)
    python bench/run.py --no-freeze     # (h) skipped (met: null)
    python bench/run.py --save          # also write the table to bench/RESULTS.md

Rows (issues 8 and 19; targets in the table):
  (a) cold start of `python -m app`'s window path to the window shown, vs a bare PySide6
      QMainWindow started the same way; and the longest UI stall in the 2 s after the first
      paint, on the large ledger
  (b) one 记录表 PDF (form + signature sheet, loaded from the database), warm, vs reportlab
      writing one bare A4 page with the same embedded font
  (c) exporting a year's bundle (the demo: plan, records, statistics, a photo per record), vs
      zipping the same files' bytes; the large ledger's export in the note
  (d) statistics for 10 years × 100 members, loading each year from SQLite counted, vs a plain
      sqlite3 read of the same rows and one bare pass over them
  (e) `aggregate` of N branch bundles in a child process (wall time, peak RSS), vs a child that
      only reads and hashes the same files; peak RSS again at 4×N bundles (memory flat)
  (f) a year switch on the large ledger (each tab on view) vs one load_year of that year
  (g) one attendance key's UI time on the large ledger vs the save alone
  (h) the frozen program's size vs a bare window frozen by the same spec

A row whose code is missing prints "missing: <reason>" and the others still run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import os
import platform
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from _rows import Row, fmt_s, median_time, timed  # noqa: E402

# The program runs from compiled modules (the frozen build's archive holds .pyc files; a source
# checkout writes them on the first start, which the starts of row (a) do not count). A machine
# that sets PYTHONDONTWRITEBYTECODE would have every child compile the whole program again.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

# The demo year up to today: a bundle cannot report an activity held after the day it is made.
TODAY = dt.date.today()
YEAR = TODAY.year
ALL_ROWS = "abcdefgh"


# --- shared fixtures ------------------------------------------------------------------------


def make_photo(path: Path, seed: int) -> Path:
    """A 1600×1200 JPEG of about 200 KB, like a phone photo scaled down by the secretary."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    image = Image.new("RGB", (1600, 1200), (rng.randrange(256), 120, 90))
    pen = ImageDraw.Draw(image)
    for _ in range(400):
        x, y = rng.randrange(1600), rng.randrange(1200)
        r = rng.randrange(10, 120)
        colour = tuple(rng.randrange(256) for _ in range(3))
        pen.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(2))
    image.save(path, "JPEG", quality=85)
    return path


def demo_data_dir(root: Path) -> tuple[Path, int]:
    """A demo branch with the whole year held and one photo per record; returns (dir, photos)."""
    from app.models import Activity, open_database
    from app.paths import database_path
    from app.services.demo import create_demo

    data_dir = root / "demo"
    open_database(database_path(data_dir))
    create_demo(data_dir, year=YEAR, today=TODAY)
    photos = 0
    try:
        from app.services.records import add_attachment

        for n, activity in enumerate(Activity.select().where(Activity.held_date.is_null(False))):
            photo = make_photo(root / f"photo-{n:02d}.jpg", n)
            add_attachment(data_dir, activity.id, photo, "照片")
            photos += 1
    except ImportError:
        pass
    return data_dir, photos


# --- (a) cold start -------------------------------------------------------------------------


def start_once(kind: str, data_dir: Path | None) -> tuple[float, float | None]:
    """Seconds to the window shown, and to the tab on view filled (None: shown filled)."""
    args = [sys.executable, str(ROOT / "bench" / "_window.py"), kind]
    if data_dir is not None:
        args.append(str(data_dir))
    t0 = time.monotonic()
    out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    seen = dict(
        line.split()[:2] for line in out.stdout.splitlines() if line[:6] in ("shown ", "filled")
    )
    if out.returncode != 0 or "shown" not in seen:
        raise RuntimeError(f"{kind} start failed: {out.stderr[-500:]}")
    filled = float(seen["filled"]) - t0 if "filled" in seen else None
    return float(seen["shown"]) - t0, filled


def row_start(data_dir: Path, large: Path | None, repeat: int) -> Row:
    from large_rows import stall_note, stall_ok, start_stalls

    row = Row("a", "cold start → window shown", target="≤ 1.5× bare; stalls ≤ 100 ms")
    start_once("bare", None)  # first runs compile .pyc files and draw the icon cache; not counted
    start_once("app", data_dir)
    app, bare, filled = [], [], []
    for _ in range(repeat):  # alternate, so load on the machine hits both alike
        bare.append(start_once("bare", None)[0])
        shown, tab = start_once("app", data_dir)
        app.append(shown)
        filled.append(tab if tab is not None else shown)
    timed(row, statistics.median(app), statistics.median(bare), "bare QMainWindow", 1.5)
    tab = statistics.median(filled)
    row.note = (
        f"median of {repeat} alternating starts each; demo branch, {YEAR} up to today; the "
        f"window appears with its menus and tabs, the ledger is opened after its first paint "
        f"and the tab on view is filled at {fmt_s(tab)} ({tab / statistics.median(bare):.2f}× "
        "bare)"
    )
    if large is not None:
        stalls = start_stalls(large, 3)
        row.met = row.met and stall_ok(stalls)
        row.note += f"; {stall_note(stalls)} (median of 3 starts counted)"
    return row


# --- (b) one record PDF -----------------------------------------------------------------------


def bare_page(out: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from app.reports.fonts import register_font

    font = register_font()
    canvas = Canvas(str(out), pagesize=A4)
    canvas.setFont(font, 16)
    canvas.drawCentredString(A4[0] / 2, A4[1] - 72, "池州市党日活动记录表")
    canvas.showPage()
    canvas.save()


def row_record_pdf(data_dir: Path, root: Path, repeat: int) -> Row:
    from app.models import Activity
    from app.reports.record_form import print_record, render_record_pdf
    from app.services.records import load_record

    row = Row("b", "one 记录表 PDF, warm", target="≤ 0.15 s")
    activity = Activity.select().where(Activity.held_date.is_null(False)).order_by(Activity.id)
    activity_id = activity.first().id
    data, act = load_record(activity_id)
    out, floor_out = root / "record.pdf", root / "bare.pdf"
    jobs = {
        "print": lambda: print_record(activity_id, out),
        "draw": lambda: render_record_pdf(data, act, out),
        "floor": lambda: bare_page(floor_out),
    }
    for job in jobs.values():  # warm: font registered, modules imported
        job()
    times: dict[str, list[float]] = {key: [] for key in jobs}
    for _ in range(repeat):  # interleaved, so a busy moment on the machine hits all three
        for key, job in jobs.items():
            t0 = time.perf_counter()
            job()
            times[key].append(time.perf_counter() - t0)
    t, draw, f = (statistics.median(times[k]) for k in ("print", "draw", "floor"))
    timed(row, t, f, "bare A4 page", float("inf"))
    row.met = t <= 0.15
    row.note = (
        f"median of {repeat}; `print_record` = load the year from SQLite + draw form and "
        f"signature sheet ({out.stat().st_size // 1024} KB); drawing alone {fmt_s(draw)}"
    )
    return row


# --- (c) export a year's bundle --------------------------------------------------------------


def rezip(entries: list[tuple[zipfile.ZipInfo, bytes]], out: Path) -> None:
    with zipfile.ZipFile(out, "w") as zf:
        for info, data in entries:
            zf.writestr(info, data, compress_type=info.compress_type)
    with out.open("rb") as f:
        os.fsync(f.fileno())


def row_export(root: Path, repeat: int, large: Path | None) -> tuple[Row, Path]:
    from app.bundle.write import export_bundle

    row = Row("c", "export a year's bundle", target="≤ 3 s (large ledger: ≤ 1.5 s)")
    times, bundle = [], None
    for i in range(repeat):
        out = root / f"export-{i}"
        out.mkdir()
        t0 = time.perf_counter()
        bundle = export_bundle(YEAR, out, today=TODAY)
        times.append(time.perf_counter() - t0)
    with zipfile.ZipFile(bundle) as zf:
        entries = [(info, zf.read(info)) for info in zf.infolist()]
    f = median_time(lambda: rezip(entries, root / "floor.zip"), repeat)
    timed(row, statistics.median(times), f, "zip same bytes", float("inf"))
    row.met = row.value <= 3
    stored = sum(1 for i, _ in entries if i.compress_type == zipfile.ZIP_STORED)
    row.note = (
        f"demo, median of {repeat}; {len(entries)} files ({stored} stored), "
        f"{bundle.stat().st_size / 2**20:.1f} MB, "
        f"{sum(1 for i, _ in entries if i.filename.startswith('attachments/'))} photos; "
        "written, fsynced, re-read and verified"
    )
    if large is not None:
        from large_rows import large_export

        from app.models import close_database

        close_database()
        seconds, what = large_export(large)
        row.met = row.met and seconds <= 1.5
        row.note += f"; large ledger {YEAR}: {fmt_s(seconds)} ({what})"
    return row, bundle


# --- (d) statistics, 10 years × 100 members ----------------------------------------------------


def fill_ten_years(data_dir: Path, years: range, members: int) -> None:
    """A branch with `members` members and a held activity every month for `years`, with every
    attendance status, written through the models in one transaction."""
    from app.models import DB, Activity, AnnualPlan, Attendance, Member, open_database, vocab
    from app.paths import database_path
    from app.services.branch import BranchSettings, save_branch

    open_database(database_path(data_dir))
    rng = random.Random(10)
    statuses = vocab.ATTENDANCE_STATUSES
    weights = (70, 6, 4, 4, 8, 8)
    with DB.atomic():
        save_branch(BranchSettings(name="中共百人村支部委员会", superior_org="中共青山镇委员会"))
        ids = []
        for i in range(members):
            roll_start = dt.date(years[0] + i % 10, 1, 1) if i % 7 == 0 else None
            ids.append(Member.create(name=f"党员{i:03d}", roll_start=roll_start).id)
        for year in years:
            plan = AnnualPlan.create(year=year)
            for month in range(1, 13):
                day = dt.date(year, month, 5)
                activity = Activity.create(
                    plan=plan,
                    plan_date=day,
                    held_date=day,
                    theme=f"{year}年{month}月主题党日",
                    categories=[vocab.CATEGORY_STUDY, vocab.CATEGORY_BRIEFING],
                    content="学习党章党规；通报近期工作。",
                    submitted_date=day + dt.timedelta(days=2),
                )
                rows = []
                for i, member_id in enumerate(ids):
                    if i % 7 == 0 and year < years[0] + i % 10:
                        continue  # not on the roll yet
                    status = rng.choices(statuses, weights)[0]
                    reason = "外出务工" if status == vocab.LEAVE else ""
                    rows.append(
                        {
                            "activity": activity.id,
                            "member": member_id,
                            "status": status,
                            "reason": reason,
                        }
                    )
                Attendance.insert_many(rows).execute()


def plain_read(db: Path, years: range) -> list[tuple]:
    """The floor's read: the same attendance rows as load_year reads, by plain sqlite3."""
    con = sqlite3.connect(db)
    try:
        return con.execute(
            "SELECT t.activity_id, t.member_id, t.status, t.reason FROM attendance t "
            "JOIN activity a ON a.id = t.activity_id JOIN annual_plan p ON p.id = a.plan_id "
            f"WHERE p.year BETWEEN {years[0]} AND {years[-1]} ORDER BY t.id"
        ).fetchall()
    finally:
        con.close()


def bare_count(rows: list[tuple]) -> dict:
    """The floor's pass: count statuses per member over the plainly read rows."""
    counts: dict[tuple[int, str], int] = {}
    for _activity, member, status, _reason in rows:
        counts[member, status] = counts.get((member, status), 0) + 1
    return counts


def row_statistics(root: Path, repeat: int) -> Row:
    from app.paths import database_path
    from app.services.ledger import load_year
    from app.services.statistics import compute_statistics

    row = Row("d", "statistics, 10 years × 100 members", target="≤ 4× plain read + pass")
    years = range(YEAR - 9, YEAR + 1)
    data_dir = root / "tenyears"
    fill_ten_years(data_dir, years, 100)
    db = database_path(data_dir)

    def all_years() -> None:
        for y in years:
            compute_statistics(load_year(y), today=TODAY)

    def floor() -> None:
        bare_count(plain_read(db, years))

    all_years(), floor()  # warm
    t = median_time(all_years, repeat)
    f = median_time(floor, repeat)
    timed(row, t, f, "sqlite3 read + one pass", 4)
    data = [load_year(y) for y in years]
    rows = sum(len(a.attendance) for d in data for a in d.activities)
    compute = median_time(lambda: [compute_statistics(d, today=TODAY) for d in data], repeat)
    row.note = (
        f"all 10 years, load_year from SQLite + compute_statistics, median of {repeat}; "
        f"{rows} attendance rows; compute_statistics alone {fmt_s(compute)}"
    )
    return row


# --- (e) aggregate 500 bundles -----------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "建国秀英德明桂兰志强海燕玉梅春生文华小军红霞国庆丽娟永福金凤长林淑珍学军晓东"
PLACES = "青山石桥柳湾枫林桃源杏花白沙黄岭梅村竹溪松岗河口"


def vary_bundle(template: dict, index: int) -> tuple[str, bytes, dict]:
    """A different branch from the template's data.json: its name, its members' names and every
    attendance status; counts recomputed by YearData.to_json(). Returns (name, data, branch)."""
    from app.models import vocab
    from app.services.ledger import AttendanceRow, YearData

    rng = random.Random(index)
    data = YearData.from_json(template)
    pairs = len(PLACES) // 2
    place = PLACES[index % pairs * 2 : index % pairs * 2 + 2]
    name = f"中共{place}村第{index // pairs + 1}党支部委员会"
    data.branch = replace(data.branch, name=name)
    data.members = [
        replace(m, name=rng.choice(SURNAMES) + rng.choice(GIVEN[::2]) + rng.choice(GIVEN[1::2]))
        for m in data.members
    ]
    weights = (70, 6, 4, 4, 8, 8)
    for activity in data.activities:
        if activity.attendance:
            new = []
            for r in activity.attendance:
                status = rng.choices(vocab.ATTENDANCE_STATUSES, weights)[0]
                new.append(AttendanceRow(r.member_id, status, "外出" if status == "请假" else ""))
            activity.attendance = new
    doc = data.to_json()
    return name, json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"), doc["branch"]


def make_bundles(template_zip: Path, out: Path, count: int) -> int:
    """`count` valid bundles of different branches made from one exported bundle: data.json and
    manifest.json rewritten (hashes and sizes of the new data.json), each signed by a key of its
    own (a branch is its key: docs/signing.md), other files copied."""
    from app.bundle.names import MANIFEST, SIGNATURE, bundle_filename
    from app.bundle.signature import sign_manifest
    from app.signing import Signer

    out.mkdir()
    with zipfile.ZipFile(template_zip) as zf:
        infos = zf.infolist()
        blobs = {i.filename: zf.read(i) for i in infos}
    manifest = json.loads(blobs[MANIFEST])
    template = json.loads(blobs["data.json"])
    total = 0
    for index in range(count):
        name, data, branch = vary_bundle(template, index)
        signer = Signer.generate()
        m = dict(
            manifest,
            branch=branch,
            created_at=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            signer=signer.to_json(),
        )
        m["files"] = [
            dict(f, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data))
            if f["path"] == "data.json"
            else f
            for f in manifest["files"]
        ]
        m_bytes = json.dumps(m, ensure_ascii=False, indent=1).encode("utf-8")
        bodies = {MANIFEST: m_bytes, SIGNATURE: sign_manifest(m_bytes, signer), "data.json": data}
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            for info in infos:
                body = bodies.get(info.filename, blobs[info.filename])
                zf.writestr(info, body, compress_type=info.compress_type)
        (out / bundle_filename(name, YEAR)).write_bytes(buffer.getvalue())
        total += len(buffer.getvalue())
    return total


def run_measured(args: list[str], prefix: Path) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and stderr of one child, measured by bench/_measure.py."""
    launcher = [sys.executable, str(ROOT / "bench" / "_measure.py"), str(prefix), *args]
    done = subprocess.run(launcher, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    stderr = Path(f"{prefix}.err").read_text(encoding="utf-8", errors="replace")
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-800:])
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["returncode"] != 0:
        raise RuntimeError(stderr[-800:])
    return result["wall"], result["maxrss_mb"], stderr


# The floor of (e): every file of the folder read whole and hashed, in plain Python.
READ_AND_HASH = """
import hashlib, sys
from pathlib import Path
for path in sorted(Path(sys.argv[1]).glob("*.zip")):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
"""


def aggregate_child(folder: Path, root: Path, name: str, count: int) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of `python -m app aggregate` over `folder`."""
    out = root / f"{name}.xlsx"
    wall, rss, stderr = run_measured(
        [sys.executable, "-m", "app", "aggregate", str(folder), "--out", str(out)], root / name
    )
    summed = re.search(r"已汇总 (\d+) 个党支部", stderr)  # then the year, and what was set aside
    if not summed or int(summed.group(1)) != count:
        raise RuntimeError(f"not every bundle was summed: {stderr[-400:]}")
    return wall, rss


def row_aggregate(template_zip: Path, root: Path, count: int, repeat: int = 3) -> Row:
    row = Row("e", f"aggregate {count} bundles", target="≤ 2.5× read+hash; RSS ×4 bundles ≤ 1.2×")
    small, big = root / "bundles", root / "bundles-x4"
    t0 = time.perf_counter()
    size = make_bundles(template_zip, big, 4 * count)
    small.mkdir()
    for path in sorted(big.glob("*.zip"))[:count]:  # the first N of the 4N, as links
        os.link(path, small / path.name)
    made = time.perf_counter() - t0
    if hasattr(os, "sync"):  # the bundles' gigabytes written out now, not during the timing
        os.sync()
    # Alternately, `repeat` times each: a virtual machine's speed drifts by a third from one
    # minute to the next, and the medians of interleaved runs see the same machine.
    walls, floors, rss, f_rss = [], [], 0.0, 0.0
    for i in range(repeat):
        wall, rss_i = aggregate_child(small, root, f"agg-{i}", count)
        f_wall, f_rss_i, _ = run_measured(
            [sys.executable, "-c", READ_AND_HASH, str(small)], root / f"hash-{i}"
        )
        walls.append(wall)
        floors.append(f_wall)
        rss, f_rss = max(rss, rss_i), max(f_rss, f_rss_i)
    wall = statistics.median(walls)
    _, rss_big = aggregate_child(big, root, "agg-x4", 4 * count)
    timed(row, wall, statistics.median(floors), "read+hash in Python", 2.5)
    row.measured = f"{fmt_s(wall)}, {rss:.0f} MB"
    row.met = row.met and rss_big <= 1.2 * rss
    row.note = (
        f"{count} zips, {size / 4 / 2**20:.0f} MB in all; `python -m app aggregate` in a child, "
        f"median of {repeat} interleaved with the floor's ({fmt_s(min(walls))}–{fmt_s(max(walls))}), "
        f"all summed; floor child {f_rss:.0f} MB; peak RSS at {4 * count} bundles "
        f"{rss_big:.0f} MB ({rss_big / rss:.2f}× of {count}); bundles made in {made:.0f} s, "
        "not counted"
    )
    return row


# --- the table ------------------------------------------------------------------------------


def guarded(key: str, what: str, fn: Callable[[], Row]) -> Row:
    try:
        return fn()
    except ImportError as err:
        return Row(key, what, measured=f"missing: {err}")
    except Exception as err:  # a broken row must not hide the others
        return Row(key, what, measured=f"error: {type(err).__name__}: {err}"[:200])


def table(rows: list[Row]) -> str:
    head = ("", "what", "measured", "floor", "ratio", "target", "", "how")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = (r.key, r.what, r.measured, r.floor, r.ratio, r.target, r.verdict, r.note)
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def machine() -> str:
    import PySide6
    import reportlab

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{dt.datetime.now():%Y-%m-%d %H:%M}, {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} cores {cpu}, Python {platform.python_version()}, "
        f"PySide6 {PySide6.__version__}, reportlab {reportlab.Version}"
    )


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundles", type=int, default=500, help="bundles for (e)")
    parser.add_argument("--starts", type=int, default=9, help="starts per kind for (a)")
    parser.add_argument("--repeat", type=int, default=15, help="repeats for (b) and (d)")
    parser.add_argument("--only", default=ALL_ROWS, help="the rows to run, e.g. `a` or `fg`")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--no-freeze", action="store_true", help="skip (h), the two builds")
    parser.add_argument("--save", action="store_true", help="write bench/RESULTS.md")
    args = parser.parse_args(argv)
    args.only = set(args.only.lower())
    if not args.only <= set(ALL_ROWS):
        parser.error(f"--only takes letters of {ALL_ROWS}")
    if args.save and args.only != set(ALL_ROWS):
        parser.error("--save writes the whole table; run every row with it")
    return args


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def measure(args: argparse.Namespace, root: Path) -> list[Row]:
    from app.models import close_database

    only, rows = args.only, []
    large, shape = None, ""
    if only & set("acfg"):
        from large_rows import build_large

        say("building the large ledger…")
        large, shape = build_large(root)
    say("preparing demo data…")
    data_dir, _photos = demo_data_dir(root)
    if "b" in only:
        say("(b) record PDF…")
        rows.append(
            guarded(
                "b", "one 记录表 PDF, warm", lambda: row_record_pdf(data_dir, root, args.repeat)
            )
        )
    bundle: list[Path] = []
    if only & set("ce"):  # (e) aggregates copies of the bundle (c) writes
        say("(c) export…")

        def export() -> Row:
            row, path = row_export(root, 3, large if "c" in only else None)
            bundle.append(path)
            return row

        row_c = guarded("c", "export a year's bundle", export)
        if "c" in only:
            rows.append(row_c)
    close_database()  # the window children open the same data dirs
    if "a" in only:
        say("(a) cold start…")
        row_a = guarded(
            "a", "cold start → window shown", lambda: row_start(data_dir, large, args.starts)
        )
        rows.insert(0, row_a)
    if "d" in only:
        say("(d) statistics…")
        rows.append(
            guarded(
                "d", "statistics, 10 years × 100 members", lambda: row_statistics(root, args.repeat)
            )
        )
        close_database()
    if "e" in only:
        say(f"(e) aggregate {args.bundles} and {4 * args.bundles} bundles…")
        what = f"aggregate {args.bundles} bundles"
        if bundle:
            rows.append(guarded("e", what, lambda: row_aggregate(bundle[0], root, args.bundles)))
        else:
            rows.append(Row("e", what, measured="missing: no bundle (c)"))
    rows += ui_rows(only, large, shape)
    if "h" in only:
        from freeze_row import row_frozen_size

        say("(h) freezing the program and a bare window…")
        rows.append(guarded("h", "frozen size", lambda: row_frozen_size(root, not args.no_freeze)))
    return rows


def ui_rows(only: set[str], large: Path | None, shape: str) -> list[Row]:
    """(f) and (g): one child with the window over the large ledger."""
    from large_rows import row_attendance_key, row_year_switch, ui_child

    wanted = "".join(k for k in "fg" if k in only)
    if not wanted or large is None:
        return []
    say(f"({') ('.join(wanted)}) the window on the large ledger…")
    rows = {"f": Row("f", "year switch, large ledger"), "g": Row("g", "one attendance key")}
    try:
        found = ui_child(large, wanted, 5)
    except Exception as err:  # a broken child must not hide the other rows
        for key in wanted:
            rows[key].measured = f"error: {type(err).__name__}: {err}"[:200]
        return [rows[k] for k in wanted]
    if "f" in found:
        rows["f"] = guarded("f", rows["f"].what, lambda: row_year_switch(found["f"], shape))
    if "g" in found:
        rows["g"] = guarded("g", rows["g"].what, lambda: row_attendance_key(found["g"]))
    return [rows[k] for k in wanted]


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    with tempfile.TemporaryDirectory(prefix="dangri-bench-") as tmp:
        rows = sorted(measure(args, Path(tmp)), key=lambda r: r.key)
    if args.json:
        print(json.dumps({"rows": [r.to_json() for r in rows]}, ensure_ascii=False, indent=1))
    else:
        print(table(rows))
        print(f"\n{machine()}")
    if args.save:
        (ROOT / "bench" / "RESULTS.md").write_text(
            f"# Latest benchmark\n\n{table(rows)}\n\n{machine()}\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
