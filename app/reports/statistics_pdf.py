"""The year's statistics as a PDF to print (统计 tab → 打印… / 另存为PDF…): the branch summary,
the members' participation, the 谈话提醒 list with the talks held, and the activities.

The same figures as the statistics workbook (`statistics_xlsx`), read from one
`YearStatistics`; A4 landscape with the one embedded CJK font, header rows repeated on every
page and each footer naming the sheet with 第 n 页 共 N 页 (as the plan PDF).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from app import files
from app.reports import statistics_columns as shared
from app.reports.fonts import register_font
from app.reports.pdf_kit import grid_style
from app.reports.record_form import NumberedCanvas, draw_footer
from app.services.evaluation import Talks
from app.services.statistics import MemberStats, YearStatistics, talk_progress

PAGE_W, PAGE_H = landscape(A4)
MARGIN = 15 * mm
FRAME_W = PAGE_W - 2 * MARGIN
TALK_BG = colors.HexColor("#fff2cc")  # 谈话提醒, as in the workbook
BASIS_BG = colors.HexColor("#f8cbad")  # 不合格党员认定依据
WARN = colors.HexColor("#b00000")

TEXT = {
    "title": "{branch}{year}年党员活动日统计",
    "computed": "统计日期：{today}　　请假{leave}未参加次数",
    "summary": "计划 {planned} 次，已开展 {held} 次（截至统计日应开展 {due} 次）；"
    "无活动月份：{months}；报送逾期 {overdue} 份（活动后3日内未报送），尚未报送 {not_submitted} 份；"
    "平均参加率 {rate}。",
    "excellence_ok": "截至统计日期，已过月份均开展了党日活动，未发现不得评先选优的情形。",
    "members": "一、党员参加情况",
    "talks": "二、谈话提醒（累计未参加3次及以上）",
    "activities": "三、活动情况",
    "basis": "不合格党员认定依据（参考）",
    "no_talks": "本年度没有累计未参加3次及以上的党员。",
    "talk_line": "{date} {talker}谈话：{note}（{state}）",
    **shared.WORDS,
}

MEMBER_HEADERS = ("序号", "姓名", "类别", "应参加", *shared.MEMBER_TOTALS)
MEMBER_WIDTHS_MM = (12, 26, 26, 16, 18, 14, 14, 16, 22, 18, 85)
TALK_HEADERS = ("姓名", "未参加次数", "谈话情况")
TALK_WIDTHS_MM = (30, 24, 213)
ACTIVITY_HEADERS = (*shared.ACTIVITY_FIRST, *shared.ACTIVITY_LAST)
ACTIVITY_WIDTHS_MM = (12, 26, 26, 100, 16, 18, 18, 26, 25)


def statistics_title(stats: YearStatistics) -> str:
    return TEXT["title"].format(branch=stats.branch.name, year=stats.year)


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontSize=16, leading=22, alignment=TA_CENTER, spaceAfter=1 * mm
        ),
        "sub": ParagraphStyle("sub", parent=base, alignment=TA_CENTER, textColor="#555555"),
        "heading": ParagraphStyle(
            "heading", parent=base, fontSize=11.5, leading=16, spaceBefore=4 * mm, spaceAfter=2 * mm
        ),
        "body": ParagraphStyle("body", parent=base, fontSize=10, leading=15),
        "warn": ParagraphStyle("warn", parent=base, fontSize=10, leading=15, textColor=WARN),
        "head": ParagraphStyle("head", parent=base, alignment=TA_CENTER),
        "cell": base,
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
        "note": ParagraphStyle("note", parent=base, textColor="#555555"),
    }


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape("" if text is None else str(text)).replace("\n", "<br/>"), style)


def _shown(value: object) -> object:
    """A date as 2026-03-05, nothing for an empty cell; numbers and texts as they are."""
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else value


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def _table(headers: tuple[str, ...], rows: list[list], widths_mm: tuple, st: dict) -> LongTable:
    """A grid whose header row repeats on every page; the text cells wrap, numbers centred."""
    head = [_p(h, st["head"]) for h in headers]
    body = [
        [_p(v, st["center"] if isinstance(v, int | float) else st["cell"]) for v in row]
        for row in rows
    ]
    table = LongTable([head, *body], colWidths=[w * mm for w in widths_mm], repeatRows=1)
    table.setStyle(grid_style(0.5))
    return table


def _members(stats: YearStatistics, st: dict) -> list:
    rows = [
        [
            i,
            m.name,
            m.category,
            m.expected,
            *shared.member_counts(m),
            _pct(m.rate),
            shared.member_hint(m, TEXT["basis"]),
        ]
        for i, m in enumerate(stats.members, start=1)
    ]
    table = _table(MEMBER_HEADERS, rows, MEMBER_WIDTHS_MM, st)
    for r, m in enumerate(stats.members, start=1):
        if m.unqualified_basis or m.talk_reminder:
            fill = BASIS_BG if m.unqualified_basis else TALK_BG
            table.setStyle(TableStyle([("BACKGROUND", (0, r), (-1, r), fill)]))
    flow: list = [_p(TEXT["members"], st["heading"]), table]
    if stats.unqualified_basis:
        flow += [Spacer(1, 1.5 * mm), _p(TEXT["basis_note"], st["note"])]
    return flow


def _talk_text(m: MemberStats, talks: Talks | None, stats: YearStatistics) -> str:
    held = (talks or {}).get(m.member_id) or []
    if not held:
        return TEXT["no_talk"]
    return "\n".join(
        TEXT["talk_line"].format(
            date=t.talk_date.isoformat(),
            talker=t.talker,
            note=t.note or "",
            state=t.state_text(stats.today),
        )
        for t in held
    )


def _talks(stats: YearStatistics, talks: Talks | None, st: dict) -> list:
    flow: list = [_p(TEXT["talks"], st["heading"])]
    due = stats.talk_reminder
    if not due:
        return [*flow, _p(TEXT["no_talks"], st["body"])]
    if talks is not None:
        flow.append(_p(talk_progress(stats, talks), st["body"]))
        flow.append(Spacer(1, 1.5 * mm))
    rows = [[m.name, m.not_taking_part, _talk_text(m, talks, stats)] for m in due]
    return [*flow, _table(TALK_HEADERS, rows, TALK_WIDTHS_MM, st)]


def _activities(stats: YearStatistics, st: dict) -> list:
    rows = [
        [
            *map(_shown, shared.activity_first(i, a)),
            _pct(a.rate) if a.is_held else "",
            _shown(a.submitted_date),
            a.submission_state,
        ]
        for i, a in enumerate(stats.activities, start=1)
    ]
    table = _table(ACTIVITY_HEADERS, rows, ACTIVITY_WIDTHS_MM, st)
    for r, a in enumerate(stats.activities, start=1):
        if a.overdue:
            table.setStyle(TableStyle([("TEXTCOLOR", (-1, r), (-1, r), WARN)]))
    return [_p(TEXT["activities"], st["heading"]), table]


def _summary(stats: YearStatistics, st: dict) -> list:
    b = stats.branch
    leave = shared.leave_word(stats)
    months = shared.months_without_activity(b)
    line = TEXT["summary"].format(
        planned=b.planned,
        held=b.held,
        due=b.due,
        months=months,
        overdue=b.overdue_records,
        not_submitted=b.not_submitted,
        rate=_pct(b.attendance_rate),
    )
    note = stats.excellence_note()
    return [
        _p(statistics_title(stats), st["title"]),
        _p(TEXT["computed"].format(today=stats.today.isoformat(), leave=leave), st["sub"]),
        Spacer(1, 3 * mm),
        _p(line, st["body"]),
        _p(note, st["warn"]) if note else _p(TEXT["excellence_ok"], st["body"]),
    ]


def statistics_texts(stats: YearStatistics) -> str:
    """The names and themes the PDF prints (for the missing-glyph check)."""
    return "".join([stats.branch.name, *(m.name for m in stats.members)]) + "".join(
        a.theme for a in stats.activities
    )


def render_statistics_pdf(stats: YearStatistics, out: Path, talks: Talks | None = None) -> Path:
    """Write the statistics of one year to `out` (through `files.replacing()`); returns `out`.

    `talks` (`evaluation.talks_for_year`) add each talk held to the 谈话提醒 list; without
    them the list names the members only."""
    out = Path(out)
    font = register_font()
    st = _styles(font)
    title = statistics_title(stats)
    story = [
        *_summary(stats, st),
        *_members(stats, st),
        *_talks(stats, talks, st),
        *_activities(stats, st),
    ]

    def footer(canvas, page: int, pages: int) -> None:
        draw_footer(canvas, title, page, pages, left=MARGIN, right=PAGE_W - MARGIN, y=7 * mm)

    with files.replacing(out, what="统计表") as tmp:
        doc = SimpleDocTemplate(
            str(tmp),
            pagesize=(PAGE_W, PAGE_H),
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=12 * mm,
            bottomMargin=14 * mm,
            title=title,
            author=stats.branch.name,
            subject="党员活动日统计",
            creator="党日记实",
            initialFontName=font,
        )
        doc.build(story, canvasmaker=lambda *a, **k: NumberedCanvas(*a, footer=footer, **k))
    return out
