"""The 花名册 as an .xlsx workbook, with the same headers the importer reads (a round trip)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from app.models import Member
from app.services.roster import RosterFilter, list_members

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


def _row(number: int, m: Member) -> list[object]:
    yes = lambda flag: "是" if flag else "否"  # noqa: E731
    return [
        number,
        m.name,
        m.gender or "",
        m.birth_date,
        m.joined_party_date,
        m.category,
        m.phone,
        yes(m.is_mobile),
        m.mobile_location,
        m.inflow_org,
        yes(m.is_frail),
        yes(m.is_leader),
        m.roll_start,
        m.left_date,
        m.left_reason or "",
        m.note,
    ]


def export_roster(path: Path, members: list[Member] | None = None, title: str = "") -> Path:
    """Write the roster (default: every member, those who left included) to `path` (.xlsx),
    through a temp file renamed into place. Returns the path written."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    members = list_members(RosterFilter(roll="全部")) if members is None else members
    book = Workbook()
    sheet = book.active
    sheet.title = "花名册"
    sheet.append([name for name, _ in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for number, m in enumerate(members, start=1):
        sheet.append(_row(number, m))
    for col, (_, width) in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=col).column_letter
        sheet.column_dimensions[letter].width = width + 2
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
    sheet.freeze_panes = "C2"
    if title:
        book.properties.title = title
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    book.save(tmp)
    os.replace(tmp, path)
    return path
