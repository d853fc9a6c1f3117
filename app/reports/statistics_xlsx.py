"""The statistics workbook (统计表.xlsx): branch summary, one row per member, the 谈话提醒 list
with the talks held, one row per activity.

Reads only a `YearStatistics` and the year's talk records (`evaluation.talks_for_year`), so the
branch's PC, the export bundle and the township write the same workbook from the same figures.
Every text goes through `xlsx_cells` (stored as text, never a formula); the file is written
through `files.replacing()`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app import files
from app.models import vocab
from app.reports import statistics_columns as shared
from app.reports.xlsx_cells import append, fit_row_heights, put, style
from app.services.evaluation import TalkRecord, Talks
from app.services.statistics import MemberStats, YearStatistics, talk_progress

FONT = "宋体"
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="C00000")
TALK_FILL = PatternFill("solid", fgColor="FFF2CC")  # 谈话提醒: pale yellow
BASIS_FILL = PatternFill("solid", fgColor="F8CBAD")  # 不合格党员认定依据: pale red
WARN_FONT = Font(name=FONT, size=11, bold=True, color="C00000")
NO_TALK_FILL = PatternFill("solid", fgColor="FFC7CE")  # 未谈话: the row the branch must act on
# One object per look, shared by every cell that has it (xlsx_cells.style knows them by identity).
HEAD_FONT = Font(name=FONT, size=11, bold=True, color="FFFFFF")
BODY_FONT = Font(name=FONT, size=11)
HEAD_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
CENTER = Alignment(horizontal="center", vertical="center")
MIDDLE = Alignment(vertical="center")
WRAP = Alignment(vertical="center", wrap_text=True)
WRAP_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
PERCENT = "0.0%"
DATE = "yyyy-mm-dd"

TEXT = {
    **shared.WORDS,
    "summary": "支部汇总",
    "members": "党员情况",
    "talks": "谈话提醒",
    "activities": "活动情况",
    "title": "{branch}　{year}年党员活动日统计",
    "computed": "统计日期：{today}　请假{leave}未参加次数",
    "basis": "不合格党员认定依据（供支部认定参考，不是结论）",
    "below_three": "未达3次（已登记谈话）",
    "basis_short": "6次及以上，不合格党员认定依据（参考）",
    "talk_line": "{date} {talker}谈话；{state}",
    "talks_none": "（本年度没有累计未参加3次及以上的党员，也没有谈话提醒记录）",
    "talks_note": "说明：按《实施意见》四.2，党员每年不参加活动累计3次的，党支部要及时谈话提醒、"
    "提出限期整改意见。“未谈话”表示尚未登记谈话（在“统计”页登记）。",
}

MEMBER_HEADERS = [
    "编号",
    "姓名",
    "类别",
    "离开日期",
    "应参加",
    *vocab.TAKING_PART_STATUSES,
    *shared.MEMBER_TOTALS,
]
TALK_COLUMN = "谈话提醒情况"  # added to MEMBER_HEADERS when the talk records are given
TALK_HEADERS = [
    "编号",
    "姓名",
    "类别",
    "未参加次数",
    "其中缺席",
    "其中请假",
    "提示",
    "谈话日期",
    "谈话人",
    "谈话内容",
    "整改期限",
    "整改情况",
]
ACTIVITY_HEADERS = [
    *shared.ACTIVITY_FIRST,
    *vocab.ATTENDANCE_STATUSES,
    "未登记",
    *shared.ACTIVITY_LAST,
]


def _title(ws: Worksheet, text: str, subtitle: str, width: int) -> None:
    append(ws, [text])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(name=FONT, size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 26
    append(ws, [subtitle])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws["A2"].font = Font(name=FONT, size=10, color="555555")
    ws["A2"].alignment = Alignment(horizontal="center")


def _table(
    ws: Worksheet, headers: list[str], rows: list[list], widths: list[int], first_row: int = 3
) -> None:
    append(ws, headers)
    for col, _ in enumerate(headers, start=1):
        cell = ws.cell(row=first_row, column=col)
        style(cell, font=HEAD_FONT, fill=HEADER_FILL, alignment=HEAD_ALIGN, border=BORDER)
    ws.row_dimensions[first_row].height = 30
    # Rows counted here: ws.max_row rescans the sheet (quadratic over thousands of members).
    for r, row in enumerate(rows, start=first_row + 1):
        append(ws, row)
        for col in range(1, len(headers) + 1):
            cell = ws.cell(row=r, column=col)
            if isinstance(cell.value, dt.date):
                style(cell, font=BODY_FONT, border=BORDER, number_format=DATE, alignment=CENTER)
            elif isinstance(cell.value, int | float):
                style(cell, font=BODY_FONT, border=BORDER, alignment=CENTER)
            else:  # rows grow for wrapped text: keep each row's cells level
                style(cell, font=BODY_FONT, border=BORDER, alignment=MIDDLE)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(row=first_row + 1, column=3)
    last = get_column_letter(len(headers))
    ws.auto_filter.ref = f"A{first_row}:{last}{first_row + len(rows)}"


def _talk_summary(m: MemberStats, talks: Talks, today: dt.date) -> str:
    """The member sheet's 谈话提醒情况 cell: the latest talk, or 未谈话 for a member due one."""
    held = talks.get(m.member_id) or []
    if not held:
        return TEXT["no_talk"] if m.talk_reminder else ""
    t = held[-1]
    text = TEXT["talk_line"].format(
        date=t.talk_date.isoformat(), talker=t.talker, state=t.state_text(today)
    )
    return text if len(held) == 1 else f"{text}（共谈话 {len(held)} 次）"


def _members_sheet(
    ws: Worksheet, stats: YearStatistics, subtitle: str, talks: Talks | None
) -> None:
    headers = MEMBER_HEADERS + ([TALK_COLUMN] if talks is not None else [])
    rows = []
    for m in stats.members:
        rows.append(
            [
                m.member_id,
                m.name,
                m.category,
                m.left_date,
                m.expected,
                *(m.by_status[s] for s in vocab.TAKING_PART_STATUSES),
                *shared.member_counts(m),
                m.rate,
                shared.member_hint(m, TEXT["basis"]),
                *([_talk_summary(m, talks, stats.today)] if talks is not None else []),
            ]
        )
    title = TEXT["title"].format(branch=stats.branch.name, year=stats.year)
    _title(ws, title + "（党员）", subtitle, len(headers))
    widths = [6, 10, 10, 12, 8, 7, 9, 11, 13, 9, 7, 7, 8, 11, 9, 44, 40]
    _table(ws, headers, rows, widths[: len(headers)])
    rate_col = MEMBER_HEADERS.index("参加率") + 1
    for i, m in enumerate(stats.members):
        r = 4 + i
        style(ws.cell(row=r, column=rate_col), number_format=PERCENT)
        fill = BASIS_FILL if m.unqualified_basis else TALK_FILL if m.talk_reminder else None
        if fill is not None:
            for col in range(1, len(headers) + 1):
                style(ws.cell(row=r, column=col), fill=fill)
        if talks is not None:
            cell = ws.cell(row=r, column=len(headers))
            style(cell, alignment=WRAP)
            if cell.value == TEXT["no_talk"]:
                style(cell, font=WARN_FONT, fill=NO_TALK_FILL)
    fit_row_heights(ws, 4, 3 + len(stats.members))
    ws.append([])
    append(ws, [TEXT["basis_note"]])
    ws.merge_cells(
        start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=len(headers)
    )
    ws.cell(row=ws.max_row, column=1).font = Font(name=FONT, size=10, color="555555")


def _talk_cells(t: TalkRecord | None, today: dt.date) -> list:
    if t is None:
        return [TEXT["no_talk"], None, None, None, None]
    return [t.talk_date, t.talker, t.note, t.deadline, t.state_text(today)]


def _talks_sheet(ws: Worksheet, stats: YearStatistics, subtitle: str, talks: Talks) -> None:
    """谈话提醒 (rule 8): every member at 3+ times not taking part, and anyone with a talk
    recorded, with each talk held — or 未谈话, highlighted, where none is recorded yet."""
    rows: list[list] = []
    marks: list[str] = []  # per row: "none" (未谈话), "late" (past the deadline), ""
    for m in stats.members:
        held = list(talks.get(m.member_id) or [])
        if not (m.talk_reminder or held):
            continue
        hint = TEXT["talk"] if m.talk_reminder else TEXT["below_three"]
        hint += "；" + TEXT["basis_short"] if m.unqualified_basis else ""
        member = [m.member_id, m.name, m.category, m.not_taking_part, m.absent, m.leave, hint]
        for t in held or [None]:
            rows.append(member + _talk_cells(t, stats.today))
            marks.append("none" if t is None else "late" if t.is_past_deadline(stats.today) else "")
    title = TEXT["title"].format(branch=stats.branch.name, year=stats.year)
    _title(ws, title + "（谈话提醒）", subtitle, len(TALK_HEADERS))
    widths = [6, 10, 10, 10, 9, 9, 24, 12, 18, 40, 12, 31]
    _table(ws, TALK_HEADERS, rows, widths)
    first = 4
    if not rows:
        put(ws, first, 1, TEXT["talks_none"])  # (freeze_panes made row 4)
        ws.merge_cells(start_row=first, start_column=1, end_row=first, end_column=len(TALK_HEADERS))
        ws.cell(row=first, column=1).font = Font(name=FONT, size=11, color="555555")
    for i, mark in enumerate(marks):
        r = first + i
        for col in (7, 8, 10, 12):
            style(ws.cell(row=r, column=col), alignment=WRAP_CENTER if col == 8 else WRAP)
        if mark == "none":
            for col in range(1, len(TALK_HEADERS) + 1):
                style(ws.cell(row=r, column=col), fill=NO_TALK_FILL)
            style(ws.cell(row=r, column=8), font=WARN_FONT)
        elif mark == "late":
            style(ws.cell(row=r, column=12), font=WARN_FONT)
    fit_row_heights(ws, first, first + len(rows) - 1)
    ws.append([])
    append(ws, [TEXT["talks_note"]])
    ws.merge_cells(
        start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=len(TALK_HEADERS)
    )
    ws.cell(row=ws.max_row, column=1).font = Font(name=FONT, size=10, color="555555")
    ws.cell(row=ws.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[ws.max_row].height = 30


def _activities_sheet(ws: Worksheet, stats: YearStatistics, subtitle: str) -> None:
    rows = [
        [
            *shared.activity_first(i, a),
            *((a.by_status[s] if a.is_held else None) for s in vocab.ATTENDANCE_STATUSES),
            a.unrecorded if a.is_held else None,
            a.rate,
            a.submitted_date,
            a.submission_state,
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
        style(ws.cell(row=r, column=rate_col), number_format=PERCENT)
        style(ws.cell(row=r, column=4), alignment=WRAP)
        if a.overdue:
            style(ws.cell(row=r, column=state_col), font=WARN_FONT)
    fit_row_heights(ws, 4, 3 + len(stats.activities))


def _summary_sheet(
    ws: Worksheet, stats: YearStatistics, subtitle: str, talks: Talks | None
) -> None:
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
            shared.months_without_activity(b),
        ],
        ["报送逾期（活动后3日内未报送）", b.overdue_records],
        ["已开展、尚未报送", b.not_submitted],
        ["平均参加率", b.attendance_rate],
        ["谈话提醒（累计未参加3次及以上）", names(stats.talk_reminder)],
        *([["谈话提醒完成情况", talk_progress(stats, talks)]] if talks is not None else []),
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
        if label.value == "谈话提醒完成情况" and TEXT["no_talk"] in str(value.value):
            value.font = WARN_FONT
    fit_row_heights(ws, 4, ws.max_row)


def write_statistics_xlsx(stats: YearStatistics, out: Path, talks: Talks | None = None) -> Path:
    """Write the workbook to `out` (through `files.replacing()`); returns `out`.

    `talks` are the year's 谈话提醒 records (`evaluation.talks_for_year`): with them the workbook
    gets the 谈话提醒 sheet and a 谈话提醒情况 column; without them (not known) neither, rather
    than calling everyone 未谈话."""
    out = Path(out)
    subtitle = TEXT["computed"].format(
        today=stats.today.isoformat(), leave=shared.leave_word(stats)
    )

    wb = Workbook()
    summary = wb.active
    summary.title = TEXT["summary"]
    _summary_sheet(summary, stats, subtitle, talks)
    _members_sheet(wb.create_sheet(TEXT["members"]), stats, subtitle, talks)
    if talks is not None:
        _talks_sheet(wb.create_sheet(TEXT["talks"]), stats, subtitle, talks)
    _activities_sheet(wb.create_sheet(TEXT["activities"]), stats, subtitle)
    for ws in wb.worksheets:
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = "3:3"

    with files.replacing(out, what="统计表") as tmp:
        wb.save(tmp)
    return out
