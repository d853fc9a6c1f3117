"""The statistics workbook (统计表.xlsx): branch summary, one row per member, one per activity.

Reads only a `YearStatistics`, so the branch's PC, the export bundle and the township write the
same workbook from the same figures. Written to a temp name in the target folder, then renamed.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.models import vocab
from app.services.statistics import YearStatistics

FONT = "宋体"
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="C00000")
TALK_FILL = PatternFill("solid", fgColor="FFF2CC")  # 谈话提醒: pale yellow
BASIS_FILL = PatternFill("solid", fgColor="F8CBAD")  # 不合格党员认定依据: pale red
WARN_FONT = Font(name=FONT, size=11, bold=True, color="C00000")
PERCENT = "0.0%"
DATE = "yyyy-mm-dd"

TEXT = {
    "summary": "支部汇总",
    "members": "党员情况",
    "activities": "活动情况",
    "title": "{branch}　{year}年党员活动日统计",
    "computed": "统计日期：{today}　请假{leave}未参加次数",
    "leave_counts": "计入",
    "leave_excused": "不计入",
    "talk": "谈话提醒",
    "basis": "不合格党员认定依据（供支部认定参考，不是结论）",
    "basis_note": "说明：累计未参加6次及以上的，按《实施意见》四.2作为确定不合格党员的重要依据，"
    "是否认定由党支部按程序研究决定。",
    "none": "无",
    "on_time": "按时报送",
    "late": "逾期报送",
    "overdue": "逾期未报送",
    "pending": "待报送",
    "not_held": "未开展",
}

MEMBER_HEADERS = [
    "编号",
    "姓名",
    "类别",
    "离开日期",
    "应参加",
    *vocab.TAKING_PART_STATUSES,
    "实际参加",
    "请假",
    "缺席",
    "未登记",
    "未参加次数",
    "参加率",
    "提示",
]
ACTIVITY_HEADERS = [
    "序号",
    "计划日期",
    "开展日期",
    "活动主题",
    "应参加",
    "实际参加",
    *vocab.ATTENDANCE_STATUSES,
    "未登记",
    "参加率",
    "报送日期",
    "报送情况",
]


def _title(ws: Worksheet, text: str, subtitle: str, width: int) -> None:
    ws.append([text])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(name=FONT, size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 26
    ws.append([subtitle])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws["A2"].font = Font(name=FONT, size=10, color="555555")
    ws["A2"].alignment = Alignment(horizontal="center")


def _table(
    ws: Worksheet, headers: list[str], rows: list[list], widths: list[int], first_row: int = 3
) -> None:
    ws.append(headers)
    for col, _ in enumerate(headers, start=1):
        cell = ws.cell(row=first_row, column=col)
        cell.font = Font(name=FONT, size=11, bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BORDER
    ws.row_dimensions[first_row].height = 30
    for row in rows:
        ws.append(row)
        r = ws.max_row
        for col in range(1, len(headers) + 1):
            cell = ws.cell(row=r, column=col)
            cell.font = Font(name=FONT, size=11)
            cell.border = BORDER
            if isinstance(cell.value, dt.date):
                cell.number_format = DATE
                cell.alignment = Alignment(horizontal="center")
            elif isinstance(cell.value, int | float):
                cell.alignment = Alignment(horizontal="center")
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(row=first_row + 1, column=3)
    last = get_column_letter(len(headers))
    ws.auto_filter.ref = f"A{first_row}:{last}{max(ws.max_row, first_row)}"


def _submission_state(a, today: dt.date) -> str:
    if not a.is_held:
        return TEXT["not_held"]
    if a.submitted_date is None:
        return TEXT["overdue"] if a.overdue else TEXT["pending"]
    return TEXT["late"] if a.overdue else TEXT["on_time"]


def _members_sheet(ws: Worksheet, stats: YearStatistics, subtitle: str) -> None:
    rows = []
    for m in stats.members:
        hint = TEXT["basis"] if m.unqualified_basis else TEXT["talk"] if m.talk_reminder else ""
        rows.append(
            [
                m.member_id,
                m.name,
                m.category,
                m.left_date,
                m.expected,
                *(m.by_status[s] for s in vocab.TAKING_PART_STATUSES),
                m.took_part,
                m.leave,
                m.absent,
                m.unrecorded,
                m.not_taking_part,
                m.rate,
                hint,
            ]
        )
    title = TEXT["title"].format(branch=stats.branch.name, year=stats.year)
    _title(ws, title + "（党员）", subtitle, len(MEMBER_HEADERS))
    widths = [6, 10, 10, 12, 8, 7, 9, 11, 13, 9, 7, 7, 8, 11, 9, 44]
    _table(ws, MEMBER_HEADERS, rows, widths)
    rate_col = MEMBER_HEADERS.index("参加率") + 1
    for i, m in enumerate(stats.members):
        r = 4 + i
        ws.cell(row=r, column=rate_col).number_format = PERCENT
        fill = BASIS_FILL if m.unqualified_basis else TALK_FILL if m.talk_reminder else None
        if fill is not None:
            for col in range(1, len(MEMBER_HEADERS) + 1):
                ws.cell(row=r, column=col).fill = fill
    ws.append([])
    ws.append([TEXT["basis_note"]])
    ws.merge_cells(
        start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=len(MEMBER_HEADERS)
    )
    ws.cell(row=ws.max_row, column=1).font = Font(name=FONT, size=10, color="555555")


def _activities_sheet(ws: Worksheet, stats: YearStatistics, subtitle: str) -> None:
    rows = [
        [
            i,
            a.plan_date,
            a.held_date,
            a.theme,
            a.expected if a.is_held else None,
            a.took_part if a.is_held else None,
            *((a.by_status[s] if a.is_held else None) for s in vocab.ATTENDANCE_STATUSES),
            a.unrecorded if a.is_held else None,
            a.rate,
            a.submitted_date,
            _submission_state(a, stats.today),
        ]
        for i, a in enumerate(stats.activities, start=1)
    ]
    title = TEXT["title"].format(branch=stats.branch.name, year=stats.year)
    _title(ws, title + "（活动）", subtitle, len(ACTIVITY_HEADERS))
    widths = [6, 12, 12, 36, 8, 9, 7, 9, 11, 13, 7, 7, 8, 9, 12, 12]
    _table(ws, ACTIVITY_HEADERS, rows, widths)
    rate_col = ACTIVITY_HEADERS.index("参加率") + 1
    state_col = len(ACTIVITY_HEADERS)
    for i, a in enumerate(stats.activities):
        r = 4 + i
        ws.cell(row=r, column=rate_col).number_format = PERCENT
        ws.cell(row=r, column=4).alignment = Alignment(wrap_text=True, vertical="center")
        if a.overdue:
            ws.cell(row=r, column=state_col).font = WARN_FONT


def _summary_sheet(ws: Worksheet, stats: YearStatistics, subtitle: str) -> None:
    b = stats.branch
    _title(ws, TEXT["title"].format(branch=b.name, year=stats.year), subtitle, 2)

    def names(members) -> str:
        return "、".join(f"{m.name}（{m.not_taking_part}次）" for m in members) or TEXT["none"]

    rows = [
        ["计划活动次数", b.planned],
        ["已开展次数", b.held],
        ["截至统计日应开展次数", b.due],
        [
            "无活动月份",
            "、".join(f"{m}月" for m in b.months_without_activity) or TEXT["none"],
        ],
        ["报送逾期（活动后3日内未报送）", b.overdue_records],
        ["已开展、尚未报送", b.not_submitted],
        ["平均参加率", b.attendance_rate],
        ["谈话提醒（累计未参加3次及以上）", names(stats.talk_reminder)],
        [
            "不合格党员认定依据（6次及以上，供支部认定参考，不是结论）",
            names(stats.unqualified_basis),
        ],
        [
            "评先评优",
            stats.excellence_note()
            or "截至统计日期，已过月份均开展了党日活动，未发现不得评先选优的情形。",
        ],
    ]
    rows += [[f"参加情况：{s}", n] for s, n in stats.status_totals().items()]
    _table(ws, ["项目", "情况"], rows, [34, 80])
    ws.freeze_panes = None
    ws.auto_filter.ref = None
    for r in range(4, ws.max_row + 1):
        label = ws.cell(row=r, column=1)
        label.font = Font(name=FONT, size=11, bold=True)
        label.alignment = Alignment(vertical="center", wrap_text=True)
        value = ws.cell(row=r, column=2)
        value.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        if label.value == "平均参加率":
            value.number_format = PERCENT
        if label.value == "评先评优" and stats.branch.excellence_ruled_out:
            value.font = WARN_FONT
            ws.row_dimensions[r].height = 48
        if label.value and str(label.value).startswith(("谈话提醒", "不合格")):
            ws.row_dimensions[r].height = 32


def write_statistics_xlsx(stats: YearStatistics, out: Path) -> Path:
    """Write the workbook to `out` (temp name in the same folder, then rename); returns `out`."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    leave = TEXT["leave_counts"] if stats.leave_counts_as_absent else TEXT["leave_excused"]
    subtitle = TEXT["computed"].format(today=stats.today.isoformat(), leave=leave)

    wb = Workbook()
    summary = wb.active
    summary.title = TEXT["summary"]
    _summary_sheet(summary, stats, subtitle)
    _members_sheet(wb.create_sheet(TEXT["members"]), stats, subtitle)
    _activities_sheet(wb.create_sheet(TEXT["activities"]), stats, subtitle)
    for ws in wb.worksheets:
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = "3:3"

    fd, tmp = tempfile.mkstemp(prefix=".统计表-", suffix=".xlsx.tmp", dir=out.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
