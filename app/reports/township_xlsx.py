"""Where the township's workbook is made (汇总.xlsx; docs/formats.md "Workbooks"): 汇总 (a row
per branch and a 合计 row), 谈话提醒名单 and 未汇总的报送包, from an `AggregateResult`.

Streamed with openpyxl's write-only mode, so memory does not grow with the number of branches:
each row's styles and height are settled before it is appended. Every text goes through
`xlsx_cells`, so a hostile branch name is stored as text, never as a formula."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from copy import copy
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app import files
from app.reports.xlsx_cells import LINE_HEIGHT, new_cell, wrapped_height

if TYPE_CHECKING:
    from app.township.aggregate import AggregateResult, BranchSummary, RejectedBundle

SHEET_SUMMARY = "汇总"
SHEET_REJECTED = "未汇总的报送包"
SHEET_TALKS = "谈话提醒名单"
SHEET_NOT_SUBMITTED = "未报送的党组织"
NOT_SUBMITTED_HEADERS = ("序号", "党组织", "密钥指纹", "说明")
NOT_SUBMITTED_WIDTHS = (6, 34, 24, 50)
TALK_HEADERS = ("党组织", "姓名", "类别", "未参加次数", "提示", "谈话提醒情况")
SUMMARY_HEADERS = (
    "序号",
    "党组织",
    "签名",
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

# Each column as wide as its longest header line (HEADER_LINES) or its usual value, no wider:
# 198 units print at about 71 % on A4 landscape (the first widths, 256 units, at 56 %).
SUMMARY_WIDTHS = (6, 22, 16, 13, 6, 6, 8, 8, 14, 8, 12, 12, 8, 12, 10, 20, 17)
TALK_WIDTHS = (28, 10, 10, 12, 48, 46)
# Headers as printed, broken where a reader breaks them: Excel breaks Chinese anywhere once a
# header is wider than its column ("逾期未报送记" / "录").
HEADER_LINES = {
    "计划次数": "计划\n次数",
    "已开展次数": "已开展\n次数",
    "无活动月数": "无活动\n月数",
    "平均参加率": "平均\n参加率",
    "逾期未报送记录": "逾期未报送\n记录",
    "累计未参加3次及以上（人）": "累计未参加\n3次及以上\n（人）",
    "其中已谈话（人）": "其中\n已谈话\n（人）",
    "累计未参加6次及以上（人）": "累计未参加\n6次及以上\n（人）",
    "年内在册党员": "年内在册\n党员",
}
REJECTED_WIDTHS = (34, 24, 7, 18, 26, 46, 40)
_LEFT = {"党组织", "签名", "上级党组织", "无活动月份", "报送包"}  # text columns, left and wrapped
# Columns of 汇总 whose non-zero value asks the township to look closer.
_WATCH = {"无活动月数", "无活动月份", "逾期未报送记录", "累计未参加6次及以上（人）"}
_TALK_LEFT = (0, 1, 4, 5)  # 0-based columns of 谈话提醒名单 that are text, left and wrapped
PERCENT = "0.0%"

FONT = "宋体"
HEADER_STYLE = "汇总表头"
TITLE_STYLE = "汇总标题"
TOTAL_STYLE = "汇总合计"
NOTE_STYLE = "汇总说明"
REJECTED_STYLE, REJECTED_CENTRE, REJECTED_WARN = "未汇总", "未汇总中", "未汇总警示"

TEXT = {
    "title": "下级党组织{year}党员活动日情况汇总（{n} 个党支部，汇总于 {made}）",
    "talks_title": "下级党组织{year}谈话提醒名单（累计未参加3次及以上的党员）",
    "no_rows": "（没有通过校验的报送包可汇总，见“未汇总的报送包”工作表）",
    "no_talks": "（汇总的党支部中没有累计未参加3次及以上的党员）",
    "no_rejected": "（全部报送包均通过校验并已汇总）",
    "same_name": "；同名，按密钥区分",
    "all_submitted": "（名单中的党组织都已报送）",
    "no_register": "（未使用下级党组织名单：在乡镇的数据目录中读入名单、登记各支部的密钥"
    "（命令 register，或窗口“下级党组织”）后汇总，这里会列出没有报送的党组织）",
    "no_key": "未登记密钥",
    "not_submitted_note": "没有收到该党组织本年度通过校验的报送包",
    "total": "合计",
    "branches": "{n} 个党支部",
    "none": "无",
    "no_rate": "—",
    "unknown_branch": "（无法识别）",
    "talk": "谈话提醒",
    "basis": "；6次及以上，不合格党员认定依据（参考）",
    "no_talk": "未谈话",
    "note": "说明：各项数字由各支部报送包中的台账数据（data.json）按与支部端相同的统计规则计算；"
    "平均参加率为各次已开展活动实际参加党员/应参加党员的平均值，合计行为各支部的平均值；"
    "“其中已谈话”为累计未参加3次及以上的党员中已登记谈话提醒的人数，“未附”表示该报送包"
    "由旧版程序导出、未附谈话记录，“谈话提醒名单”工作表列出这些党员及谈话情况；"
    "红色为需要关注的情况；"
    "“未汇总的报送包”工作表列出未通过校验、重复或其他年度的报送包、原因及处理办法；"
    "“签名”为报送包的签名密钥：已登记（与下级党组织名单中登记的密钥相同）、未登记或未签名"
    "（旧版程序导出），同名的党组织按密钥区分；签名不符的报送包不汇总；"
    "“未报送的党组织”工作表列出名单中没有报送的党组织。",
}


def header_cells(headers: Sequence[str]) -> list[str]:
    """The header row's cells: `headers` with their line breaks (HEADER_LINES)."""
    return [HEADER_LINES.get(h, h) for h in headers]


def header_name(cell: object) -> object:
    """A header cell read back as the header's name (its line breaks taken out)."""
    return cell.replace("\n", "") if isinstance(cell, str) else cell


def write_township_xlsx(result: AggregateResult, out: Path) -> Path:
    """Write the township workbook to `out` through `files.replacing()`; returns `out`."""
    wb = Workbook(write_only=True)
    _add_styles(wb)
    _summary_sheet(_Sheet(wb, SHEET_SUMMARY, SUMMARY_WIDTHS, freeze="C3", header_row=2), result)
    _talks_sheet(_Sheet(wb, SHEET_TALKS, TALK_WIDTHS, freeze="C3", header_row=2), result)
    _rejected_sheet(_Sheet(wb, SHEET_REJECTED, REJECTED_WIDTHS, freeze="B2", header_row=1), result)
    _not_submitted_sheet(
        _Sheet(wb, SHEET_NOT_SUBMITTED, NOT_SUBMITTED_WIDTHS, freeze="B2", header_row=1), result
    )
    out = Path(out)
    with files.replacing(out, what="汇总表") as tmp:
        wb.save(tmp)
    return out


# --- styles -------------------------------------------------------------------------------------
def summary_style(left: bool, watch: bool) -> str:
    """The named style of a data cell of 汇总 and 谈话提醒名单."""
    return f"汇总{'左' if left else '中'}{'警示' if watch else ''}"


def _add_styles(wb: Workbook) -> None:
    """Named styles: one lookup per cell instead of a font, border and alignment per cell for
    each of 500 branches x 16 columns (3x faster to write)."""
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    plain = Font(name=FONT, size=11)
    bold = Font(name=FONT, size=11, bold=True)
    warn = Font(name=FONT, size=11, bold=True, color="C00000")
    centre = Alignment(horizontal="center", vertical="center")
    left = Alignment(vertical="center", wrap_text=True)
    top = Alignment(wrap_text=True, vertical="top")
    styles = [
        NamedStyle(
            HEADER_STYLE,
            font=bold,
            fill=PatternFill("solid", fgColor="F2DCDB"),
            border=border,
            alignment=Alignment(wrap_text=True, vertical="center", horizontal="center"),
        ),
        NamedStyle(
            TITLE_STYLE,
            font=Font(name=FONT, bold=True, size=14),
            alignment=Alignment(vertical="center"),
        ),
        NamedStyle(
            TOTAL_STYLE,
            font=bold,
            fill=PatternFill("solid", fgColor="EEEEEE"),
            border=border,
            alignment=centre,
        ),
        NamedStyle(NOTE_STYLE, font=Font(name=FONT, size=10, color="555555"), alignment=top),
        NamedStyle(REJECTED_STYLE, font=plain, border=border, alignment=top),
        NamedStyle(
            REJECTED_CENTRE,
            font=plain,
            border=border,
            alignment=Alignment(wrap_text=True, vertical="top", horizontal="center"),
        ),
        NamedStyle(REJECTED_WARN, font=warn, border=border, alignment=top),
    ]
    for is_left in (False, True):
        for watch in (False, True):
            styles.append(
                NamedStyle(
                    summary_style(is_left, watch),
                    font=warn if watch else plain,
                    fill=PatternFill("solid", fgColor="FFC7CE") if watch else PatternFill(),
                    border=border,
                    alignment=left if is_left else centre,
                )
            )
    for style in styles:
        wb.add_named_style(style)


# --- a streamed sheet ---------------------------------------------------------------------------
class _Sheet:
    """A write-only sheet whose rows are counted as they are appended. Widths, frozen panes and
    page setup are settled first: a write-only sheet writes them with its first row. It prints
    on A4 landscape, all columns on one page width, the header row on every page."""

    def __init__(
        self, wb: Workbook, title: str, widths: Sequence[float], *, freeze: str, header_row: int
    ):
        self.ws = ws = wb.create_sheet(title)
        # Rows are appended as ready cells: placed here, not through openpyxl's value binding,
        # which tries each cell as a value first and fails (an exception and a repr per cell).
        ws._values_to_row = _placed
        self.widths = widths
        self.header_row = header_row
        self.rows = 0
        self._styles: dict[str, Any] = {}  # named style -> its style array, looked up once
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        self.last_column = get_column_letter(len(widths))
        ws.freeze_panes = freeze
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_title_rows = f"{header_row}:{header_row}"
        ws.page_margins.left = ws.page_margins.right = 0.3

    def add_header(self, headers: Sequence[str]) -> int:
        """The header row, each header in its lines (HEADER_LINES), the row as tall as the
        longest."""
        shown = header_cells(headers)
        height = wrapped_height(shown, self.widths, range(len(shown))) or LINE_HEIGHT + 3
        return self.add(shown, HEADER_STYLE, height=height + 6)

    def add(
        self,
        values: Sequence[Any],
        styles: Sequence[str | None] | str | None = None,
        *,
        height: float | None = None,
        wrapped: Iterable[int] = (),
        formats: dict[int, str] | None = None,
    ) -> int:
        """Append one row; `styles` one per value or one for all, `wrapped` the 0-based columns
        whose text wraps (the row grows to show it), `formats` number formats by column.
        Returns the row's number."""
        self.rows += 1
        height = height or wrapped_height(values, self.widths, wrapped)
        if height:
            self.ws.row_dimensions[self.rows].height = height
        if styles is None or isinstance(styles, str):
            styles = [styles] * len(values)
        cells = []
        for i, (value, style) in enumerate(zip(values, styles, strict=True)):
            cell = new_cell(self.ws, value)
            if style:
                self._style(cell, style)
            if formats and i in formats:
                cell._style = copy(cell._style)  # its own: the format is set in place
                cell.number_format = formats[i]
            cells.append(cell)
        self.ws.append(cells)
        if height:  # the row is written out by now: its height is not needed again
            del self.ws.row_dimensions[self.rows]
        return self.rows

    def _style(self, cell, name: str) -> None:
        """`cell.style = name`, with the named style's lookup done once per sheet (it scans
        the workbook's styles by name: a third of the writing time at 2,000 branches). The
        cells of a style share one style array: a streamed cell is written as it is appended
        and never restyled."""
        array = self._styles.get(name)
        if array is None:
            cell.style = name
            self._styles[name] = cell._style
        else:
            cell._style = array

    def merge_row(self, row: int) -> None:
        self.ws.merged_cells.add(f"A{row}:{self.last_column}{row}")

    def filter_down_to(self, last_row: int) -> None:
        """An auto-filter from the header row down to `last_row`."""
        self.ws.auto_filter.ref = f"A{self.header_row}:{self.last_column}{last_row}"


def _placed(cells: Sequence[Any], row: int) -> Iterable[Any]:
    """A row of cells (`new_cell`) at their places in row `row`, for the streamed sheet."""
    for column, cell in enumerate(cells, start=1):
        cell.row, cell.column = row, column
        yield cell


# --- 汇总 ---------------------------------------------------------------------------------------
def _summary_sheet(sheet: _Sheet, result: AggregateResult) -> None:
    made = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    year = f"{result.year}年" if result.year else ""
    title = TEXT["title"].format(year=year, n=len(result.rows), made=made)
    if result.township_mark:  # on every printed page: the key a branch's 下发包 was signed with
        sheet.ws.oddFooter.center.text = result.township_mark.replace("&", "&&")
    sheet.merge_row(sheet.add([title], TITLE_STYLE, height=26))
    sheet.add_header(SUMMARY_HEADERS)
    wrapped = [i for i, h in enumerate(SUMMARY_HEADERS) if h in _LEFT]
    rate = {SUMMARY_HEADERS.index("平均参加率"): PERCENT}
    for n, r in enumerate(result.rows, start=1):
        values = _summary_values(n, r)
        sheet.add(values, _summary_styles(values, r), wrapped=wrapped, formats=rate)
    if result.rows:
        sheet.add(_total_values(result), TOTAL_STYLE, formats=rate)
    else:
        sheet.add([TEXT["no_rows"]])
    sheet.add([])
    sheet.merge_row(sheet.add([TEXT["note"]], NOTE_STYLE, height=44))
    if result.rows:
        sheet.filter_down_to(2 + len(result.rows))


def _months_text(months: tuple[int, ...]) -> str:
    return "、".join(f"{m}月" for m in months) or TEXT["none"]


def _summary_values(n: int, r: BranchSummary) -> list[Any]:
    return [
        n,
        r.branch,
        r.signature + (TEXT["same_name"] if r.same_name else ""),
        r.superior_org,
        r.year,
        r.planned,
        r.held,
        len(r.months_without_activity),
        _months_text(r.months_without_activity),
        r.attendance_rate if r.attendance_rate is not None else TEXT["no_rate"],
        r.overdue_records,
        r.talk_reminder,
        NOT_ATTACHED if r.talked is None else r.talked,
        r.unqualified_basis,
        r.members,
        r.bundle,
        r.created_at[:16].replace("T", " "),
    ]


def _summary_styles(values: list[Any], r: BranchSummary) -> list[str]:
    styles = []
    for header, value in zip(SUMMARY_HEADERS, values, strict=True):
        watch = header in _WATCH and value not in (0, TEXT["none"])
        if header == "签名":  # 未登记, 未签名 or 同名: the township looks closer
            watch = not str(value).startswith("已")
        if header == "其中已谈话（人）":  # members due a talk who have not had one
            watch = isinstance(value, int) and value < r.talk_reminder
        styles.append(summary_style(header in _LEFT, watch))
    return styles


def _mean(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def _total_values(result: AggregateResult) -> list[Any]:
    rows = result.rows
    attached = [r.talked for r in rows if r.talked is not None]
    return [
        TEXT["total"],
        TEXT["branches"].format(n=len(rows)),
        "",
        "",
        result.year or "",
        sum(r.planned for r in rows),
        sum(r.held for r in rows),
        sum(len(r.months_without_activity) for r in rows),
        "",
        _mean(r.attendance_rate for r in rows) or TEXT["no_rate"],
        sum(r.overdue_records for r in rows),
        sum(r.talk_reminder for r in rows),
        sum(attached) if attached else NOT_ATTACHED,
        sum(r.unqualified_basis for r in rows),
        sum(r.members for r in rows),
        "",
        "",
    ]


# --- 谈话提醒名单 -------------------------------------------------------------------------------
def _talks_sheet(sheet: _Sheet, result: AggregateResult) -> None:
    """谈话提醒名单 (rule 8, docs/rules.md): every member at 3+ times not taking part in the
    summed branches, with the branch's latest talk, 未谈话 in red, or 未附 for a bundle made
    before talks travelled with it — so the township can follow up the talks (seed 四.2, 四.5)."""
    year = f"{result.year}年" if result.year else ""
    sheet.merge_row(sheet.add([TEXT["talks_title"].format(year=year)], TITLE_STYLE))
    sheet.add_header(TALK_HEADERS)
    count = 0
    for r in result.rows:
        for m in r.reminders:
            hint = TEXT["talk"] + (TEXT["basis"] if m.unqualified_basis else "")
            talk = NOT_ATTACHED if m.talk is None else m.talk or TEXT["no_talk"]
            warn = m.talk == "" or m.late
            styles = [summary_style(i in _TALK_LEFT, i == 5 and warn) for i in range(6)]
            values = [r.branch, m.name, m.category, m.not_taking_part, hint, talk]
            sheet.add(values, styles, wrapped=_TALK_LEFT)
            count += 1
    if not count:
        sheet.add([TEXT["no_talks"]])
    if count:
        sheet.filter_down_to(2 + count)


# --- 未汇总的报送包 -----------------------------------------------------------------------------
def _rejected_sheet(sheet: _Sheet, result: AggregateResult) -> None:
    sheet.add_header(REJECTED_HEADERS)
    every = range(len(REJECTED_HEADERS))
    for item in result.rejected:
        advice = item.advice  # once per bundle: it reads all of the bundle's problems
        styles = _rejected_styles(item)
        for file, reason in item.problems:
            values = _rejected_values(item, file, reason, advice)
            sheet.add(values, styles, wrapped=every)
    if not result.rejected:
        sheet.add([TEXT["no_rejected"]])


def _rejected_styles(item: RejectedBundle) -> list[str]:
    styles = [REJECTED_STYLE] * len(REJECTED_HEADERS)
    styles[2] = REJECTED_CENTRE
    if not item.set_aside:
        styles[3] = REJECTED_WARN
    return styles


def _rejected_values(item: RejectedBundle, file: str, reason: str, advice: str) -> list[Any]:
    return [
        item.path.name,
        item.branch or TEXT["unknown_branch"],
        item.year or "",
        item.state,
        WHOLE_FILE if file == item.path.name else file,
        reason,
        advice,
    ]


# --- 未报送的党组织 ---------------------------------------------------------------------------
def _not_submitted_sheet(sheet: _Sheet, result: AggregateResult) -> None:
    """The registered branches (docs/signing.md) with no accepted bundle of the year summed —
    the township's calls to make."""
    sheet.add_header(NOT_SUBMITTED_HEADERS)
    if result.not_submitted is None:
        sheet.add([TEXT["no_register"]])
        return
    for n, row in enumerate(result.not_submitted, start=1):
        values = [n, row.name, row.fingerprint or TEXT["no_key"], TEXT["not_submitted_note"]]
        sheet.add(values, REJECTED_STYLE, wrapped=(1, 3))
    if not result.not_submitted:
        sheet.add([TEXT["all_submitted"]])
