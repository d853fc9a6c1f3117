"""The 花名册 workbook (docs/formats.md "Workbooks"), with the same headers the importer reads
(a round trip). Every text goes through `xlsx_cells`: a name is stored as text, never a
formula."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from app import files
from app.models import Member
from app.reports.xlsx_cells import append, clean_text

SHEET = "花名册"
COLUMNS = (
    ("序号", 6),
    ("姓名", 10),
    ("性别", 6),
    ("出生日期", 12),
    ("入党时间", 12),
    ("人员类别", 10),
    ("联系电话", 14),
    ("是否流动党员", 8),
    ("流入地", 16),
    ("流入地党组织", 20),
    ("年老体弱", 8),
    ("领导干部", 8),
    ("转入时间", 12),
    ("离开日期", 12),
    ("离开原因", 8),
    ("备注", 20),
)
DATE_FORMAT = "yyyy-mm-dd"


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def roster_row(number: int, m: Member) -> list[object]:
    return [
        number,
        m.name,
        m.gender or "",
        m.birth_date,
        m.joined_party_date,
        m.category,
        m.phone,
        _yes(m.is_mobile),
        m.mobile_location,
        m.inflow_org,
        _yes(m.is_frail),
        _yes(m.is_leader),
        m.roll_start,
        m.left_date,
        m.left_reason or "",
        m.note,
    ]


def write_roster_xlsx(path: Path, members: Iterable[Member], title: str = "") -> Path:
    """Write the members to `path` (.xlsx) through `files.replacing()`; returns `path`."""
    path = Path(path)
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    append(sheet, [name for name, _ in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for number, m in enumerate(members, start=1):
        append(sheet, roster_row(number, m))
    for col, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width + 2
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
    sheet.freeze_panes = "C2"
    if title:
        book.properties.title = clean_text(title)
    with files.replacing(path, what="花名册") as tmp:
        book.save(tmp)
    return path
