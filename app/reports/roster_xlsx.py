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
    ("转正日期", 12),
)
ID_COLUMN = ("公民身份号码", 20)  # only when asked for: the number stays in the ledger
DATE_FORMAT = "yyyy-mm-dd"


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def _written(day: dt.date | None, precision: str) -> object:
    """A date cell, or `1965.11` / `1965` as text for a date known to the month or year only
    (app/services/roster_dates.py), so the importer reads it back at the same precision."""
    if day is None or precision == "day":
        return day
    return f"{day.year}.{day.month:02d}" if precision == "month" else str(day.year)


def roster_row(number: int, m: Member, with_id: bool = False) -> list[object]:
    row = [
        number,
        m.name,
        m.gender or "",
        _written(m.birth_date, m.birth_precision),
        _written(m.joined_party_date, m.joined_precision),
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
        m.full_member_date,
    ]
    return [*row, m.id_number] if with_id else row


def write_roster_xlsx(
    path: Path, members: Iterable[Member], title: str = "", *, with_id: bool = False
) -> Path:
    """Write the members to `path` (.xlsx) through `files.replacing()`; returns `path`.
    The 公民身份号码 column is written only `with_id`."""
    path = Path(path)
    columns = (*COLUMNS, ID_COLUMN) if with_id else COLUMNS
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    append(sheet, [name for name, _ in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for number, m in enumerate(members, start=1):
        append(sheet, roster_row(number, m, with_id))
    for col, (_, width) in enumerate(columns, start=1):
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
