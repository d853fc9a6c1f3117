"""The benchmark: five rows measured in one run, printed as a table with ratios against floors.

    python bench/run.py                 # everything (about two minutes on two cores)
    python bench/run.py --bundles 50    # a quicker (e)
    python bench/run.py --save          # also write the table to bench/RESULTS.md
    python bench/run.py --only a        # just some rows (here the cold start)

Rows (SPEC issue 8; targets in the last column):
  (a) cold start of `python -m app`'s window path to the window shown, vs a bare PySide6
      QMainWindow started the same way (a new Python process each; OS file cache warm)
  (b) one 记录表 PDF (form + signature sheet, loaded from the database), warm, vs reportlab
      writing one bare A4 page with the same embedded font
  (c) exporting a year's bundle (12 records, plan, statistics, one photo per record), vs zipping
      the same files' bytes
  (d) statistics for 10 years × 100 members, `compute_statistics` for all ten years together
      (YearData loaded from a real database built through the models), vs one bare pass over
      the same attendance rows
  (e) `aggregate` of 500 branch bundles in a child process (wall time and peak RSS), vs a child
      that only reads and hashes every file of the same zips

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
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

YEAR = 2026
TODAY = dt.date(YEAR, 12, 31)  # the whole year held: a full year's bundle


@dataclass
class Row:
    key: str
    what: str
    measured: str = ""
    floor: str = ""
    ratio: str = ""
    target: str = ""
    verdict: str = ""
    note: str = ""


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


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


def start_once(kind: str, data_dir: Path | None) -> float:
    args = [sys.executable, str(ROOT / "bench" / "_window.py"), kind]
    if data_dir is not None:
        args.append(str(data_dir))
    t0 = time.monotonic()
    out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    lines = [line for line in out.stdout.splitlines() if line.startswith("shown ")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"{kind} start failed: {out.stderr[-500:]}")
    return float(lines[0].split()[1]) - t0


def row_start(data_dir: Path, repeat: int) -> Row:
    row = Row("a", "cold start → window shown", target="≤ 1.3× bare")
    start_once("bare", None)  # first runs compile .pyc files; not counted
    start_once("app", data_dir)
    app, bare = [], []
    for _ in range(repeat):  # alternate, so load on the machine hits both alike
        bare.append(start_once("bare", None))
        app.append(start_once("app", data_dir))
    a, b = statistics.median(app), statistics.median(bare)
    row.measured, row.floor = fmt_s(a), f"{fmt_s(b)} bare QMainWindow"
    row.ratio = f"{a / b:.2f}×"
    row.verdict = verdict(a <= 1.3 * b)
    row.note = f"median of {repeat} alternating starts each; demo branch, {YEAR} all held"
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
    row.measured, row.floor, row.ratio = fmt_s(t), f"{fmt_s(f)} bare A4 page", f"{t / f:.1f}×"
    row.verdict = verdict(t <= 0.15)
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


def row_export(root: Path, photos: int, repeat: int) -> tuple[Row, Path]:
    from app.bundle.write import export_bundle

    row = Row("c", "export a year's bundle", target="≤ 3 s")
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
    t = statistics.median(times)
    row.measured, row.floor, row.ratio = fmt_s(t), f"{fmt_s(f)} zip same bytes", f"{t / f:.0f}×"
    row.verdict = verdict(t <= 3)
    row.note = (
        f"median of {repeat}; {len(entries)} files, {bundle.stat().st_size / 2**20:.1f} MB, "
        f"{sum(1 for i, _ in entries if i.filename.startswith('attachments/'))} photos; "
        "written, fsynced, re-read and verified"
    )
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


def bare_pass(data: list) -> dict:
    """The floor: one pass over every attendance row, counting statuses per member."""
    counts: dict[tuple[int, str], int] = {}
    for year_data in data:
        for activity in year_data.activities:
            for r in activity.attendance:
                key = (r.member_id, r.status)
                counts[key] = counts.get(key, 0) + 1
    return counts


def row_statistics(root: Path, repeat: int) -> Row:
    from app.services.ledger import load_year
    from app.services.statistics import compute_statistics

    row = Row("d", "statistics, 10 years × 100 members", target="≤ 50 ms")
    years = range(YEAR - 9, YEAR + 1)
    fill_ten_years(root / "tenyears", years, 100)
    t0 = time.perf_counter()
    data = [load_year(y) for y in years]
    load = time.perf_counter() - t0
    rows = sum(len(a.attendance) for d in data for a in d.activities)

    def all_years() -> None:
        for d in data:
            compute_statistics(d, today=TODAY)

    all_years()
    t = median_time(all_years, repeat)
    per_year = median_time(lambda: compute_statistics(data[-1], today=TODAY), repeat)
    f = median_time(lambda: bare_pass(data), repeat)
    row.measured, row.floor, row.ratio = fmt_s(t), f"{fmt_s(f)} one bare pass", f"{t / f:.1f}×"
    row.verdict = verdict(t <= 0.05)
    row.note = (
        f"all 10 years, median of {repeat}; {rows} attendance rows; one year "
        f"{per_year * 1000:.1f} ms; load_year ×10 from SQLite {load * 1000:.0f} ms (not counted)"
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
    manifest.json rewritten (hashes and sizes of the new data.json), other files copied."""
    from app.bundle.names import bundle_filename

    out.mkdir()
    with zipfile.ZipFile(template_zip) as zf:
        infos = zf.infolist()
        blobs = {i.filename: zf.read(i) for i in infos}
    manifest = json.loads(blobs["manifest.json"])
    template = json.loads(blobs["data.json"])
    total = 0
    for index in range(count):
        name, data, branch = vary_bundle(template, index)
        m = dict(
            manifest, branch=branch, created_at=dt.datetime.now().isoformat(timespec="seconds")
        )
        m["files"] = [
            dict(f, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data))
            if f["path"] == "data.json"
            else f
            for f in manifest["files"]
        ]
        target = out / bundle_filename(name, YEAR)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            for info in infos:
                if info.filename == "manifest.json":
                    body = json.dumps(m, ensure_ascii=False, indent=1).encode("utf-8")
                elif info.filename == "data.json":
                    body = data
                else:
                    body = blobs[info.filename]
                zf.writestr(info, body, compress_type=info.compress_type)
        target.write_bytes(buffer.getvalue())
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


HASH_ONLY = """
import hashlib, sys, zipfile
from pathlib import Path
for path in sorted(Path(sys.argv[1]).glob("*.zip")):
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            hashlib.sha256(zf.read(info)).hexdigest()
"""


def row_aggregate(template_zip: Path, root: Path, count: int) -> Row:
    row = Row("e", f"aggregate {count} bundles", target="≤ 30 s, ≤ 300 MB")
    folder = root / "bundles"
    t0 = time.perf_counter()
    size = make_bundles(template_zip, folder, count)
    made = time.perf_counter() - t0
    out = root / "汇总.xlsx"
    wall, rss, stderr = run_measured(
        [sys.executable, "-m", "app", "aggregate", str(folder), "--out", str(out)], root / "agg"
    )
    summed = re.search(r"已汇总 (\d+) 个党支部", stderr)  # then the year, and what was set aside
    if not summed or int(summed.group(1)) != count:
        raise RuntimeError(f"not every bundle was summed: {stderr[-400:]}")
    f_wall, f_rss, _ = run_measured([sys.executable, "-c", HASH_ONLY, str(folder)], root / "hash")
    row.measured = f"{wall:.1f} s, {rss:.0f} MB"
    row.floor = f"{f_wall:.1f} s, {f_rss:.0f} MB read+hash"
    row.ratio = f"{wall / f_wall:.1f}×, {rss / f_rss:.1f}×"
    row.verdict = verdict(wall <= 30 and rss <= 300)
    row.note = (
        f"{count} zips, {size / 2**20:.0f} MB in all (made in {made:.0f} s, not counted); "
        f"`python -m app aggregate` in a child; all {count} summed into {out.name}"
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundles", type=int, default=500)
    parser.add_argument("--starts", type=int, default=9, help="starts per kind for (a)")
    parser.add_argument("--repeat", type=int, default=15, help="repeats for (b) and (d)")
    parser.add_argument("--save", action="store_true", help="write bench/RESULTS.md")
    parser.add_argument(
        "--only", default="abcde", help="the rows to run, e.g. `a` or `bd` (default: all)"
    )
    args = parser.parse_args(argv)
    only = set(args.only.lower())
    if args.save and only != set("abcde"):
        parser.error("--save writes the whole table; run every row with it")

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="dangri-bench-") as tmp:
        root = Path(tmp)
        print("preparing demo data…", file=sys.stderr)
        data_dir, photos = demo_data_dir(root)
        if "b" in only:
            print("(b) record PDF…", file=sys.stderr)
            rows.append(
                guarded(
                    "b",
                    "one 记录表 PDF, warm",
                    lambda: row_record_pdf(data_dir, root, args.repeat),
                )
            )
        bundle: list[Path] = []
        if "c" in only or "e" in only:  # (e) aggregates copies of the bundle (c) writes
            print("(c) export…", file=sys.stderr)

            def export() -> Row:
                row, path = row_export(root, photos, 3)
                bundle.append(path)
                return row

            row_c = guarded("c", "export a year's bundle", export)
            if "c" in only:
                rows.append(row_c)
        from app.models import close_database

        close_database()  # the window child opens the same data dir
        if "a" in only:
            print("(a) cold start…", file=sys.stderr)
            rows.insert(
                0,
                guarded("a", "cold start → window shown", lambda: row_start(data_dir, args.starts)),
            )
        if "d" in only:
            print("(d) statistics…", file=sys.stderr)
            rows.append(
                guarded(
                    "d",
                    "statistics, 10 years × 100 members",
                    lambda: row_statistics(root, args.repeat),
                )
            )
            close_database()
        if "e" in only:
            print(f"(e) aggregate {args.bundles} bundles…", file=sys.stderr)
            if bundle:
                rows.append(
                    guarded(
                        "e",
                        f"aggregate {args.bundles} bundles",
                        lambda: row_aggregate(bundle[0], root, args.bundles),
                    )
                )
            else:
                rows.append(
                    Row("e", f"aggregate {args.bundles} bundles", measured="missing: no bundle (c)")
                )

    text = table(rows)
    print(text)
    print(f"\n{machine()}")
    if args.save:
        (ROOT / "bench" / "RESULTS.md").write_text(
            f"# Latest benchmark\n\n{text}\n\n{machine()}\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
