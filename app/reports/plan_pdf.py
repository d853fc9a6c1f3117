"""The plan PDF (SPEC rule 6, seed [四.1]): 《XX党支部YYYY年度党员活动日计划安排表》, the table of
activities with the reasons for moved dates, and the branch's name, date and a space for the seal.

A4 landscape, the CJK font embedded as a subset; every cell is a wrapping Paragraph, so long text
makes a row taller instead of being clipped.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.models import vocab
from app.reports.fonts import register_font
from app.services.ledger import ActivityRow, YearData

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
UNVERIFIED = "未核对节假日"
HEADERS = ("序号", "月份", "日期", "主题", "主要内容", "地点", "日期调整原因")
# Column widths in mm; together 267 mm = A4 landscape minus 15 mm margins.
WIDTHS_MM = (12, 14, 28, 50, 85, 33, 45)


def plan_title(data: YearData) -> str:
    return f"{data.branch.name}{data.year}年度党员活动日计划安排表"


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontSize=17, leading=23, alignment=TA_CENTER, spaceAfter=2 * mm
        ),
        "sub": ParagraphStyle("sub", parent=base, fontSize=10, leading=14),
        "sub_right": ParagraphStyle("sub_right", parent=base, fontSize=10, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", parent=base, fontSize=10, alignment=TA_CENTER),
        "cell": ParagraphStyle("cell", parent=base, alignment=TA_LEFT),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=7.5, leading=10, textColor="#555555"
        ),
        "flag": ParagraphStyle(
            "flag", parent=base, fontSize=8, leading=11, alignment=TA_CENTER, textColor="#b00000"
        ),
        "note": ParagraphStyle("note", parent=base, fontSize=9, leading=13),
        "sign": ParagraphStyle("sign", parent=base, fontSize=11, leading=18),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _content_text(a: ActivityRow) -> str:
    groups = []
    for group, members in vocab.CONTENT_CATEGORIES.items():
        chosen = [c for c in a.categories if c in members]
        if chosen:
            groups.append(f"{group}：{'、'.join(chosen)}")
    return "；".join(groups)


def _row(index: int, a: ActivityRow, st: dict[str, ParagraphStyle]) -> list:
    day = a.plan_date
    date_cell = [_p(f"{day.month}月{day.day}日 {WEEKDAYS[day.weekday()]}", st["center"])]
    if a.holidays_unverified:
        date_cell.append(_p(UNVERIFIED, st["flag"]))
    content = [_p(a.planned_content or "", st["cell"])]
    categories = _content_text(a)
    if categories:
        content.append(_p(categories, st["small"]))
    return [
        _p(str(index), st["center"]),
        _p(f"{a.plan_date.month}月", st["center"]),
        date_cell,
        _p(a.theme, st["cell"]),
        content,
        _p(a.place, st["cell"]),
        _p(a.plan_reason or "", st["cell"]),
    ]


def render_plan_pdf(data: YearData, out: Path, *, made_on: dt.date | None = None) -> Path:
    """Write the plan of `data.year` to `out` (temp name, then renamed); returns `out`."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    font = register_font()
    st = _styles(font)
    made_on = made_on or dt.date.today()
    activities = sorted(data.activities, key=lambda a: (a.plan_date, a.activity_id))

    story: list = [_p(plan_title(data), st["title"])]
    status = data.plan_status
    if data.plan_filed_date:
        status += f"（{data.plan_filed_date.year}年{data.plan_filed_date.month}月{data.plan_filed_date.day}日）"
    info = Table(
        [
            [
                _p(f"党组织：{data.branch.name}", st["sub"]),
                _p(f"上级党组织：{data.branch.superior_org or '　'}", st["sub"]),
                _p(f"计划状态：{status}", st["sub_right"]),
            ]
        ],
        colWidths=[100 * mm, 100 * mm, 67 * mm],
    )
    info.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story += [info, Spacer(1, 2 * mm)]

    rows = [[_p(h, st["head"]) for h in HEADERS]]
    rows += [_row(i, a, st) for i, a in enumerate(activities, start=1)]
    table = LongTable(rows, colWidths=[w * mm for w in WIDTHS_MM], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    story.append(table)

    notes = [f"全年共安排党员活动日 {len(activities)} 次。"]
    if any(a.holidays_unverified for a in activities):
        notes.append(
            f"标“{UNVERIFIED}”的日期按推算的节假日（不含调休）安排，"
            f"待国务院办公厅公布{data.year}年节假日安排后核对。"
        )
    # The note beside the seal space: the seal block is kept with the table's end.
    seal = Table(
        [
            [
                _p("注：" + "".join(notes), st["note"]),
                _p(
                    f"党组织（盖章）：{data.branch.name}\n\n"
                    f"日期：{made_on.year}年{made_on.month}月{made_on.day}日",
                    st["sign"],
                ),
            ]
        ],
        colWidths=[140 * mm, 127 * mm],
        rowHeights=[24 * mm],
    )
    seal.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (0, 0), "TOP"),
                ("VALIGN", (1, 0), (1, 0), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("LEFTPADDING", (1, 0), (1, 0), 20 * mm),
            ]
        )
    )
    story += [Spacer(1, 2 * mm), seal]

    def page_number(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawCentredString(landscape(A4)[0] / 2, 8 * mm, f"第 {doc.page} 页")
        canvas.restoreState()

    tmp = out.with_name(out.name + ".part")
    doc = SimpleDocTemplate(
        str(tmp),
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
        title=plan_title(data),
        author=data.branch.name,
        subject="党员活动日计划安排表",
        initialFontName=font,
    )
    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    os.replace(tmp, out)
    return out
