"""Hostile rosters (issue 14): spreadsheet bombs, hidden sheets, mixed encodings, forbidden
characters, ID numbers stored as numbers — refused with the row or sheet named, or imported
within the bounds of app/services/roster_files.py; never a partial write."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from app.errors import UserError
from app.models import Member, close_database
from app.services.roster_import import MAX_PROBLEMS, import_file, preview_file
from tests.cli_run import run_cli
from tests.conftest import DEMO_TODAY as TODAY

HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>\xe5\xa7\x93\xe5\x90\x8d</t></is></c></row>'
)
TAIL = b"</sheetData></worksheet>"


def workbook_with_sheet_xml(path: Path, tmp_path: Path, chunks) -> Path:
    """A real .xlsx whose first sheet's XML is replaced by `chunks` (streamed into the zip)."""
    base = tmp_path / "base.xlsx"
    openpyxl.Workbook().save(base)
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with out.open(info.filename, "w", force_zip64=True) as f:
                    for chunk in chunks:
                        f.write(chunk)
            else:
                out.writestr(info, src.read(info.filename))
    return path


def measured_import(path: Path, data_dir: Path) -> dict:
    """Import `path` in a fresh process; its time and peak memory (RSS and traced)."""
    close_database()
    script = Path(__file__).with_name("roster_bounds_probe.py")
    run = subprocess.run(
        [sys.executable, str(script), str(path), str(data_dir)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_an_xlsx_unpacking_to_hundreds_of_mb_is_refused_before_parsing(data_dir, tmp_path):
    row = b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>'
    rows = (row % (i, i) for i in range(2, 3_000_000))
    path = workbook_with_sheet_xml(tmp_path / "炸弹.xlsx", tmp_path, [HEAD, *rows, TAIL])
    assert path.stat().st_size < 20 * 2**20
    out = measured_import(path, data_dir)
    assert not out["ok"] and "超过花名册的上限（50 MB）" in out["message"]
    assert out["lines"] == 1 and out["seconds"] < 10 and out["rss_peak_mb"] < 150
    print("xlsx bomb (15 MB → 210 MB):", out)


def test_a_small_xlsx_with_a_huge_packing_ratio_is_refused(data_dir, tmp_path):
    chunks = [HEAD, *(b" " * 2**20 for _ in range(30)), TAIL]
    path = workbook_with_sheet_xml(tmp_path / "压缩比.xlsx", tmp_path, chunks)
    assert path.stat().st_size < 100_000
    with pytest.raises(UserError, match="压缩比异常"):
        import_file(path, today=TODAY)
    assert Member.select().count() == 0


def test_a_100000_row_csv_is_refused_within_bounds(data_dir, tmp_path):
    lines = ["姓名,性别,出生日期,入党时间"]
    lines += [f"张{i},男,1970-01-01,1999-07-01" for i in range(100_000)]
    path = tmp_path / "十万行.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    out = measured_import(path, data_dir)
    assert not out["ok"] and "超过 20000 行" in out["message"] and out["lines"] == 1
    assert out["seconds"] < 20 and out["rss_peak_mb"] < 250
    print("100,000-row csv:", out)


def test_a_20000_row_roster_imports_within_bounds(data_dir, tmp_path):
    wb = openpyxl.Workbook()  # shared strings, as Excel and WPS write them
    ws = wb.active
    ws.append(["姓名", "性别", "出生日期", "入党时间", "联系电话"])
    for i in range(19_999):
        ws.append([f"党员{i}", "男" if i % 2 else "女", "1970-01-01", "1999-07-01", "13800000000"])
    path = tmp_path / "两万行.xlsx"
    wb.save(path)
    out = measured_import(path, data_dir)
    assert out["ok"] and out["added"] == 19_999, out
    assert out["seconds"] < 120 and out["rss_peak_mb"] < 400
    print("19,999-row xlsx imported:", out)


def test_thousands_of_bad_rows_report_a_screenful_and_a_count(data_dir, tmp_path):
    lines = ["姓名,性别,出生日期"] + [f"张{i},男人,1970-01-01" for i in range(3000)]
    path = tmp_path / "错行.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(UserError) as err:
        import_file(path, today=TODAY)
    message = err.value.message
    assert "有 3000 处问题，未导入任何数据" in message
    assert message.count("\n第") == MAX_PROBLEMS
    assert "另有 2980 处问题未列出（共 3000 处）" in message
    assert len(message.splitlines()) <= MAX_PROBLEMS + 2


def _two_sheet_book(path: Path, *, hide_first: bool, active: int) -> Path:
    wb = openpyxl.Workbook()
    hidden = wb.active
    hidden.title = "旧名单"
    hidden.append(["姓名", "性别"])
    hidden.append(["不该导入", "男"])
    current = wb.create_sheet("在册党员")
    current.append(["姓名", "性别"])
    current.append(["周桂兰", "女"])
    if hide_first:
        hidden.sheet_state = "hidden"
    wb.active = active
    wb.save(path)
    return path


def test_a_hidden_first_sheet_is_not_imported_and_the_sheet_is_named(data_dir, tmp_path):
    path = _two_sheet_book(tmp_path / "隐藏.xlsx", hide_first=True, active=0)
    preview = preview_file(path, today=TODAY)
    assert preview.sheet == "在册党员" and preview.hidden_sheets == ["旧名单"]
    assert [r.member.name for r in preview.rows] == ["周桂兰"]
    result = import_file(path, today=TODAY)
    assert "的工作表“在册党员”导入花名册" in result.summary()
    assert [m.name for m in Member.select()] == ["周桂兰"]


def test_the_active_visible_sheet_is_the_one_imported(data_dir, tmp_path):
    path = _two_sheet_book(tmp_path / "两表.xlsx", hide_first=False, active=1)
    assert preview_file(path, today=TODAY).sheet == "在册党员"
    path = _two_sheet_book(tmp_path / "两表2.xlsx", hide_first=False, active=0)
    preview = preview_file(path, today=TODAY)
    assert preview.sheet == "旧名单" and preview.other_sheets == ["在册党员"]


def test_the_cli_names_the_sheet_it_read(branch, tmp_path, data_dir):
    path = _two_sheet_book(tmp_path / "隐藏.xlsx", hide_first=True, active=0)
    close_database()
    run = run_cli(data_dir, "import-members", str(path))
    assert run.returncode == 0, run.stderr
    assert "工作表“在册党员”" in run.stdout and "新增党员 1 人" in run.stdout


@pytest.mark.parametrize(
    ("lines", "encodings", "bad_line", "main"),
    [
        (["姓名,性别", "刘洋,男", "王芳,女", "陈静,女"], ["gbk", "gbk", "utf-8", "gbk"], 3, "GBK"),
        (
            ["姓名,性别", "刘洋,男", "王芳,女", "陈静,女"],
            ["utf-8", "gbk", "utf-8", "utf-8"],
            2,
            "UTF-8",
        ),
    ],
)
def test_a_csv_mixing_gbk_and_utf8_lines_is_refused_naming_the_line(
    data_dir, tmp_path, lines, encodings, bad_line, main
):
    path = tmp_path / "混合.csv"
    path.write_bytes(b"\r\n".join(t.encode(e) for t, e in zip(lines, encodings, strict=True)))
    with pytest.raises(UserError) as err:
        import_file(path, today=TODAY)
    assert f"大部分是 {main}，第{bad_line}行却不是" in err.value.message
    assert "鍒樻磱" not in err.value.message and Member.select().count() == 0


def test_utf16_csv_as_excel_saves_unicode_text_imports(data_dir, tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("姓名\t性别\r\n刘洋\t男\r\n".encode("utf-16"))
    import_file(path, today=TODAY)
    assert Member.get().name == "刘洋"


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("刘\x00洋", "第2行：姓名含有不可见的空字符 NUL"),
        ("刘洋\x07", "第2行：姓名含有不可见的响铃符 BEL"),
        ("刘\u202e洋", "第2行：姓名含有不可见的文字方向控制符 U+202E"),
        ("阿" * 21, "第2行：姓名过长（21个字），最多20个字"),
    ],
)
def test_forbidden_characters_in_a_name_are_refused_with_the_row(data_dir, tmp_path, name, words):
    path = tmp_path / "控制符.csv"
    path.write_text(f"姓名,性别\n{name},男\n王芳,女\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        import_file(path, today=TODAY)
    assert words in err.value.message
    assert Member.select().count() == 0


def test_an_id_number_stored_as_a_number_is_refused_and_gender_is_never_guessed(data_dir, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "性别", "公民身份号码"])
    ws.append(["钱老伯", None, 341702194503170019])  # a number cell: Excel keeps 15 digits
    ws.append(["孙先生", None, 3.41702198802140e17])
    path = tmp_path / "数字身份证.xlsx"
    wb.save(path)
    with pytest.raises(UserError) as err:
        import_file(path, today=TODAY)
    assert "第2行：公民身份号码被存成了数字（Excel 只保留15位" in err.value.message
    assert "第3行：公民身份号码被存成了数字" in err.value.message
    assert Member.select().count() == 0

    path = tmp_path / "无性别.csv"
    path.write_text(
        "姓名,性别,公民身份号码\n钱老伯,,341702194503170019\n孙先生,,\n李四,,3.41702E+17\n",
        encoding="utf-8",
    )
    with pytest.raises(UserError, match="第4行：公民身份号码是科学计数法"):
        import_file(path, today=TODAY)
    path.write_text(
        "姓名,性别,公民身份号码\n钱老伯,,341702194503170019\n孙先生,,\n", encoding="utf-8"
    )
    import_file(path, today=TODAY)
    genders = {m.name: m.gender for m in Member.select()}
    assert genders == {"钱老伯": "男", "孙先生": None}
