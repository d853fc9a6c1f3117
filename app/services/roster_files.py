"""Reading a roster file into rows of cell values, within bounds, whoever made the file
(docs/formats.md, 花名册; bounds stated there and in `Limits`).

- .xlsx/.xlsm: the zip's declared part sizes are checked before anything is parsed (total and
  per part, and the packing ratio: a 0.6 MB file must not unpack to gigabytes); read with
  openpyxl in read-only mode; the visible active sheet (if it is hidden, the first visible one).
- .xls (and a WPS .et saved as BIFF): xlrd; a .et or .xls that is really an .xlsx is read as one;
  anything else gets the advice to save as .xlsx.
- .csv/.txt: UTF-8 (BOM or not), GBK/GB18030 or UTF-16 with BOM; a file mixing UTF-8 and GBK
  lines is refused naming the first odd line, never decoded into mojibake.
Rows beyond `MAX_ROWS` (non-empty) and columns beyond `MAX_COLUMNS` are refused or not read.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import UserError

MB = 1024 * 1024
MAX_FILE_BYTES = 20 * MB  # any roster file as it lies on disk
MAX_UNPACKED = 50 * MB  # an .xlsx's parts, unpacked, together
MAX_PART = 40 * MB  # one part of an .xlsx, unpacked
MAX_RATIO = 100  # unpacked / packed, for parts over RATIO_FLOOR
RATIO_FLOOR = 1 * MB
MAX_PARTS = 2000  # zip entries in an .xlsx
MAX_ROWS = 20_000  # rows of a sheet or lines of a CSV holding anything
MAX_COLUMNS = 60  # columns read; later ones are not looked at
MAX_LINE_BYTES = 100_000  # one CSV line

SAVE_AS = "请用 Excel 或 WPS 打开后“另存为” .xlsx 再导入。"


@dataclass
class Table:
    """One sheet's rows (1-based row n is rows[n-1]) and the words to say which sheet it was."""

    sheet: str  # '' for a CSV file
    rows: list[tuple[object, ...]] = field(default_factory=list)
    other_sheets: list[str] = field(default_factory=list)  # visible sheets not read
    hidden_sheets: list[str] = field(default_factory=list)  # never read


def read_table(path: Path) -> Table:
    """The rows of the roster file at `path` (see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"找不到文件：{path}", f"no such file {path}")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise UserError(
            f"“{path.name}”有 {size / MB:.1f} MB，超过花名册文件的上限 {MAX_FILE_BYTES // MB} MB。"
            "请确认选对了文件，或只保留党员名单后另存再导入。",
            f"file of {size} bytes is over the limit",
        )
    suffix = path.suffix.lower()
    with path.open("rb") as f:
        head = f.read(8)
    if suffix in (".xlsx", ".xlsm") or (suffix in (".xls", ".et") and head.startswith(b"PK")):
        return _read_xlsx(path)
    if suffix in (".xls", ".et"):
        return _read_xls(path, head)
    if suffix in (".csv", ".txt"):
        return Table("", _rows_of_text(decode_text(path.read_bytes())))
    raise UserError(
        "只能导入 .xlsx、.xls 或 .csv 文件。", f"unsupported file type {suffix or '(none)'}"
    )


# --- .xlsx ---------------------------------------------------------------------------------------
def check_zip_sizes(path: Path) -> None:
    """Refuse an .xlsx whose parts would unpack beyond the bounds, before parsing any of it.
    zipfile stops each part at its declared size, so declared sizes bound what is unpacked."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise UserError(
            f"无法读取“{path.name}”：它不是完好的 .xlsx 文件。{SAVE_AS}", f"bad zip: {err}"
        ) from err
    total = sum(i.file_size for i in infos)
    worst = max(infos, key=lambda i: i.file_size, default=None)
    ratio_bad = [
        i for i in infos if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * i.compress_size
    ]
    if len(infos) > MAX_PARTS or total > MAX_UNPACKED or (worst and worst.file_size > MAX_PART):
        raise UserError(
            f"“{path.name}”解压后有 {total / MB:.0f} MB（{len(infos)} 个部件），超过花名册的上限"
            f"（{MAX_UNPACKED // MB} MB）。请确认选对了文件，或只保留党员名单后另存再导入。",
            f"xlsx unpacks to {total} bytes in {len(infos)} parts",
        )
    if ratio_bad:
        raise UserError(
            f"“{path.name}”的压缩比异常（{ratio_bad[0].file_size // max(ratio_bad[0].compress_size, 1)}"
            f" 倍），可能是恶意构造的文件，未读取。{SAVE_AS}",
            f"xlsx part {ratio_bad[0].filename} packed over {MAX_RATIO}x",
        )


def _read_xlsx(path: Path) -> Table:
    import openpyxl

    check_zip_sizes(path)
    # A damaged or disguised file can fail anywhere inside zipfile, zlib, the XML parser or
    # openpyxl, with many exception types; for an untrusted file each means "cannot read it".
    # A file object, not the path: openpyxl refuses a path ending .xls even when the file is an
    # .xlsx (as a renamed or WPS-made file often is).
    with path.open("rb") as handle:
        try:
            title, rows, sheets = _read_book(
                openpyxl.load_workbook(handle, read_only=True, data_only=True)
            )
        except UserError:
            raise
        except Exception as err:  # noqa: BLE001 - see above
            raise UserError(
                f"无法读取该 Excel 文件，可能已损坏或不是 .xlsx 格式。{SAVE_AS}",
                f"cannot read xlsx: {type(err).__name__}: {err}",
            ) from err
    return _table(title, rows, sheets)


def _read_book(book) -> tuple[str, list[tuple[object, ...]], list[tuple[str, bool]]]:
    """The chosen sheet's title and rows, and every sheet's (title, visible)."""
    try:
        sheets = [(ws.title, ws.sheet_state == "visible") for ws in book.worksheets]
        try:
            active = book.active.title if book.active in book.worksheets else None
        except IndexError:
            active = None
        title = _pick_sheet(sheets, active)
        sheet = book[title]
        sheet.reset_dimensions()  # a wrong stored size must not cut rows off
        return title, _bounded_rows(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)), sheets
    finally:
        book.close()


def _table(title: str, rows: list[tuple[object, ...]], sheets: list[tuple[str, bool]]) -> Table:
    others = [name for name, visible in sheets if visible and name != title]
    return Table(title, rows, others, [name for name, visible in sheets if not visible])


def _pick_sheet(sheets: list[tuple[str, bool]], active: str | None) -> str:
    """The sheet to import: the active sheet if it is visible, else the first visible one.
    A hidden sheet is never imported (issue: a hidden first sheet's people were imported)."""
    visible = [name for name, shown in sheets if shown]
    if not visible:
        raise UserError("该文件中没有可见的工作表。", "no visible sheet")
    return active if active in visible else visible[0]


def _bounded_rows(rows) -> list[tuple[object, ...]]:
    """At most MAX_ROWS rows holding anything; trailing empty rows are dropped."""
    kept: list[tuple[object, ...]] = []
    filled = 0
    last = 0
    for number, row in enumerate(rows, start=1):
        if not any(v is not None and v != "" for v in row):
            if number <= MAX_ROWS:
                kept.append(())
            continue
        filled += 1
        if filled > MAX_ROWS or number > 2 * MAX_ROWS:
            raise UserError(
                f"表格超过 {MAX_ROWS} 行（第{number}行还有内容），不像一个党支部的花名册。"
                "请只保留党员名单后另存再导入。",
                f"more than {MAX_ROWS} rows",
            )
        while len(kept) < number - 1:
            kept.append(())
        kept.append(tuple(row[:MAX_COLUMNS]))
        last = number
    return kept[:last]


# --- .xls / .et ----------------------------------------------------------------------------------
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _read_xls(path: Path, head: bytes) -> Table:
    kind = "WPS 表格（.et）" if path.suffix.lower() == ".et" else "旧版 Excel（.xls）"
    advice = f"无法读取该{kind}文件。请在 WPS 或 Excel 中打开，“另存为” .xlsx 后再导入。"
    if not head.startswith(OLE_MAGIC):
        raise UserError(advice, "not a BIFF file")
    import xlrd

    try:
        book = xlrd.open_workbook(path, on_demand=True, logfile=_Discard())
        try:
            sheets = [
                (name, book._sheet_visibility[i] == 0) for i, name in enumerate(book.sheet_names())
            ]
            sheet = _active_xls_sheet(book, sheets)
            rows = _bounded_rows(
                tuple(_xls_value(cell, book.datemode) for cell in sheet.row(r)[:MAX_COLUMNS])
                for r in range(sheet.nrows)
            )
        finally:
            book.release_resources()
    except UserError:
        raise
    except Exception as err:  # noqa: BLE001 - xlrd fails in many ways on damaged files
        raise UserError(advice, f"cannot read xls: {type(err).__name__}: {err}") from err
    return _table(sheet.name, rows, sheets)


class _Discard(io.StringIO):
    """xlrd's log goes nowhere (it would print to stdout)."""

    def write(self, _text: str) -> int:
        return 0


def _active_xls_sheet(book, sheets: list[tuple[str, bool]]):
    """The visible sheet marked active in its window record, else the first visible one (each
    sheet is loaded to read that mark, and unloaded again when it is not the one)."""
    for index, (_name, visible) in enumerate(sheets):
        if not visible:
            continue
        sheet = book.sheet_by_index(index)
        if sheet.sheet_visible:  # xlrd's name for "active" (WINDOW2)
            return sheet
        book.unload_sheet(index)
    return book.sheet_by_name(_pick_sheet(sheets, None))


def _xls_value(cell, datemode: int) -> object:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        return xlrd.xldate.xldate_as_datetime(cell.value, datemode)
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "是" if cell.value else "否"
    if cell.ctype == xlrd.XL_CELL_NUMBER and cell.value == int(cell.value):
        return int(cell.value)
    return cell.value


# --- .csv ----------------------------------------------------------------------------------------
def decode_text(raw: bytes) -> str:
    """CSV bytes as Excel and WPS write them: UTF-8 (with or without BOM), GBK/GB18030, UTF-16
    with BOM. A file whose lines are partly UTF-8 and partly GBK is refused, naming the first
    line that differs from the rest (it would import as mojibake: 刘洋 -> 鍒樻磱)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
    kinds = [_line_kind(line) for line in raw.split(b"\n")]
    utf8 = [n for n, k in enumerate(kinds, start=1) if k == "utf-8"]
    gbk = [n for n, k in enumerate(kinds, start=1) if k == "gbk"]
    unknown = [n for n, k in enumerate(kinds, start=1) if k is None]
    if utf8 and gbk:
        odd, main = (utf8, "GBK") if len(utf8) <= len(gbk) else (gbk, "UTF-8")
        raise UserError(
            f"该 CSV 文件的编码不一致：大部分是 {main}，第{odd[0]}行却不是"
            f"（共 {len(odd)} 行如此），导入会变成乱码。请在 Excel 或 WPS 中核对该行后"
            "另存为“CSV UTF-8”或 .xlsx 再导入。",
            f"mixed utf-8 and gbk lines, first odd line {odd[0]}",
        )
    if unknown or not gbk:
        line = f"第{unknown[0]}行" if unknown else "文件"
        raise UserError(
            f"无法识别该 CSV 文件的编码（{line}既不是 UTF-8 也不是 GBK）：请在 Excel 或 WPS 中"
            "另存为“CSV UTF-8”或 .xlsx 后再导入。",
            "csv is neither UTF-8 nor GBK",
        )
    return raw.decode("gb18030")


def _line_kind(line: bytes) -> str | None:
    """'ascii', 'utf-8', 'gbk', or None when neither decodes."""
    if line.isascii():
        return "ascii"
    try:
        line.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        line.decode("gb18030")
        return "gbk"
    except UnicodeDecodeError:
        return None


def _rows_of_text(text: str) -> list[tuple[object, ...]]:
    long = next(
        (n for n, line in enumerate(text.split("\n"), 1) if len(line) > MAX_LINE_BYTES), None
    )
    if long is not None:
        raise UserError(
            f"CSV 文件第{long}行过长（超过 {MAX_LINE_BYTES} 个字符），不像花名册的一行。",
            f"line {long} is too long",
        )
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    try:
        return _bounded_rows(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as err:
        raise UserError(
            f"CSV 文件格式有误（{err}）：请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入。",
            f"csv error: {err}",
        ) from err
