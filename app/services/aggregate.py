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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import UserError
from app.services.bundle import TALKS, VerifyReport, verify_bundle
from app.services.evaluation import talks_from_json
from app.services.ledger import YearData
from app.services.statistics import compute_statistics

Progress = Callable[[int, int, str], None]

SHEET_SUMMARY = "汇总"
SHEET_REJECTED = "未汇总的报送包"
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
REJECTED_HEADERS = ("报送包", "包内文件", "原因")
NOT_ATTACHED = "未附"  # a bundle made before the talk records travelled with it
WHOLE_FILE = "（整个文件）"  # a problem of the zip itself, not of a file inside it


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


@dataclass
class RejectedBundle:
    """A bundle left out of the sums: failed verification, or an older duplicate."""

    path: Path
    problems: list[tuple[str, str]]
    duplicate: bool = False


@dataclass
class AggregateResult:
    out_path: Path
    rows: list[BranchSummary] = field(default_factory=list)
    rejected: list[RejectedBundle] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every bundle verified (an older duplicate set aside is not a failure)."""
        return all(r.duplicate for r in self.rejected)

    def summary(self) -> str:
        lines = [
            f"已汇总 {len(self.rows)} 个党支部，{len(self.rejected)} 个报送包未汇总；"
            f"汇总表：{self.out_path}"
        ]
        for bad in self.rejected:
            lines.append(f"{'未采用' if bad.duplicate else '未通过'}：{bad.path.name}")
            lines += [f"  {f}：{r}" for f, r in bad.problems]
        return "\n".join(lines)


def expand_bundle_paths(items: Iterable[str | os.PathLike]) -> list[Path]:
    """Files as given, folders as the .zip files directly inside them, and wildcard patterns
    expanded here (the Windows console does not expand `*.zip` itself)."""
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            out += sorted(x for x in p.iterdir() if x.suffix.lower() == ".zip" and x.is_file())
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
    if TALKS in report.data:  # bundles exported before the talks were added have none
        talks = talks_from_json(report.data[TALKS], data.year)
        talked = sum(1 for m in stats.talk_reminder if talks.get(m.member_id))
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
    )


def aggregate_bundles(
    paths: Iterable[str | os.PathLike],
    out_xlsx: Path,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> AggregateResult:
    """Verify every bundle, sum up the good ones a row per branch, list the bad ones with their
    reasons, and write one workbook (temp name, then rename). Bad bundles never stop the rest.

    When the same branch sent two bundles for the same year, the newer one (manifest
    `created_at`) is used and the older one is listed as set aside.
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
            result.rejected.append(RejectedBundle(path, report.problems))
            continue
        try:
            row = summarise_bundle(report, today)
        except Exception as err:  # verified data that still cannot be summed: list it, go on
            reason = f"无法统计（{type(err).__name__}）"
            result.rejected.append(RejectedBundle(path, [("data.json", reason)]))
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
        result.rejected.append(RejectedBundle(drop[1], [(drop[0].bundle, reason)], duplicate=True))

    result.rows = sorted((r for r, _ in chosen.values()), key=lambda r: (r.year, r.branch))
    report_progress(len(bundles), total, "正在写入汇总表…")
    write_aggregate_xlsx(result, out_xlsx)
    report_progress(total, total, "完成")
    return result


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


def write_aggregate_xlsx(result: AggregateResult, out: Path) -> Path:
    """The township workbook: 汇总 (a row per branch and a 合计 row) and 未通过校验."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_SUMMARY
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="F2DCDB")
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")
    made = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    ws.append([f"下级党组织党员活动日情况汇总（{len(result.rows)} 个党支部，汇总于 {made}）"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(list(SUMMARY_HEADERS))
    for cell in ws[2]:
        cell.font = bold
        cell.fill = head_fill
        cell.alignment = wrap
    ws.row_dimensions[2].height = 36
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
                r.attendance_rate,
                r.overdue_records,
                r.talk_reminder,
                NOT_ATTACHED if r.talked is None else r.talked,
                r.unqualified_basis,
                r.members,
                r.bundle,
                r.created_at[:16].replace("T", " "),
            ]
        )
        ws.cell(row=ws.max_row, column=9).number_format = "0.0%"
    if result.rows:
        rows = result.rows
        ws.append(
            [
                "合计",
                f"{len(rows)} 个党支部",
                "",
                "",
                sum(r.planned for r in rows),
                sum(r.held for r in rows),
                sum(len(r.months_without_activity) for r in rows),
                "",
                None,
                sum(r.overdue_records for r in rows),
                sum(r.talk_reminder for r in rows),
                sum(r.talked or 0 for r in rows),
                sum(r.unqualified_basis for r in rows),
                sum(r.members for r in rows),
                "",
                "",
            ]
        )
        for cell in ws[ws.max_row]:
            cell.font = bold
    ws.append([])
    ws.append(
        [
            "说明：各项数字由各支部报送包中的台账数据（data.json）按与支部端相同的统计规则计算；"
            "平均参加率为各次已开展活动实际参加党员/应参加党员的平均值；"
            "“未汇总的报送包”工作表列出未通过校验或重复的报送包及原因。"
        ]
    )
    last = get_column_letter(len(SUMMARY_HEADERS))
    ws.merge_cells(f"A1:{last}1")
    note_row = ws.max_row
    ws.merge_cells(f"A{note_row}:{last}{note_row}")
    ws.cell(row=note_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[note_row].height = 32
    widths = (6, 28, 20, 7, 9, 10, 10, 22, 11, 13, 14, 10, 14, 9, 36, 17)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "C3"
    _landscape(ws, title_rows="2:2")

    bad = wb.create_sheet(SHEET_REJECTED)
    bad.append(list(REJECTED_HEADERS))
    for cell in bad[1]:
        cell.font = bold
        cell.fill = head_fill
    for item in result.rejected:
        for file, reason in item.problems:
            bad.append([item.path.name, WHOLE_FILE if file == item.path.name else file, reason])
    if not result.rejected:
        bad.append(["（全部报送包均通过校验）", "", ""])
    for col, w in zip("ABC", (40, 30, 70), strict=True):
        bad.column_dimensions[col].width = w
    for row in bad.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
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
