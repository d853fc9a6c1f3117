"""The year's plan as a Word file (.docx), laid out as the plan PDF (`plan_pdf`): the title, the
branch and its superior, the table of dates, themes, contents, places and the reasons a date
moved (the heading repeated on every page), the 注 and the key's fingerprint, 党组织（盖章）and
the date. A4 landscape; every run names its East-Asian font (`docx_kit`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx.document import Document as DocumentType
from docx.shared import Mm

from app.reports import docx_kit as kit
from app.reports.plan_pdf import (
    HEADERS,
    UNVERIFIED,
    WEEKDAYS,
    WIDTHS_MM,
    categories_text,
    filed_line,
    key_line,
    plan_notes,
    plan_title,
)
from app.reports.record_form import chinese_date
from app.services.ledger import ActivityRow, YearData

MARGINS_MM = (12, 15, 14, 15)  # top, right, bottom, left: as the PDF
SIZE = 9  # the table's type, as the PDF's


def _info(doc: DocumentType, data: YearData) -> None:
    """Under the title: the branch, its superior, and the filing date once filed (right)."""
    line = kit.add_paragraph(doc, after=4)
    kit.add_run(line, f"党组织：{data.branch.name}", size=10)
    kit.add_run(line, f"　　　　上级党组织：{data.branch.superior_org or '　'}", size=10)
    filed = filed_line(data)
    if filed:
        line.paragraph_format.tab_stops.add_tab_stop(Mm(sum(WIDTHS_MM)), alignment=kit.RIGHT)
        kit.add_run(line, "\t" + filed, size=10)


def _entry(row, index: int, a: ActivityRow) -> None:
    day = a.plan_date
    cells = row.cells
    kit.fill(cells[0], str(index), size=SIZE, align=kit.CENTER)
    kit.fill(cells[1], f"{day.month}月", size=SIZE, align=kit.CENTER)
    flag = UNVERIFIED if a.holidays_unverified else ""
    kit.fill(
        cells[2],
        f"{day.month}月{day.day}日 {WEEKDAYS[day.weekday()]}",
        size=SIZE,
        align=kit.CENTER,
        small=flag,
    )
    kit.fill(cells[3], a.theme, size=SIZE)
    kit.fill(cells[4], a.planned_content or "", size=SIZE, small=categories_text(a))
    kit.fill(cells[5], a.place, size=SIZE)
    kit.fill(cells[6], a.plan_reason or "", size=SIZE)


def _seal(doc: DocumentType, data: YearData, made_on: dt.date | None, fingerprint: str) -> None:
    """The 注 on the left; the fingerprint, 党组织（盖章）and the date on the right, with room
    under the name for the seal; no date yet: blank for the pen."""
    kit.add_paragraph(doc, "注：" + "".join(plan_notes(data)), size=SIZE, before=6)
    kit.add_paragraph(doc, key_line(fingerprint), size=SIZE, align=kit.RIGHT, before=6)
    kit.add_paragraph(doc, f"党组织（盖章）：{data.branch.name}", size=11, align=kit.RIGHT)
    kit.add_paragraph(doc, chinese_date(made_on), size=11, align=kit.RIGHT, before=40)


def render_plan_docx(
    data: YearData, out: Path, *, made_on: dt.date | None = None, fingerprint: str | None = None
) -> Path:
    """Write the plan of `data.year` to `out` as .docx (through `files.replacing()`); returns
    `out`. `made_on` and `fingerprint` as for `plan_pdf.render_plan_pdf`."""
    made_on = made_on or data.plan_filed_date
    if fingerprint is None:
        from app.signing import key_of_open_ledger

        fingerprint = key_of_open_ledger().fingerprint
    activities = sorted(data.activities, key=lambda a: (a.plan_date, a.activity_id))
    doc = kit.new_document(landscape=True, margins_mm=MARGINS_MM)
    doc.core_properties.title = plan_title(data)
    doc.core_properties.author = data.branch.name
    kit.title(doc, plan_title(data), 17, after=4)
    _info(doc, data)
    grid = kit.table(doc, 1 + len(activities), WIDTHS_MM)
    head = grid.rows[0]
    for cell, text in zip(head.cells, HEADERS, strict=True):
        kit.fill(cell, text, size=10, align=kit.CENTER)
    kit.shade(head)
    kit.repeat_as_header(head)
    for index, (row, a) in enumerate(zip(grid.rows[1:], activities, strict=True), start=1):
        _entry(row, index, a)
    _seal(doc, data, made_on, fingerprint)
    return kit.save(doc, out, "计划表")
