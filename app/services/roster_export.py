"""Exporting the 花名册: which members go out (the workbook itself: `app.reports.roster_xlsx`), and
the blank template to fill in (帮助 → 下载花名册模板)."""

from __future__ import annotations

from pathlib import Path

from app.models import Member
from app.reports.roster_xlsx import COLUMNS, ID_COLUMN, write_roster_xlsx
from app.services.roster import RosterFilter, list_members
from app.services.roster_import import EXAMPLE_MARK


def export_roster(
    path: Path, members: list[Member] | None = None, title: str = "", *, with_id: bool = False
) -> Path:
    """Write the roster (default: every member, those who left included) to `path`, with the
    suffix .xlsx, in the importer's headers (a round trip). The 公民身份号码 goes out only
    `with_id`. Returns the path written."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    members = list_members(RosterFilter(roll="全部")) if members is None else members
    return write_roster_xlsx(path, members, title, with_id=with_id)


# fmt: off
TEMPLATE_EXAMPLES = (
    # 序号, 姓名, 性别, 出生日期, 入党时间, 人员类别, 联系电话, 是否流动党员, 流入地, 流入地党组织,
    # 年老体弱, 领导干部, 转入时间, 离开日期, 离开原因, 备注, 转正日期, 公民身份号码
    (EXAMPLE_MARK, "张建华", "男", "1965.11", "1990-07-01", "正式党员", "13900000000", "否",
     "", "", "否", "是", "", "", "", "出生日期可只写到月", "", "340802196511051232"),
    (EXAMPLE_MARK, "李秀英", "女", "", "2024-06-30", "正式党员", "", "是", "浙江省杭州市",
     "杭州市某某社区党委", "否", "否", "", "", "", "出生日期可不填，按身份证号补全",
     "2025-06-30", "330106198802140029"),
)
# fmt: on


def write_template(path: Path) -> Path:
    """An .xlsx with the importer's headers and two example rows (marked 示例 in 序号, never
    imported); the 公民身份号码 and 联系电话 columns are text, so Excel keeps all 18 digits."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from app import files
    from app.reports.xlsx_cells import append

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    columns = (*COLUMNS, ID_COLUMN)
    book = Workbook()
    sheet = book.active
    sheet.title = "花名册"
    append(sheet, [name for name, _ in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in TEMPLATE_EXAMPLES:
        append(sheet, row)
    for col, (name, width) in enumerate(columns, start=1):
        letter = get_column_letter(col)
        sheet.column_dimensions[letter].width = width + 2
        if name in ("公民身份号码", "联系电话"):
            for r in range(2, 502):  # typed numbers stay text: no lost digits
                sheet.cell(row=r, column=col).number_format = "@"
    sheet.freeze_panes = "C2"
    with files.replacing(path, what="花名册模板") as tmp:
        book.save(tmp)
    return path
