"""The township side (SPEC.md "Command line" `aggregate`): verify many branches' bundles and sum
them up in one workbook, a row per branch.

Every figure comes from `compute_statistics(YearData.from_json(data.json))`, the very function the
branch used on its own PC, so the township's numbers cannot drift from the branch's. Bundles are
handled one at a time and only their summary row is kept, so memory stays flat however many
bundles come in.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import UserError
from app.services.bundle import TALKS, VerifyReport, failure_advice, verify_bundle
from app.services.evaluation import talks_from_json
from app.services.ledger import YearData
from app.services.statistics import compute_statistics

Progress = Callable[[int, int, str], None]

SHEET_SUMMARY = "汇总"
SHEET_REJECTED = "未汇总的报送包"
SHEET_TALKS = "谈话提醒名单"
TALK_HEADERS = ("党组织", "姓名", "类别", "未参加次数", "提示", "谈话提醒情况")
SUMMARY_HEADERS = (
    "序号",
    "党组织",
    "上级党组织",
    "年度",
    "计划次数",
    "已开展次数",
    "无活动月数",
    "无活动月份",
    "平均参加率",
    "逾期未报送记录",
    "累计未参加3次及以上（人）",
    "其中已谈话（人）",
    "累计未参加6次及以上（人）",
    "年内在册党员",
    "报送包",
    "生成时间",
)
REJECTED_HEADERS = ("报送包", "党组织", "年度", "情况", "包内文件", "原因", "处理办法")
NOT_ATTACHED = "未附"  # a bundle made before the talk records travelled with it
WHOLE_FILE = "（整个文件）"  # a problem of the zip itself, not of a file inside it


@dataclass(frozen=True)
class ReminderRow:
    """A member at 3+ times not taking part, as the township's 谈话提醒名单 lists them."""

    name: str
    category: str
    not_taking_part: int
    unqualified_basis: bool
    talk: str | None  # the latest talk in words, "" when none is recorded, None: not attached
    late: bool = False  # still 待整改 after the deadline


@dataclass(frozen=True)
class BranchSummary:
    """One branch's row of the township workbook."""

    bundle: str  # file name of the bundle
    branch: str
    superior_org: str
    year: int
    created_at: str
    planned: int
    held: int
    months_without_activity: tuple[int, ...]
    attendance_rate: float | None  # fraction 0–1, as compute_statistics gives it
    overdue_records: int
    talk_reminder: int  # members who did not take part 3+ times
    talked: int | None  # of those, members with a 谈话提醒 recorded; None: bundle has no talks
    unqualified_basis: int  # 6+ times
    members: int
    reminders: tuple[ReminderRow, ...] = ()  # the members behind talk_reminder (a few a branch)


@dataclass
class RejectedBundle:
    """A bundle left out of the sums: failed verification, or set aside (an older duplicate of
    the same branch and year, or a bundle of another year than the one summed)."""

    path: Path
    problems: list[tuple[str, str]]
    duplicate: bool = False
    other_year: bool = False
    branch: str = ""  # from the manifest, else guessed from the file name ("" if unknown)
    year: int | None = None

    @property
    def set_aside(self) -> bool:
        """Intact but not summed: nothing for the branch to redo."""
        return self.duplicate or self.other_year

    @property
    def state(self) -> str:
        if self.duplicate:
            return "未采用（重复）"
        if self.other_year:
            return "未采用（其他年度）"
        return "未通过校验"

    @property
    def advice(self) -> str:
        """What the township clerk does about it, in plain words."""
        if self.duplicate:
            return "无需处理：已采用同一支部较新的报送包"
        if self.other_year:
            return (
                f"无需处理；如需汇总{self.year}年度，请在“汇总年度”中选{self.year}年"
                f"（命令行加 --year {self.year}）"
            )
        return failure_advice(self.path, self.problems, bool(self.branch))


@dataclass
class AggregateResult:
    out_path: Path
    rows: list[BranchSummary] = field(default_factory=list)
    rejected: list[RejectedBundle] = field(default_factory=list)
    year: int | None = None  # the year summed

    @property
    def ok(self) -> bool:
        """Every bundle verified (a bundle set aside as a duplicate or of another year is not
        a failure)."""
        return all(r.set_aside for r in self.rejected)

    @property
    def failed(self) -> list[RejectedBundle]:
        return [r for r in self.rejected if not r.set_aside]

    def summary(self) -> str:
        year = f"{self.year}年度" if self.year else ""
        lines = [
            f"已汇总 {len(self.rows)} 个党支部{year}的报送包，"
            f"{len(self.failed)} 个未通过校验，"
            f"{len(self.rejected) - len(self.failed)} 个未采用；汇总表：{self.out_path}"
        ]
        for bad in self.rejected:
            who = f"（{bad.branch}）" if bad.branch and bad.branch not in bad.path.name else ""
            lines.append(f"{bad.state}：{bad.path.name}{who}")
            lines += [f"  {f}：{r}" for f, r in bad.problems]
            lines.append(f"  → {bad.advice}")
        return "\n".join(lines)


_BUNDLE_NAME = re.compile(r"^(?P<branch>.+?)-(?P<year>\d{4})-党日活动")


def guess_from_name(path: Path) -> tuple[str, int | None]:
    """Branch and year from a bundle's file name (`<branch>-<year>-党日活动.zip`, perhaps with
    "(1)" or other words added by copying) — for bundles too damaged to read the manifest."""
    m = _BUNDLE_NAME.match(path.stem)
    return (m["branch"], int(m["year"])) if m else ("", None)


def _who(report: VerifyReport) -> tuple[str, int | None]:
    manifest = report.manifest or {}
    branch = manifest.get("branch") if isinstance(manifest.get("branch"), dict) else {}
    name, year = branch.get("name"), manifest.get("year")
    if isinstance(name, str) and name and type(year) is int:
        return name, year
    return guess_from_name(report.path)


def _is_bundle_candidate(p: Path) -> bool:
    # "._x.zip" is the shadow file a Mac leaves on a USB stick, "~$" a lock file: not bundles.
    return p.suffix.lower() == ".zip" and not p.name.startswith(("._", "~$")) and p.is_file()


def _zips_in(folder: Path) -> list[Path]:
    """The .zip files in a folder and in its direct subfolders (one per branch, or one per USB
    stick copied in), each folder's sorted by name."""
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    found = [p for p in entries if _is_bundle_candidate(p)]
    for sub in entries:
        if sub.is_dir() and not sub.name.startswith("."):
            try:
                found += sorted(p for p in sub.iterdir() if _is_bundle_candidate(p))
            except OSError:
                continue
    return found


def expand_bundle_paths(items: Iterable[str | os.PathLike]) -> list[Path]:
    """Files as given, folders as the .zip files in them and in their direct subfolders, and
    wildcard patterns expanded here (the Windows console does not expand `*.zip` itself)."""
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            out += _zips_in(p)
        elif not p.exists() and any(c in str(item) for c in "*?["):
            out += sorted(Path(x) for x in glob.glob(str(item)))
        else:
            out.append(p)
    seen: set[Path] = set()
    unique = []
    for p in out:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def summarise_bundle(report: VerifyReport, today: dt.date | None = None) -> BranchSummary:
    """A verified bundle's row: the branch's own `compute_statistics` over its data.json."""
    assert report.ok and report.data is not None
    data = YearData.from_json(report.data)
    stats = compute_statistics(data, today=today)
    b = stats.branch
    talked = None
    talks = None
    if TALKS in report.data:  # bundles exported before the talks were added have none
        talks = talks_from_json(report.data[TALKS], data.year)
        talked = sum(1 for m in stats.talk_reminder if talks.get(m.member_id))
    today = stats.today
    reminders = []
    for m in stats.talk_reminder:
        held = (talks or {}).get(m.member_id) or []
        last = held[-1] if held else None
        talk = None if talks is None else ""
        if last is not None:
            talk = f"{last.talk_date.isoformat()} 谈话；{last.state_text(today)}"
        reminders.append(
            ReminderRow(
                m.name,
                m.category,
                m.not_taking_part,
                m.unqualified_basis,
                talk,
                late=last is not None and last.is_past_deadline(today),
            )
        )
    return BranchSummary(
        bundle=report.path.name,
        branch=data.branch.name,
        superior_org=data.branch.superior_org,
        year=data.year,
        created_at=str((report.manifest or {}).get("created_at", "")),
        planned=b.planned,
        held=b.held,
        months_without_activity=tuple(b.months_without_activity),
        attendance_rate=b.attendance_rate,
        overdue_records=b.overdue_records,
        talk_reminder=len(stats.talk_reminder),
        talked=talked,
        unqualified_basis=len(stats.unqualified_basis),
        members=len(data.members),
        reminders=tuple(reminders),
    )


def aggregate_bundles(
    paths: Iterable[str | os.PathLike],
    out_xlsx: Path,
    progress: Progress | None = None,
    today: dt.date | None = None,
    year: int | None = None,
) -> AggregateResult:
    """Verify every bundle, sum up the good ones a row per branch, list the bad ones with their
    reasons, and write one workbook (temp name, then rename). Bad bundles never stop the rest.

    One workbook sums one year: `year`, or else the year most of the intact bundles are of (the
    latest on a tie); an intact bundle of another year is set aside and listed, never added to
    the totals. When the same branch sent two bundles for the same year, the newer one
    (manifest `created_at`) is used and the older one is listed as set aside.
    """
    report_progress = progress or (lambda done, total, text="": None)
    bundles = expand_bundle_paths(paths)
    if not bundles:
        raise UserError("没有找到要汇总的报送包（.zip 文件）。", "no bundles given")
    out_xlsx = Path(out_xlsx)
    if not out_xlsx.parent.is_dir():
        raise UserError(
            f"找不到保存汇总表的文件夹“{out_xlsx.parent}”。", f"no folder {out_xlsx.parent}"
        )
    if out_xlsx.suffix.lower() != ".xlsx":
        raise UserError("汇总表请保存为 .xlsx 文件。", "output must be .xlsx")

    result = AggregateResult(out_xlsx)
    chosen: dict[tuple[str, int], tuple[BranchSummary, Path]] = {}
    total = len(bundles) + 1
    for i, path in enumerate(bundles):
        report_progress(i, total, f"正在校验 {path.name}（{i + 1}/{len(bundles)}）…")
        report = verify_bundle(path, keep_data=True)
        if not report.ok:
            branch, bundle_year = _who(report)
            result.rejected.append(
                RejectedBundle(path, report.problems, branch=branch, year=bundle_year)
            )
            continue
        try:
            row = summarise_bundle(report, today)
        except Exception as err:  # verified data that still cannot be summed: list it, go on
            reason = f"无法统计（{type(err).__name__}）"
            branch, bundle_year = _who(report)
            result.rejected.append(
                RejectedBundle(path, [("data.json", reason)], branch=branch, year=bundle_year)
            )
            continue
        finally:
            report.data = None  # keep memory flat: only the row survives
        key = (row.branch, row.year)
        if key not in chosen:
            chosen[key] = (row, path)
            continue
        older = chosen[key]
        keep, drop = (
            ((row, path), older) if row.created_at >= older[0].created_at else (older, (row, path))
        )
        chosen[key] = keep
        reason = f"同一党组织同一年度的报送包重复，已采用较新的 {keep[0].bundle}"
        result.rejected.append(
            RejectedBundle(
                drop[1],
                [(drop[0].bundle, reason)],
                duplicate=True,
                branch=row.branch,
                year=row.year,
            )
        )

    result.year = year if year is not None else _main_year(r.year for r, _ in chosen.values())
    rows = []
    for row, path in chosen.values():
        if result.year is None or row.year == result.year:
            rows.append(row)
            continue
        reason = f"是{row.year}年度的报送包，本次汇总的是{result.year}年度"
        result.rejected.append(
            RejectedBundle(
                path, [(row.bundle, reason)], other_year=True, branch=row.branch, year=row.year
            )
        )
    result.rows = sorted(rows, key=lambda r: r.branch)
    # Failures first (they need a phone call), then what was set aside; by file name within.
    result.rejected.sort(key=lambda r: (r.set_aside, r.path.name))
    report_progress(len(bundles), total, "正在写入汇总表…")
    write_aggregate_xlsx(result, out_xlsx)
    report_progress(total, total, "完成")
    return result


def _main_year(years: Iterable[int]) -> int | None:
    """The year most bundles are of; the latest of those on a tie; None when there are none."""
    counts = Counter(years)
    if not counts:
        return None
    return max(counts, key=lambda y: (counts[y], y))


def _months_text(months: tuple[int, ...]) -> str:
    return "、".join(f"{m}月" for m in months) or "无"


def _landscape(ws, *, title_rows: str) -> None:
    """Print on A4 landscape, all columns on one page width, the header row on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = title_rows
    ws.page_margins.left = ws.page_margins.right = 0.4


def _mean(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


_LEFT = {"党组织", "上级党组织", "无活动月份", "报送包"}  # text columns, left and wrapped
# Columns of 汇总 whose non-zero value asks the township to look closer.
_WATCH = {"无活动月数", "无活动月份", "逾期未报送记录", "累计未参加6次及以上（人）"}


HEADER_STYLE = "汇总表头"


def _style_header(ws, row: int, height: int) -> None:
    """A sheet's column headings: bold, shaded, centred, boxed (the named style)."""
    for cell in ws[row]:
        cell.style = HEADER_STYLE
    ws.row_dimensions[row].height = height


def _talks_sheet(ws, result: AggregateResult, styles, font) -> None:
    """谈话提醒名单 (rule 8): every member at 3+ times not taking part in the summed branches,
    with the branch's latest talk, 未谈话 in red, or 未附 for a bundle made before talks
    travelled with it — so the township can follow up the talks (seed 四.2, 四.5)."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    year = f"{result.year}年" if result.year else ""
    ws.append([f"下级党组织{year}谈话提醒名单（累计未参加3次及以上的党员）"])
    ws["A1"].font = Font(name=font, bold=True, size=14)
    ws.append(list(TALK_HEADERS))
    _style_header(ws, 2, 24)
    count = 0
    for r in result.rows:
        for m in r.reminders:
            hint = "谈话提醒" + (
                "；6次及以上，不合格党员认定依据（参考）" if m.unqualified_basis else ""
            )
            talk = NOT_ATTACHED if m.talk is None else m.talk or "未谈话"
            ws.append([r.branch, m.name, m.category, m.not_taking_part, hint, talk])
            row = 3 + count  # (ws.max_row rescans the sheet: quadratic over thousands of rows)
            for col in range(1, len(TALK_HEADERS) + 1):
                left = col in (1, 2, 5, 6)
                warn = col == 6 and (m.talk == "" or m.late)
                ws.cell(row=row, column=col).style = styles[(left, warn)]
            count += 1
    if not count:
        ws.append(["（汇总的党支部中没有累计未参加3次及以上的党员）"])
    for i, w in enumerate((28, 10, 10, 10, 48, 46), start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    from app.reports.statistics_xlsx import fit_row_heights

    fit_row_heights(ws, 3, 2 + count)
    last = get_column_letter(len(TALK_HEADERS))
    ws.merge_cells(f"A1:{last}1")
    ws.freeze_panes = "C3"
    if count:
        ws.auto_filter.ref = f"A2:{last}{2 + count}"
    _landscape(ws, title_rows="2:2")


def write_aggregate_xlsx(result: AggregateResult, out: Path) -> Path:
    """The township workbook: 汇总 (a row per branch and a 合计 row), 谈话提醒名单 and
    未汇总的报送包."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from app.reports.statistics_xlsx import fit_row_heights

    font = "宋体"
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    plain = Font(name=font, size=11)
    bold = Font(name=font, size=11, bold=True)
    warn = Font(name=font, size=11, bold=True, color="C00000")
    head_fill = PatternFill("solid", fgColor="F2DCDB")
    warn_fill = PatternFill("solid", fgColor="FFC7CE")
    total_fill = PatternFill("solid", fgColor="EEEEEE")
    head_align = Alignment(wrap_text=True, vertical="center", horizontal="center")
    centre = Alignment(horizontal="center", vertical="center")
    left = Alignment(vertical="center", wrap_text=True)

    wb = Workbook()
    # Named styles: one lookup per cell instead of hashing a font, border and alignment for
    # each of 500 branches x 16 columns (3x faster to write).
    styles: dict[tuple[bool, bool], str] = {}
    for is_left in (False, True):
        for watch in (False, True):
            name = f"汇总{'左' if is_left else '中'}{'警示' if watch else ''}"
            wb.add_named_style(
                NamedStyle(
                    name,
                    font=warn if watch else plain,
                    fill=warn_fill if watch else PatternFill(),
                    border=border,
                    alignment=left if is_left else centre,
                )
            )
            styles[(is_left, watch)] = name
    wb.add_named_style(
        NamedStyle(HEADER_STYLE, font=bold, fill=head_fill, border=border, alignment=head_align)
    )
    top = Alignment(wrap_text=True, vertical="top")
    for name, font_, align in (
        ("未汇总", plain, top),
        ("未汇总中", plain, Alignment(wrap_text=True, vertical="top", horizontal="center")),
        ("未汇总警示", warn, top),
    ):
        wb.add_named_style(NamedStyle(name, font=font_, border=border, alignment=align))
    ws = wb.active
    ws.title = SHEET_SUMMARY
    made = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    year = f"{result.year}年" if result.year else ""
    ws.append([f"下级党组织{year}党员活动日情况汇总（{len(result.rows)} 个党支部，汇总于 {made}）"])
    ws["A1"].font = Font(name=font, bold=True, size=14)
    ws["A1"].alignment = Alignment(vertical="center")
    ws.row_dimensions[1].height = 26
    ws.append(list(SUMMARY_HEADERS))
    _style_header(ws, 2, 36)
    rate_col = SUMMARY_HEADERS.index("平均参加率") + 1
    for n, r in enumerate(result.rows, start=1):
        ws.append(
            [
                n,
                r.branch,
                r.superior_org,
                r.year,
                r.planned,
                r.held,
                len(r.months_without_activity),
                _months_text(r.months_without_activity),
                r.attendance_rate if r.attendance_rate is not None else "—",
                r.overdue_records,
                r.talk_reminder,
                NOT_ATTACHED if r.talked is None else r.talked,
                r.unqualified_basis,
                r.members,
                r.bundle,
                r.created_at[:16].replace("T", " "),
            ]
        )
        row = 2 + n
        for col, header in enumerate(SUMMARY_HEADERS, start=1):
            cell = ws.cell(row=row, column=col)
            watch = header in _WATCH and cell.value not in (0, "无")
            if header == "其中已谈话（人）":  # members due a talk who have not had one
                watch = isinstance(cell.value, int) and cell.value < r.talk_reminder
            cell.style = styles[(header in _LEFT, watch)]
        ws.cell(row=row, column=rate_col).number_format = "0.0%"
    if result.rows:
        rows = result.rows
        ws.append(
            [
                "合计",
                f"{len(rows)} 个党支部",
                "",
                result.year or "",
                sum(r.planned for r in rows),
                sum(r.held for r in rows),
                sum(len(r.months_without_activity) for r in rows),
                "",
                _mean(r.attendance_rate for r in rows) or "—",
                sum(r.overdue_records for r in rows),
                sum(r.talk_reminder for r in rows),
                (
                    sum(r.talked for r in rows if r.talked is not None)
                    if any(r.talked is not None for r in rows)
                    else NOT_ATTACHED
                ),
                sum(r.unqualified_basis for r in rows),
                sum(r.members for r in rows),
                "",
                "",
            ]
        )
        for cell in ws[ws.max_row]:
            cell.font = bold
            cell.border = border
            cell.fill = total_fill
            cell.alignment = centre
        ws.cell(row=ws.max_row, column=rate_col).number_format = "0.0%"
    else:
        ws.append(["（没有通过校验的报送包可汇总，见“未汇总的报送包”工作表）"])
    ws.append([])
    ws.append(
        [
            "说明：各项数字由各支部报送包中的台账数据（data.json）按与支部端相同的统计规则计算；"
            "平均参加率为各次已开展活动实际参加党员/应参加党员的平均值，合计行为各支部的平均值；"
            "“其中已谈话”为累计未参加3次及以上的党员中已登记谈话提醒的人数，“未附”表示该报送包"
            "由旧版程序导出、未附谈话记录，“谈话提醒名单”工作表列出这些党员及谈话情况；"
            "红色为需要关注的情况；"
            "“未汇总的报送包”工作表列出未通过校验、重复或其他年度的报送包、原因及处理办法。"
        ]
    )
    last = get_column_letter(len(SUMMARY_HEADERS))
    ws.merge_cells(f"A1:{last}1")
    note_row = ws.max_row
    ws.merge_cells(f"A{note_row}:{last}{note_row}")
    ws.cell(row=note_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.cell(row=note_row, column=1).font = Font(name=font, size=10, color="555555")
    ws.row_dimensions[note_row].height = 44
    widths = (6, 28, 18, 7, 9, 10, 10, 20, 11, 11, 13, 10, 13, 9, 38, 17)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    fit_row_heights(ws, 3, 2 + len(result.rows))
    ws.freeze_panes = "C3"
    if result.rows:
        ws.auto_filter.ref = f"A2:{last}{2 + len(result.rows)}"
    _landscape(ws, title_rows="2:2")

    _talks_sheet(wb.create_sheet(SHEET_TALKS), result, styles, font)

    bad = wb.create_sheet(SHEET_REJECTED)
    bad.append(list(REJECTED_HEADERS))
    _style_header(bad, 1, 24)
    bad_row = 1
    for item in result.rejected:
        for file, reason in item.problems:
            bad_row += 1
            bad.append(
                [
                    item.path.name,
                    item.branch or "（无法识别）",
                    item.year or "",
                    item.state,
                    WHOLE_FILE if file == item.path.name else file,
                    reason,
                    item.advice,
                ]
            )
            for col in range(1, len(REJECTED_HEADERS) + 1):
                cell = bad.cell(row=bad_row, column=col)
                if col == 3:
                    cell.style = "未汇总中"
                elif col == 4 and not item.set_aside:
                    cell.style = "未汇总警示"
                else:
                    cell.style = "未汇总"
    if not result.rejected:
        bad.append(["（全部报送包均通过校验并已汇总）"])
    for i, w in enumerate((34, 24, 7, 18, 26, 46, 40), start=1):
        bad.column_dimensions[get_column_letter(i)].width = w
    fit_row_heights(bad, 2, bad_row)
    bad.freeze_panes = "B2"
    _landscape(bad, title_rows="1:1")

    out = Path(out)
    tmp = out.with_name(out.name + ".part")
    try:
        wb.save(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        if isinstance(err, PermissionError):
            raise UserError(
                f"无法写入“{out}”：文件可能正在 Excel 中打开，请关闭后重试。",
                f"permission denied writing {out}",
            ) from err
        raise UserError(
            f"写入汇总表“{out}”失败：{err.strerror or err}", f"cannot write {out}: {err}"
        ) from err
    return out
