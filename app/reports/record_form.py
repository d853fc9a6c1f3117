"""The 记录表 PDF (seed 附件 "池州市党日活动记录表") and its signature sheet (附签名).

Faithful to the seed's form: title, 党组织（盖章）and 年 月 日, 活动主题, 活动时间, 活动地点,
参加党员情况 "应参加党员 N 人，实际参加党员 M 人（附签名）", 活动内容 and the 说明 line. A4 with a
binding margin on the left and blank paper above 党组织（盖章）for the seal, the CJK font embedded
as a subset. Long content continues on the next page inside the same frame; the signature sheet's
rows grow with their 备注, and invited non-members sign in a table of their own. Every page's
footer names the branch, date and form, 第 n 页 共 N 页; `two_copies` prints the form twice,
marked 支部留存 / 报上级党组织, each copy numbered on its own.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app import files
from app.models import vocab
from app.reports.fit import fitted, is_one_line, paragraph
from app.reports.fonts import hard_space, missing_glyphs, register_font
from app.services.ledger import ActivityRow, YearData
from app.services.records import attendance_summary, load_record, sign_sheet_note

FORM_TITLE = "党日活动记录表"
SIGN_TITLE = "党日活动参加人员签名表"
NOTE_LINE = "说明：此表一式两份，党支部留存一份，报上级党组织一份，于每次活动日后3日内报送。"
COPY_BRANCH = "支部留存"
COPY_SUPERIOR = "报上级党组织"
NON_MEMBER_HEADER = "列席人员（入党积极分子、发展对象、团员青年、群众代表等，不计入参加党员人数）"
BLANK_SIGN_ROWS = 2  # for people who turn up without being on the list

PAGE_W, PAGE_H = A4
MARGIN_LEFT = 28 * mm  # binding margin
MARGIN_RIGHT = 18 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 18 * mm
FRAME_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT
FRAME_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
LABEL_W = 24 * mm
COLS = [LABEL_W, 54 * mm, LABEL_W, FRAME_W - 54 * mm - 2 * LABEL_W]  # 地点 wider: long places
BORDER = 0.8
# Blank paper above 党组织（盖章）: a ~4 cm round seal stamped on the branch's name sits mostly in
# it instead of over the title and the first rows of the form.
SEAL_GAP = 16 * mm


def _styles() -> dict[str, ParagraphStyle]:
    font = register_font()
    base = ParagraphStyle("base", fontName=font, fontSize=11, leading=17, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", base, fontSize=20, leading=28, alignment=TA_CENTER),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=16, leading=22, alignment=TA_CENTER),
        "meta": ParagraphStyle("meta", base, fontSize=11.5, leading=18),
        "meta_right": ParagraphStyle("meta_right", base, fontSize=11.5, leading=18, alignment=2),
        "label": ParagraphStyle("label", base, fontSize=12, leading=18, alignment=TA_CENTER),
        "cell": ParagraphStyle("cell", base, fontSize=11.5, leading=18),
        "small": ParagraphStyle("small", base, fontSize=9.5, leading=14, textColor="#333333"),
        "content": ParagraphStyle(
            "content",
            base,
            fontSize=11.5,
            leading=20,
            firstLineIndent=23,
            allowOrphans=1,
            allowWidows=1,
        ),
        "note": ParagraphStyle("note", base, fontSize=10, leading=15, alignment=TA_LEFT),
        "sign_head": ParagraphStyle("sign_head", base, fontSize=11.5, alignment=TA_CENTER),
        "sign": ParagraphStyle("sign", base, fontSize=10.5, leading=14),
        "sign_center": ParagraphStyle("sign_center", base, fontSize=11, alignment=TA_CENTER),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return paragraph(text, style)


# The most a stored text may take of the form: longer ones are set smaller, then cut (fit.py).
BOX_H = 40 * mm
CELL_PAD = 12  # a cell's left and right padding together
FOOTER_MAX = 80  # characters of the footer's "whose page" text


def chinese_date(day: dt.date | None) -> str:
    if day is None:
        return f"{hard_space(4)}年{hard_space(2)}月{hard_space(2)}日"
    return f"{day.year}年{day.month}月{day.day}日"


def _time_text(activity: ActivityRow) -> str:
    if activity.held_date is None:
        return ""
    text = chinese_date(activity.held_date)
    if activity.start_time and activity.end_time:
        text += f"\n{activity.start_time:%H:%M}—{activity.end_time:%H:%M}"
    elif activity.start_time:
        text += f"\n{activity.start_time:%H:%M} 起"
    return text


COLS_CONTENT_W = FRAME_W - LABEL_W - 12  # content cell minus its padding
FIRST_ROW_LINES = 5
PARA_GAP = 6


def _content_lines(text: str, style: ParagraphStyle, width: float) -> list[tuple[Flowable, bool]]:
    """活动内容 cut into one-line pieces, so the table can continue on the next page between any
    two lines (reportlab cannot split inside a table row). Returns (piece, ends_paragraph)."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n") if p.strip()]
    result: list[tuple[Flowable, bool]] = []
    for text_ in paragraphs:
        pieces = _split_lines(_p(text_, style), width, style.leading)
        result += [(piece, i == len(pieces) - 1) for i, piece in enumerate(pieces)]
    return result or [(Spacer(1, style.leading), True)]


def _split_lines(para: Flowable, width: float, leading: float) -> list[Flowable]:
    """One flowable per line, halving each time (n log n; splitting off one line at a time
    re-wraps the rest every time and takes seconds for a long paragraph)."""
    lines = round(para.wrap(width, 1e6)[1] / leading)
    if lines <= 1:
        return [para]
    parts = para.split(width, (lines // 2 + 0.5) * leading)
    if len(parts) < 2:
        return [para]
    return _split_lines(parts[0], width, leading) + _split_lines(parts[1], width, leading)


def moved_note(activity: ActivityRow) -> str:
    """Held on another day than planned: the planned day and the 改期原因, printed under the time
    so the township sees the change was not arbitrary (seed [四.5] 防止随意变更活动时间)."""
    held, planned = activity.held_date, activity.plan_date
    if held is None or held == planned:
        return ""
    note = f"原计划{planned.month}月{planned.day}日"
    reason = activity.held_reason.strip()
    return f"{note}，改期原因：{reason}" if reason else note


def form_title(data: YearData) -> str:
    return f"{data.branch.form_title_prefix}{FORM_TITLE}"


@dataclass
class FormFields:
    """What the form's cells say, for the PDF here and the Word file (`record_docx`)."""

    time: str  # the held day and hours; blank on a form for the pen
    moved: str  # 原计划… and the 改期原因, under the time
    place: str  # with the place type
    extra: str  # 形式 (boxes to tick on a blank form), 联合开展, 活动经费
    participation: str  # 应参加党员 N 人，实际参加党员 M 人（附签名）。


def form_fields(data: YearData, activity: ActivityRow) -> FormFields:
    summary = attendance_summary(data, activity)
    took_part = summary.took_part if summary.entered else None
    place = activity.place
    if activity.place_type and activity.place_type not in place:
        place += f"（{activity.place_type}）"
    if activity.held_date is None:  # a blank form: the way of holding it is ticked by hand
        extra = "形式：" + hard_space(1).join(f"□{mode}" for mode in vocab.MODES)
    else:
        extra = f"形式：{activity.mode}"
    if activity.partner_org:
        extra += f"\n联合开展：{activity.partner_org}"
    if activity.cost is not None:
        extra += f"\n活动经费：{activity.cost:.2f}元"
    return FormFields(
        time=_time_text(activity),
        moved=moved_note(activity),
        place=place,
        extra=extra,
        participation=participation_line(len(summary.expected), took_part),
    )


def sign_sheet_meta(data: YearData, activity: ActivityRow) -> str:
    """The lines above the 签名表's table: branch, theme, day and place, how many are expected."""
    summary = attendance_summary(data, activity)
    return (
        f"党组织：{data.branch.name}\n"
        f"活动主题：{activity.theme or '　'}\n"
        f"活动时间：{chinese_date(activity.held_date or activity.plan_date)}{hard_space(2)}"
        f"活动地点：{activity.place or '　'}\n"
        f"应参加党员 {len(summary.expected)} 人"
    )


def sign_sheet_people(data: YearData, activity: ActivityRow) -> list[tuple[str, str]]:
    """The members expected, each with the 备注 the 签名表 prints (a leave reason, …)."""
    summary = attendance_summary(data, activity)
    return [
        (m.name, sign_sheet_note(m, summary.by_member.get(m.member_id))) for m in summary.expected
    ]


def participation_line(expected: int, took_part: int | None) -> str:
    """The 参加党员情况 cell; `took_part` None leaves the figure blank to fill in by hand."""
    m = hard_space(3) if took_part is None else str(took_part)
    return f"应参加党员 {expected} 人，实际参加党员 {m} 人（附签名）。"


class _CopyMark(Flowable):
    """Zero-size marker: from here on, pages carry this copy's label (支部留存 / 报上级党组织)."""

    def __init__(self, label: str):
        super().__init__()
        self.label = label
        self.width = self.height = 0

    def wrap(self, *_):
        return 0, 0

    def draw(self) -> None:
        self.canv._dangri_copy = self.label


class NumberedCanvas(Canvas):
    """Holds the pages back until the end so that each footer can say 第 n 页 共 N 页, counted per
    copy (一式两份: each copy is filed on its own; a page's copy is the canvas attribute
    `_dangri_copy` set by _CopyMark). `footer(canvas, page, pages)` draws one page's footer."""

    def __init__(self, *args, footer: Callable[[Canvas, int, int], None], **kwargs):
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._held: list[dict] = []

    def showPage(self) -> None:
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        copies = [state.get("_dangri_copy") for state in self._held]
        numbered: Counter = Counter()
        for state, copy in zip(self._held, copies, strict=True):
            numbered[copy] += 1
            self.__dict__.update(state)
            self.saveState()
            self._footer(self, numbered[copy], copies.count(copy))
            self.restoreState()
            super().showPage()
        super().save()


def draw_footer(
    canvas: Canvas, text: str, page: int, pages: int, *, left: float, right: float, y: float
) -> None:
    """Whose page it is on the left (shrunk to fit), 第 n 页 共 N 页 on the right: a loose page
    (a signature sheet's second page, the plan's last) still says what it belongs to."""
    font = register_font()
    canvas.setFillColor(colors.HexColor("#555555"))
    if len(text) > FOOTER_MAX:  # a name stored before the limits: the line stays legible
        text = text[:FOOTER_MAX] + "…"
    number = f"第 {page} 页 共 {pages} 页"
    canvas.setFont(font, 9)
    canvas.drawRightString(right, y, number)
    room = right - left - canvas.stringWidth(number, font, 9) - 8 * mm
    size = min(9.0, 9 * room / max(canvas.stringWidth(text, font, 9), 1))
    canvas.setFont(font, size)
    canvas.drawString(left, y, text)


def _form_story(data: YearData, activity: ActivityRow, st: dict) -> list:
    fields = form_fields(data, activity)
    place, extra = fields.place, fields.extra
    time_cell = [_p(fields.time, st["cell"])]
    moved = fields.moved
    if moved:
        time_cell.append(fitted(moved, st["small"], COLS[1] - CELL_PAD, BOX_H))

    header = _form_header(data, activity, st)

    rows = [
        [
            _p("活动主题", st["label"]),
            fitted(activity.theme, st["cell"], sum(COLS[1:]) - CELL_PAD, BOX_H),
            "",
            "",
        ],
        [
            _p("活动时间", st["label"]),
            time_cell,
            _p("活动地点", st["label"]),
            [
                fitted(place or hard_space(1), st["cell"], COLS[3] - CELL_PAD, BOX_H),
                fitted(extra, st["small"], COLS[3] - CELL_PAD, BOX_H),
            ],
        ],
        [
            _p(f"参加党员\n情{hard_space(2)}况", st["label"]),
            _p(fields.participation, st["cell"]),
            "",
            "",
        ],
    ]
    lines = _content_lines(activity.content, st["content"], COLS_CONTENT_W)
    cells = _content_cells(lines)
    first = len(rows)
    rows.append([_p("活\n动\n内\n容", st["label"]), cells[0][0], "", ""])
    rows += [["", piece, "", ""] for piece, _ in cells[1:]]
    last = len(rows) - 1
    style = _form_style(first, last, cells)
    title = fitted(form_title(data), st["title"], FRAME_W, BOX_H)
    note = _p(NOTE_LINE, st["note"])
    # Rows get at least the form's heights; the 活动内容 box fills the rest of the first page as
    # on the printed form (label centred beside it), or, when longer, runs onto the next page.
    probe = Table(rows, colWidths=COLS, style=style)
    probe.wrap(FRAME_W, 100 * FRAME_H)
    heights = list(probe._rowHeights)
    for i, minimum in enumerate((14 * mm, 16 * mm, 14 * mm)):
        heights[i] = max(heights[i], minimum)
    spacers = SEAL_GAP + 3 * mm + 4 * mm
    used = sum(f.wrap(FRAME_W, FRAME_H)[1] for f in (title, header, note)) + spacers + 2
    room = FRAME_H - used - sum(heights)
    if room > 0:
        heights[last] += room
        style.append(("SPAN", (0, first), (0, last)))
    table = Table(rows, colWidths=COLS, style=style, rowHeights=heights)
    return [title, Spacer(1, SEAL_GAP), header, Spacer(1, 3 * mm), table, Spacer(1, 4 * mm), note]


def _form_header(data: YearData, activity: ActivityRow, st: dict) -> Table:
    """党组织（盖章）：name on the left, the date (年 月 日) on the right."""
    return Table(
        [
            [
                fitted(f"党组织（盖章）：{data.branch.name}", st["meta"], FRAME_W - 48 * mm, BOX_H),
                _p(chinese_date(activity.held_date), st["meta_right"]),
            ]
        ],
        colWidths=[FRAME_W - 48 * mm, 48 * mm],
        style=TableStyle(
            [
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )


def _content_cells(lines: list) -> list:
    """The 活动内容 rows: the first holds enough lines to stand beside the vertical label; every
    other row is one line, so a long text continues on the next page between any two lines."""
    head, k = [], 0
    while k < len(lines) and (k < FIRST_ROW_LINES or not head):
        piece, ends = lines[k]
        head.append(piece)
        if ends and k + 1 < len(lines) and k + 1 < FIRST_ROW_LINES:
            head.append(Spacer(1, PARA_GAP))
        k += 1
    return [(head, lines[k - 1][1])] + lines[k:]


def _form_style(first: int, last: int, cells: list) -> list:
    """The form table's rules: the fixed rows gridded, the content rows one box."""
    style = [
        ("FONTNAME", (0, 0), (-1, -1), register_font()),
        ("BOX", (0, 0), (-1, -1), BORDER, colors.black),
        ("INNERGRID", (0, 0), (-1, first - 1), BORDER * 0.75, colors.black),
        ("LINEBELOW", (0, first - 1), (-1, first - 1), BORDER * 0.75, colors.black),
        ("LINEAFTER", (0, first), (0, last), BORDER * 0.75, colors.black),
        ("SPAN", (1, 0), (3, 0)),
        ("SPAN", (1, 2), (3, 2)),
        ("VALIGN", (0, 0), (-1, first - 1), "MIDDLE"),
        ("VALIGN", (0, first), (-1, last), "TOP"),
        ("VALIGN", (0, first), (0, first), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, first - 1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, first - 1), 6),
        ("LEFTPADDING", (1, 0), (-1, -1), 6),
        ("RIGHTPADDING", (1, 0), (-1, -1), 6),
        # content lines sit flush on each other; a paragraph's last line keeps its gap
        ("TOPPADDING", (0, first), (-1, last), 0),
        ("BOTTOMPADDING", (0, first), (-1, last), 0),
        ("TOPPADDING", (0, first), (-1, first), 10),
    ]
    for i in range(first, last + 1):
        style.append(("SPAN", (1, i), (3, i)))
        if cells[i - first][1]:
            style.append(("BOTTOMPADDING", (1, i), (3, i), PARA_GAP))
    return style


SIGN_WIDTHS = [14 * mm, 32 * mm, 50 * mm, FRAME_W - 96 * mm]  # 序号 姓名 签名 备注
SIGN_ROW_MIN = 10 * mm  # room to sign with a pen
SIGN_PAD = 2 * mm  # above and below a cell's text when it needs more than one line


def _sign_rows(people: list[tuple[str, str]], st: dict) -> tuple[list[list], list[float]]:
    """Rows 序号 / 姓名 / (signature) / 备注 and their heights: at least SIGN_ROW_MIN, taller when
    a long name or 备注 (a leave reason, a 流入地党组织) needs more lines, never clipped.

    Most cells are one short line: they stay plain strings, drawn by the table in their style's
    font, size and leading (`_sign_table_style`) exactly where a Paragraph would put them; as
    Paragraphs, parsed, fitted and wrapped, they were most of a 300-member 记录表's time."""
    rows, heights = [], []
    widths = [w - 12 for w in SIGN_WIDTHS]  # minus the cells' padding
    center, left = st["sign_center"], st["sign"]

    def cell(text: str, style: ParagraphStyle, width: float):
        if is_one_line(text, style, width):
            return text, (style.leading if text else 0)  # an empty Paragraph is 0 high
        p = fitted(text, style, width, BOX_H)
        return p, p.wrap(width, 1e6)[1]

    for i, (name, note) in enumerate(people, start=1):
        name_cell, name_h = cell(name, center, widths[1])
        note_cell, note_h = cell(note, left, widths[3])
        number = str(i) if is_one_line(str(i), center, widths[0]) else _p(str(i), center)
        rows.append([number, name_cell, "", note_cell])
        heights.append(max(SIGN_ROW_MIN, max(name_h, note_h) + 2 * SIGN_PAD))
    return rows, heights


def _sign_table_style(head_rows: int, st: dict) -> list:
    center, left = st["sign_center"], st["sign"]
    body = (0, head_rows)
    return [
        ("FONTNAME", (0, 0), (-1, -1), register_font()),
        ("BOX", (0, 0), (-1, -1), BORDER, colors.black),
        ("INNERGRID", (0, 0), (-1, -1), BORDER * 0.75, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, head_rows - 1), colors.HexColor("#eeeeee")),
        # the plain-string cells of _sign_rows, as their Paragraph styles would set them
        ("FONTSIZE", body, (1, -1), center.fontSize),
        ("LEADING", body, (1, -1), center.leading),
        ("ALIGN", body, (1, -1), "CENTER"),
        ("FONTSIZE", (3, head_rows), (3, -1), left.fontSize),
        ("LEADING", (3, head_rows), (3, -1), left.leading),
    ]


def _sign_story(data: YearData, activity: ActivityRow, st: dict) -> list:
    summary = attendance_summary(data, activity)
    meta = sign_sheet_meta(data, activity)
    head = [_p(h, st["sign_head"]) for h in ("序号", "姓名", "签名", "备注")]
    people = sign_sheet_people(data, activity)
    rows, heights = _sign_rows(people, st)
    members = Table(
        [head, *rows],
        colWidths=SIGN_WIDTHS,
        rowHeights=[9 * mm, *heights],
        style=_sign_table_style(1, st),
        repeatRows=1,
    )
    # Invited non-members in a table of their own whose banner repeats on every page it reaches,
    # so a continuation page never shows them as if they were party members.
    guests = [(a.name, a.kind) for a in summary.non_members] + [("", "")] * BLANK_SIGN_ROWS
    rows, heights = _sign_rows(guests, st)
    for row in rows[len(summary.non_members) :]:
        row[0] = ""  # blank rows for people who came without being on the list
    banner = [_p(NON_MEMBER_HEADER, st["sign"]), "", "", ""]
    others = Table(
        [banner, head, *rows],
        colWidths=SIGN_WIDTHS,
        rowHeights=[9 * mm, 9 * mm, *heights],
        style=[*_sign_table_style(2, st), ("SPAN", (0, 0), (-1, 0))],
        repeatRows=2,
    )
    return [
        _p(SIGN_TITLE, st["subtitle"]),
        Spacer(1, 3 * mm),
        fitted(
            "（附于" + form_title(data) + "）",
            ParagraphStyle("c", st["note"], alignment=1),
            FRAME_W,
            BOX_H,
        ),
        Spacer(1, 4 * mm),
        fitted(meta, st["meta"], FRAME_W, 2 * BOX_H),
        Spacer(1, 3 * mm),
        members,
        Spacer(1, 5 * mm),
        others,
    ]


def form_texts(data: YearData, activity: ActivityRow) -> str:
    """Everything the form prints that comes from the data (for the missing-glyph check)."""
    summary = attendance_summary(data, activity)
    parts = [
        form_title(data),
        data.branch.name,
        activity.theme,
        activity.place,
        activity.place_type,
        activity.partner_org,
        activity.held_reason,
        activity.content,
        *(m.name for m in summary.expected),
        *(a.name for a in summary.non_members),
        *(sign_sheet_note(m, summary.by_member.get(m.member_id)) for m in summary.expected),
    ]
    return "".join(parts)


def form_missing_glyphs(data: YearData, activity: ActivityRow) -> list[str]:
    """Characters on this form the embedded font cannot draw (they print as an empty box)."""
    return missing_glyphs(form_texts(data, activity))


def render_record_pdf(
    data: YearData,
    activity: ActivityRow,
    out: Path,
    *,
    two_copies: bool = False,
    sheet_only: bool = False,
) -> Path:
    """Write the 记录表 with its signature sheet to `out` (through `app.files.replacing()`: an
    old copy open in a PDF reader is said in Chinese and left as it was); returns `out`.

    With `two_copies` (一式两份) the form and sheet appear twice, marked 支部留存 and 报上级党组织.
    With `sheet_only`, the signature sheet alone (printed before the activity, to be signed).
    """
    out = Path(out)
    st = _styles()
    font = register_font()

    def decorate(canvas, doc) -> None:
        canvas.saveState()
        label = getattr(canvas, "_dangri_copy", None)
        if label:
            canvas.setFillColor(colors.black)
            canvas.setFont(font, 11)
            width = canvas.stringWidth(label, font, 11) + 6 * mm
            x = PAGE_W - MARGIN_RIGHT - width
            y = PAGE_H - MARGIN_TOP + 5 * mm
            canvas.rect(x, y - 2 * mm, width, 7 * mm)
            canvas.drawString(x + 3 * mm, y, label)
        canvas.restoreState()

    frame = Frame(
        MARGIN_LEFT, MARGIN_BOTTOM, FRAME_W, FRAME_H, 0, 0, 0, 0, id="body", showBoundary=0
    )
    day = activity.held_date or activity.plan_date
    name = SIGN_TITLE if sheet_only else form_title(data)
    footer = f"{data.branch.name}　{chinese_date(day)}　{name}"

    def footer_of(canvas: Canvas, page: int, pages: int) -> None:
        right, y = PAGE_W - MARGIN_RIGHT, MARGIN_BOTTOM / 2
        draw_footer(canvas, footer, page, pages, left=MARGIN_LEFT, right=right, y=y)

    def canvasmaker(*args, **kwargs) -> NumberedCanvas:
        return NumberedCanvas(*args, footer=footer_of, **kwargs)

    story: list = []
    copies = [COPY_BRANCH, COPY_SUPERIOR] if two_copies else [None]
    for n, label in enumerate(copies):
        if n:
            story.append(PageBreak())
        if label:
            story.append(_CopyMark(label))
        if not sheet_only:
            story += _form_story(data, activity, st)
            story.append(PageBreak())
        story += _sign_story(data, activity, st)
    with files.replacing(out, what="记录表") as tmp:
        doc = BaseDocTemplate(
            str(tmp),
            pagesize=A4,
            leftMargin=MARGIN_LEFT,
            rightMargin=MARGIN_RIGHT,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            title=f"{name} {activity.theme}",
            author=data.branch.name,
            subject=(activity.held_date or activity.plan_date).isoformat(),
            creator="党日记实",
            initialFontName=font,
            initialFontSize=11,
        )
        doc.addPageTemplates([PageTemplate(id="form", frames=[frame], onPageEnd=decorate)])
        doc.build(story, canvasmaker=canvasmaker)
    return out


def print_record(activity_id: int, out: Path, *, two_copies: bool = False) -> Path:
    """Load one activity from the open database and write its 记录表 PDF."""
    data, activity = load_record(activity_id)
    return render_record_pdf(data, activity, out, two_copies=two_copies)
