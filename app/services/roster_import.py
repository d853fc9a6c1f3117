"""Importing the 花名册 from the spreadsheets branches already keep (.xlsx, or .csv in UTF-8 or GBK
as Excel and WPS write them).

Columns are found by their Chinese headers and the usual variants; a title row above the header
is skipped. `preview_file()` reads and checks every row without writing; `import_file()` writes
all rows or none. A member already on the roster is matched, never added twice: same name and
same birth date (same year and month when the file gives 出生年月 only), or same name when one
side has no birth date and only one member of that name exists.
Matched members are left as they are.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import UserError
from app.models import DB, Member, vocab
from app.services.roster import (
    MemberInput,
    clean_name,
    format_date,
    is_month_only,
    member_problems,
    parse_date,
)

Progress = Callable[[int, int, str], None]

# field -> accepted header words (after normalising: no spaces, no bracketed hints, no '*')
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "党员姓名"),
    "gender": ("性别",),
    "birth_date": ("出生日期", "出生年月", "生日", "出生时间", "出生年月日"),
    "joined_party_date": ("入党时间", "入党日期", "入党年月", "入党时间年月"),
    "category": ("人员类别", "党员类别", "类别", "党员类型", "党员身份", "人员类型"),
    "phone": ("联系电话", "手机", "手机号码", "电话", "手机号", "联系方式", "电话号码"),
    "is_mobile": ("是否流动党员", "流动党员", "是否流动"),
    "mobile_location": ("流入地", "外出地点", "现所在地", "外出地", "流动去向", "现居住地"),
    "inflow_org": ("流入地党组织", "流入党组织", "流入地党支部"),
    "is_frail": ("年老体弱", "是否年老体弱", "年老体弱行动不便", "行动不便"),
    "is_leader": ("领导干部", "党员领导干部", "是否领导干部", "是否党员领导干部"),
    "roll_start": ("转入时间", "转入日期", "转入本支部时间", "编入支部时间"),
    "left_date": ("离开日期", "转出日期", "离开花名册日期"),
    "left_reason": ("离开原因",),
    "note": ("备注", "说明"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "身份证"),
}
FIELD_LABELS = {
    "name": "姓名",
    "gender": "性别",
    "birth_date": "出生日期",
    "joined_party_date": "入党时间",
    "category": "人员类别",
    "phone": "联系电话",
    "is_mobile": "是否流动党员",
    "mobile_location": "流入地",
    "inflow_org": "流入地党组织",
    "is_frail": "年老体弱",
    "is_leader": "领导干部",
    "roll_start": "转入时间",
    "left_date": "离开日期",
    "left_reason": "离开原因",
    "note": "备注",
    "id_number": "身份证号",
}
_ALIASES = {alias: name for name, aliases in HEADERS.items() for alias in aliases}

# A flag column marked with its own word (年老体弱 column saying 年老体弱) also means yes.
YES = {"是", "√", "✓", "✔", "y", "yes", "true", "1", "是的", "有", "○", "流动", "流动党员"}
YES |= {"年老体弱", "行动不便", "领导干部", "党员领导干部"}
NO = {"", "否", "×", "✗", "n", "no", "false", "0", "不是", "无", "/", "-", "—"}
CATEGORY_WORDS = {
    "正式党员": vocab.FULL_MEMBER,
    "正式": vocab.FULL_MEMBER,
    "预备党员": vocab.PROBATIONARY_MEMBER,
    "预备": vocab.PROBATIONARY_MEMBER,
    "": vocab.FULL_MEMBER,
}
GENDER_WORDS = {"男": "男", "女": "女", "男性": "男", "女性": "女", "": None}
HEADER_SEARCH_ROWS = 10

ADD = "新增"
MATCH = "已在花名册"


def normalise_header(text: object) -> str:
    """`* 出生日期（年月日）` -> `出生日期`; `是否流动党员(是/否)` -> `是否流动党员`."""
    t = str(text or "").replace("\u3000", "")
    t = re.sub(r"[（(【\[].*?[）)】\]]", "", t)
    return re.sub(r"[\s*＊:：]", "", t)


def field_for_header(text: object) -> str | None:
    h = normalise_header(text)
    if not h:
        return None
    if h in _ALIASES:
        return _ALIASES[h]
    # "出生日期年月日" style run-ons: the longest known word the header starts with
    starts = [a for a in _ALIASES if h.startswith(a)]
    return _ALIASES[max(starts, key=len)] if starts else None


@dataclass(frozen=True)
class RowProblem:
    row: int  # as the spreadsheet shows it (1-based, header included)
    reason: str

    def text(self) -> str:
        return f"第{self.row}行：{self.reason}"


@dataclass
class ImportRow:
    row: int
    member: MemberInput
    action: str = ADD  # 新增 / 已在花名册
    matched_id: int | None = None
    left_date: dt.date | None = None
    left_reason: str | None = None
    birth_month_only: bool = False  # 出生年月 written as 1968.03
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportPreview:
    path: Path
    sheet: str
    header_row: int
    columns: dict[str, str]  # field -> header as written
    ignored_headers: list[str]
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    @property
    def to_add(self) -> int:
        return sum(1 for r in self.rows if r.action == ADD)

    @property
    def to_match(self) -> int:
        return sum(1 for r in self.rows if r.action == MATCH)

    def problem_text(self) -> str:
        return "\n".join(p.text() for p in self.problems)


@dataclass(frozen=True)
class ImportResult:
    path: Path
    added: int
    matched: int
    added_ids: tuple[int, ...] = ()

    def summary(self) -> str:
        return (
            f"已从“{self.path.name}”导入花名册：新增党员 {self.added} 人，"
            f"已在花名册中（未重复添加）{self.matched} 人。"
        )


# --- reading files --------------------------------------------------------------------------------
def read_table(path: Path) -> tuple[str, list[list[object]]]:
    """(sheet name, rows of cell values) of the first sheet that has a 姓名 header."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"找不到文件：{path}", f"no such file {path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".txt"):
        return path.name, _read_csv(path)
    if suffix in (".xls", ".et", ".wps"):
        raise UserError(
            "暂不支持旧版 .xls/.et 文件：请在 Excel 或 WPS 中“另存为” .xlsx 或 .csv 后再导入。",
            f"unsupported file type {suffix}",
        )
    raise UserError("只能导入 .xlsx 或 .csv 文件。", f"unsupported file type {suffix or '(none)'}")


def _read_xlsx(path: Path) -> tuple[str, list[list[object]]]:
    import openpyxl

    # A damaged or disguised file can fail anywhere inside zipfile, zlib, the XML parser or
    # openpyxl, with many exception types; for an untrusted file each means "cannot read it".
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            first: tuple[str, list[list[object]]] | None = None
            for sheet in book.worksheets:
                rows = [list(r) for r in sheet.iter_rows(values_only=True)]
                if first is None:
                    first = (sheet.title, rows)
                if _find_header(rows) is not None:
                    return sheet.title, rows
            return first or (path.name, [])
        finally:
            book.close()
    except Exception as err:  # noqa: BLE001 - see above
        raise UserError(
            "无法读取该 Excel 文件，可能已损坏或不是 .xlsx 格式。请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。",
            f"cannot read xlsx: {type(err).__name__}: {err}",
        ) from err


def decode_text(raw: bytes) -> str:
    """CSV bytes as Excel and WPS write them: UTF-8 (with or without BOM), else GBK/GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UserError(
        "无法识别该 CSV 文件的编码：请在 Excel 或 WPS 中另存为“CSV UTF-8”或 .xlsx 后再导入。",
        "csv is neither UTF-8 nor GBK",
    )


def _read_csv(path: Path) -> list[list[object]]:
    text = decode_text(path.read_bytes())
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), dialect)]


def _find_header(rows: list[list[object]]) -> int | None:
    """Index of the header row: the first of the top rows with a 姓名 column."""
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(field_for_header(c) == "name" for c in row):
            return i
    return None


# --- checking rows --------------------------------------------------------------------------------
def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        value = int(value)  # phone numbers typed into a number cell
    return str(value).replace("\u3000", " ").strip()


def _flag(value: object, label: str) -> bool:
    t = _text(value).lower()
    if t in YES:
        return True
    if t in NO:
        return False
    raise ValueError(f"{label}“{_text(value)}”应填“是”或“否”")


def _date_cell(value: object, label: str) -> dt.date | None:
    try:
        return parse_date(value)
    except (ValueError, OverflowError):
        raise ValueError(
            f"{label}“{_text(value)}”无法识别，请写成 2019-07-01、2019/7/1 或 2019.07"
        ) from None


def _from_id_number(text: str) -> tuple[dt.date | None, str | None]:
    """Birth date and gender from an 18-digit 公民身份号码 (the number itself is not kept)."""
    t = text.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", t):
        return None, None
    try:
        born = dt.date(int(t[6:10]), int(t[10:12]), int(t[12:14]))
    except ValueError:
        return None, None
    return born, ("男" if int(t[16]) % 2 else "女")


def _parse_row(cells: dict[str, object], today: dt.date) -> tuple[ImportRow | None, list[str]]:
    reasons: list[str] = []

    def get(name: str) -> object:
        return cells.get(name)

    name = clean_name(_text(get("name")))
    if not name:
        reasons.append("姓名为空")
    gender_text = _text(get("gender"))
    gender = GENDER_WORDS.get(gender_text, "?")
    if gender == "?":
        reasons.append(f"性别“{gender_text}”应填“男”或“女”")
        gender = None
    dates: dict[str, dt.date | None] = {}
    for key in ("birth_date", "joined_party_date", "roll_start", "left_date"):
        try:
            dates[key] = _date_cell(get(key), FIELD_LABELS[key])
        except ValueError as err:
            reasons.append(str(err))
            dates[key] = None
    id_birth, id_gender = _from_id_number(_text(get("id_number")))
    if dates["birth_date"] is None and id_birth is not None:
        dates["birth_date"] = id_birth
    if gender is None and id_gender is not None and not gender_text:
        gender = id_gender
    category_text = re.sub(r"\s", "", _text(get("category")))
    category = CATEGORY_WORDS.get(category_text)
    if category is None:
        reasons.append(f"人员类别“{category_text}”应填“正式党员”或“预备党员”")
        category = vocab.FULL_MEMBER
    flags: dict[str, bool] = {}
    for key in ("is_mobile", "is_frail", "is_leader"):
        try:
            flags[key] = _flag(get(key), FIELD_LABELS[key])
        except ValueError as err:
            reasons.append(str(err))
            flags[key] = False
    location, inflow_org = _text(get("mobile_location")), _text(get("inflow_org"))
    if "is_mobile" not in cells and (location or inflow_org):
        flags["is_mobile"] = True  # no 流动 column, but a 流入地 filled in
    left_reason = _text(get("left_reason")) or None
    if dates["left_date"] and left_reason is None:
        left_reason = "其他"
    if left_reason and left_reason not in vocab.LEAVE_REASONS:
        reasons.append(f"离开原因“{left_reason}”应为转出、去世或其他")
    if left_reason and not dates["left_date"]:
        reasons.append("填了离开原因，但没有离开日期")
    member = MemberInput(
        name=name,
        gender=gender,
        birth_date=dates["birth_date"],
        joined_party_date=dates["joined_party_date"],
        category=category,
        phone=_text(get("phone")),
        is_mobile=flags["is_mobile"],
        mobile_location=location,
        inflow_org=inflow_org,
        is_frail=flags["is_frail"],
        is_leader=flags["is_leader"],
        roll_start=dates["roll_start"],
        note=_text(get("note")),
    )
    if name:  # an empty name is already reported
        reasons.extend(p.message.rstrip("。") for p in member_problems(member, today))
    if not reasons:
        member = member.cleaned()
        left = dates["left_date"]
        if left and (left > today or (member.roll_start and left < member.roll_start)):
            reasons.append("离开日期应在转入时间之后、且不晚于今天")
    if reasons:
        return None, reasons
    return ImportRow(
        row=0,
        member=member,
        left_date=dates["left_date"],
        left_reason=left_reason if dates["left_date"] else None,
        birth_month_only=is_month_only(get("birth_date")),
    ), []


def same_birth(stored: dt.date | None, written: dt.date | None, row: ImportRow) -> bool:
    """Equal birth dates; when either side is known to the month only (written `1968.03`, or
    stored as the 1st from such a file), the same year and month."""
    if stored == written:
        return True
    if (
        stored is None
        or written is None
        or (stored.year, stored.month)
        != (
            written.year,
            written.month,
        )
    ):
        return False
    return row.birth_month_only or stored.day == 1


def _match(rows: list[ImportRow], problems: list[RowProblem]) -> None:
    """Find each row's member on the roster (see the module docstring for the rule)."""
    by_name: dict[str, list[Member]] = {}
    for m in Member.select():
        by_name.setdefault(m.name, []).append(m)
    for r in rows:
        candidates = by_name.get(r.member.name, [])
        exact = [m for m in candidates if same_birth(m.birth_date, r.member.birth_date, r)]
        if exact:
            chosen = exact[0]
        elif len(candidates) == 1 and (
            candidates[0].birth_date is None or r.member.birth_date is None
        ):
            chosen = candidates[0]
        elif len(candidates) > 1 and r.member.birth_date is None:
            problems.append(
                RowProblem(
                    r.row,
                    f"花名册中有 {len(candidates)} 名党员叫“{r.member.name}”，"
                    "请填写出生日期以便区分",
                )
            )
            continue
        else:
            continue
        r.action, r.matched_id = MATCH, chosen.id
        if chosen.left_date:
            r.notes.append(f"已于 {format_date(chosen.left_date)} {chosen.left_reason}")


def preview_file(
    path: Path, progress: Progress | None = None, today: dt.date | None = None
) -> ImportPreview:
    """Read and check every row without writing anything. File-level problems (unreadable file,
    no 姓名 column, no data) raise UserError; row problems are listed in `problems`."""
    path = Path(path)
    today = today or dt.date.today()
    sheet, table = read_table(path)
    header_index = _find_header(table)
    if header_index is None:
        raise UserError(
            f"在“{path.name}”的前{HEADER_SEARCH_ROWS}行中没有找到“姓名”列：请确认表头一行写有"
            "“姓名”“性别”“出生日期”等列名。",
            "no 姓名 header found",
        )
    header = table[header_index]
    columns: dict[str, int] = {}
    written: dict[str, str] = {}
    ignored: list[str] = []
    problems: list[RowProblem] = []
    for col, cell in enumerate(header):
        name = field_for_header(cell)
        if name is None:
            if _text(cell):
                ignored.append(_text(cell))
            continue
        if name in columns:
            problems.append(
                RowProblem(
                    header_index + 1,
                    f"“{_text(cell)}”与“{written[name]}”是同一列（{FIELD_LABELS[name]}），"
                    "请删去其中一列",
                )
            )
            continue
        columns[name] = col
        written[name] = _text(cell)
    preview = ImportPreview(path, sheet, header_index + 1, written, ignored, problems=problems)
    body = table[header_index + 1 :]
    seen: dict[tuple[str, dt.date | None], int] = {}
    total = len(body)
    for offset, raw in enumerate(body):
        row_number = header_index + 2 + offset
        if progress and offset % 200 == 0:
            progress(offset, total, f"正在检查第{row_number}行")
        cells = {name: (raw[col] if col < len(raw) else None) for name, col in columns.items()}
        if all(_text(c) == "" for c in cells.values()):
            continue  # blank lines, or template rows with only a 序号
        parsed, reasons = _parse_row(cells, today)
        if reasons:
            problems.extend(RowProblem(row_number, reason) for reason in reasons)
            continue
        assert parsed is not None
        parsed.row = row_number
        key = (parsed.member.name, parsed.member.birth_date)
        if key in seen:
            problems.append(RowProblem(row_number, f"与第{seen[key]}行重复（同名、同出生日期）"))
            continue
        seen[key] = row_number
        preview.rows.append(parsed)
    if not preview.rows and not problems:
        raise UserError(f"“{path.name}”中没有党员数据。", "no data rows")
    _match(preview.rows, problems)
    problems.sort(key=lambda p: p.row)
    if progress:
        progress(total, total, "检查完成")
    return preview


def import_file(
    path: Path, progress: Progress | None = None, today: dt.date | None = None
) -> ImportResult:
    """Import the roster: all rows or none. Any bad row raises UserError listing every bad row as
    “第N行：原因”; members already on the roster are matched, not added again."""
    path = Path(path)
    with DB.atomic():
        preview = preview_file(path, progress, today)
        if preview.problems:
            raise UserError(
                f"“{path.name}”中有 {len(preview.problems)} 处问题，未导入任何数据：\n"
                + preview.problem_text(),
                f"{len(preview.problems)} problems in {path.name}; nothing was imported",
            )
        added: list[int] = []
        for r in preview.rows:
            if r.action != ADD:
                continue
            m = Member(**{k: getattr(r.member, k) for k in MemberInput.__dataclass_fields__})
            if r.left_date:
                m.left_date, m.left_reason = r.left_date, r.left_reason
            m.save()
            added.append(m.id)
    return ImportResult(path, len(added), preview.to_match, tuple(added))
