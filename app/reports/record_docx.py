"""The 记录表 and its 签名表 as a Word file (.docx), laid out as the PDF (`record_form`): the
title, 党组织（盖章）and the date, the rows 活动主题 / 活动时间 / 活动地点 / 参加党员情况 /
活动内容, the 说明 line; then the 签名表 with the members expected and the rows for guests.

For 上级 who ask for Word files and for secretaries who finish a form in WPS. The cells' words
come from the same functions as the PDF's (`form_fields`, `sign_sheet_meta`, …).
"""

from __future__ import annotations

from pathlib import Path

from docx.document import Document as DocumentType
from docx.shared import Mm

from app.reports import docx_kit as kit
from app.reports.record_form import (
    BLANK_SIGN_ROWS,
    NON_MEMBER_HEADER,
    NOTE_LINE,
    SIGN_TITLE,
    chinese_date,
    form_fields,
    form_title,
    sign_sheet_meta,
    sign_sheet_people,
)
from app.services.ledger import ActivityRow, YearData
from app.services.records import attendance_summary

MARGINS_MM = (20, 18, 18, 28)  # top, right, bottom, left: the PDF's, with its binding margin
LABEL_MM = 24
FORM_WIDTHS_MM = (LABEL_MM, 54, LABEL_MM, 62)  # 164 mm: A4 less the margins
SIGN_WIDTHS_MM = (14, 32, 50, 68)  # 序号 姓名 签名 备注
CONTENT_MIN_MM = 150  # the 活动内容 box fills the page, as on the printed form
SIGN_ROW_MM = 10  # room to sign with a pen
SEAL_GAP_PT = 40  # blank paper above 党组织（盖章）for the seal


def _form(doc: DocumentType, data: YearData, activity: ActivityRow) -> None:
    fields = form_fields(data, activity)
    kit.title(doc, form_title(data), 18, after=SEAL_GAP_PT)
    header = kit.add_paragraph(doc, after=6)
    kit.add_run(header, f"党组织（盖章）：{data.branch.name}", size=12)
    header.paragraph_format.tab_stops.add_tab_stop(Mm(sum(FORM_WIDTHS_MM)), alignment=kit.RIGHT)
    kit.add_run(header, "\t" + chinese_date(activity.held_date), size=12)

    grid = kit.table(doc, 4, FORM_WIDTHS_MM)
    theme, when, people, content = grid.rows
    kit.fill(theme.cells[0], "活动主题", size=12, align=kit.CENTER)
    kit.fill(theme.cells[1].merge(theme.cells[3]), activity.theme, size=12)
    kit.fill(when.cells[0], "活动时间", size=12, align=kit.CENTER)
    kit.fill(when.cells[1], fields.time, size=12, small=fields.moved)
    kit.fill(when.cells[2], "活动地点", size=12, align=kit.CENTER)
    kit.fill(when.cells[3], fields.place, size=12, small=fields.extra)
    kit.fill(people.cells[0], "参加党员\n情　　况", size=12, align=kit.CENTER)
    kit.fill(people.cells[1].merge(people.cells[3]), fields.participation, size=12)
    kit.fill(content.cells[0], "活\n动\n内\n容", size=12, align=kit.CENTER)
    box = content.cells[1].merge(content.cells[3])
    paragraphs = [p.strip() for p in activity.content.splitlines() if p.strip()]
    kit.fill(box, paragraphs[0] if paragraphs else "", size=12, middle=False)
    for text in paragraphs[1:]:
        kit.add_paragraph(box, text, size=12, before=6)
    for row, height in zip(grid.rows, (14, 16, 14, CONTENT_MIN_MM), strict=True):
        kit.at_least(row, height)
    kit.add_paragraph(doc, NOTE_LINE, size=10.5, before=8)


def _sign_table(doc: DocumentType, people: list[tuple[str, str]], banner: str = "") -> None:
    """序号 / 姓名 / 签名 / 备注, the heading repeated on every page; `banner` above it."""
    head_rows = 2 if banner else 1
    grid = kit.table(doc, head_rows + len(people), SIGN_WIDTHS_MM)
    if banner:
        first = grid.rows[0]
        kit.fill(first.cells[0].merge(first.cells[3]), banner, size=11)
        kit.repeat_as_header(first)
    head = grid.rows[head_rows - 1]
    for cell, text in zip(head.cells, ("序号", "姓名", "签名", "备注"), strict=True):
        kit.fill(cell, text, size=12, align=kit.CENTER)
    kit.shade(head)
    kit.repeat_as_header(head)
    for i, ((name, note), row) in enumerate(zip(people, grid.rows[head_rows:], strict=True), 1):
        kit.fill(row.cells[0], str(i) if name else "", size=11, align=kit.CENTER)
        kit.fill(row.cells[1], name, size=11, align=kit.CENTER)
        kit.fill(row.cells[3], note, size=11)
        kit.at_least(row, SIGN_ROW_MM)


def _sign_sheet(doc: DocumentType, data: YearData, activity: ActivityRow) -> None:
    kit.title(doc, SIGN_TITLE, 16, after=4)
    kit.add_paragraph(doc, f"（附于{form_title(data)}）", size=10.5, align=kit.CENTER, after=8)
    kit.add_paragraph(doc, sign_sheet_meta(data, activity), size=12, after=6)
    _sign_table(doc, sign_sheet_people(data, activity))
    kit.add_paragraph(doc, after=8)
    guests = [(a.name, a.kind) for a in attendance_summary(data, activity).non_members]
    _sign_table(doc, guests + [("", "")] * BLANK_SIGN_ROWS, banner=NON_MEMBER_HEADER)


def render_record_docx(
    data: YearData, activity: ActivityRow, out: Path, *, sheet_only: bool = False
) -> Path:
    """Write the 记录表 and its 签名表 (or, with `sheet_only`, the 签名表 alone) to `out` as
    .docx (through `files.replacing()`); returns `out`."""
    doc = kit.new_document(margins_mm=MARGINS_MM)
    doc.core_properties.title = f"{SIGN_TITLE if sheet_only else form_title(data)} {activity.theme}"
    doc.core_properties.author = data.branch.name
    if not sheet_only:
        _form(doc, data, activity)
        kit.page_break(doc)
    _sign_sheet(doc, data, activity)
    return kit.save(doc, out, "记录表")
