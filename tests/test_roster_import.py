"""Importing the 花名册 from .xlsx and .csv: all rows or none, bad rows named, no duplicates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from app.errors import UserError
from app.models import Member, vocab
from app.services.roster import MemberInput, create_member
from app.services.roster_export import export_roster
from app.services.roster_import import import_file, preview_file
from tests.cli_run import run_cli

TODAY = dt.date(2026, 11, 25)


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "党员花名册"
    # a title line above the header, as county templates have
    sheet.append(["青山村党支部党员花名册（2026年）"])
    for row in rows:
        sheet.append(row)
    sheet["D3"].number_format = "yyyy-mm-dd"
    book.save(path)
    return path


HEADER = [
    "序号",
    "姓名",
    "性别",
    "出生年月",
    "入党时间",
    "党员类别",
    "手机号码",
    "是否流动党员（是/否）",
    "外出地点",
    "流入地党组织",
    "年老体弱",
    "党员领导干部",
]
GOOD_ROWS = [
    [
        1,
        "王建国",
        "男",
        dt.datetime(1968, 4, 12),
        "1992/7/1",
        "正式党员",
        13905661234,
        "否",
        None,
        None,
        None,
        "√",
    ],
    [2, "李秀英", "女", "1941.03", "1965-07-01", "正式", "", "", "", "", "是", ""],
    [
        3,
        "张  伟",
        "男",
        "1990年5月6日",
        "2025.11",
        "预备党员",
        "13800001111",
        "是",
        "浙江省杭州市",
        "杭州市西湖区某某社区党委",
        "否",
        "否",
    ],
    [4, "刘洋", "", 33000, 43647, "正式党员", None, None, None, None, None, None],
]


def test_good_xlsx_imports_every_column_and_variant(branch, tmp_path):
    path = _xlsx(tmp_path / "花名册.xlsx", [HEADER, *GOOD_ROWS])
    preview = preview_file(path, today=TODAY)
    assert preview.problems == [] and preview.header_row == 2
    assert preview.columns["birth_date"] == "出生年月"
    assert preview.columns["is_mobile"] == "是否流动党员（是/否）"
    assert "序号" in preview.ignored_headers
    assert Member.select().count() == 0  # a preview writes nothing

    result = import_file(path, today=TODAY)
    assert (result.added, result.matched) == (4, 0)
    assert "新增党员 4 人" in result.summary()
    m = {x.name: x for x in Member.select()}
    assert m["王建国"].birth_date == dt.date(1968, 4, 12)
    assert m["王建国"].joined_party_date == dt.date(1992, 7, 1)
    assert m["王建国"].phone == "13905661234" and m["王建国"].is_leader
    assert m["李秀英"].birth_date == dt.date(1941, 3, 1) and m["李秀英"].is_frail
    assert m["张伟"].category == vocab.PROBATIONARY_MEMBER and m["张伟"].is_mobile
    assert m["张伟"].mobile_location == "浙江省杭州市"
    assert m["张伟"].inflow_org == "杭州市西湖区某某社区党委"
    assert m["张伟"].birth_date == dt.date(1990, 5, 6)
    assert m["刘洋"].joined_party_date == dt.date(2019, 7, 1)  # Excel serial 43647
    assert m["刘洋"].gender is None and not m["刘洋"].is_mobile


def test_one_bad_row_writes_nothing_and_is_named_with_its_reason(branch, tmp_path):
    bad = [5, "陈静", "女", "1985-02-30", "2010-07-01", "正式党员", "", "", "", "", "", ""]
    worse = [6, "", "男", "1970-01-01", "1999-07-01", "积极分子", "", "也许", "", "", "", ""]
    path = _xlsx(tmp_path / "有错.xlsx", [HEADER, *GOOD_ROWS, bad, worse])
    with pytest.raises(UserError) as err:
        import_file(path, today=TODAY)
    message = err.value.message
    assert "未导入任何数据" in message
    assert "第7行：出生年月" not in message  # labels use our field names
    assert "第7行：出生日期“1985-02-30”无法识别" in message
    assert "第8行：姓名为空" in message
    assert "第8行：人员类别“积极分子”应填“正式党员”或“预备党员”" in message
    assert "第8行：是否流动党员“也许”应填“是”或“否”" in message
    assert Member.select().count() == 0


def test_reimporting_the_same_file_adds_no_one(branch, tmp_path):
    path = _xlsx(tmp_path / "花名册.xlsx", [HEADER, *GOOD_ROWS])
    import_file(path, today=TODAY)
    again = import_file(path, today=TODAY)
    assert (again.added, again.matched) == (0, 4)
    assert Member.select().count() == 4


def test_gbk_csv_from_wps_imports_and_matches_members_already_on_the_roll(branch, tmp_path):
    create_member(MemberInput(name="周桂兰", birth_date=dt.date(1950, 8, 3)), today=TODAY)
    create_member(MemberInput(name="何军"), today=TODAY)  # no birth date on the roster
    text = (
        "名字,性别,生日,入党日期,类别,电话,流动党员,现所在地,领导干部\r\n"
        "周桂兰,女,1950/8/3,1972/7/1,正式,,否,,否\r\n"
        "何军,男,1979.10.01,2001.7.1,正式党员,0566-2021234,否,,是\r\n"
        "吴敏,女,2000/1/15,2025/6/30,预备,,是,上海市浦东新区,否\r\n"
    )
    path = tmp_path / "花名册.csv"
    path.write_bytes(text.encode("gbk"))
    preview = preview_file(path, today=TODAY)
    assert [(r.member.name, r.action) for r in preview.rows] == [
        ("周桂兰", "已在花名册"),
        ("何军", "已在花名册"),
        ("吴敏", "新增"),
    ]
    result = import_file(path, today=TODAY)
    assert (result.added, result.matched) == (1, 2)
    wu = Member.get(Member.name == "吴敏")
    assert wu.category == vocab.PROBATIONARY_MEMBER and wu.mobile_location == "上海市浦东新区"
    assert Member.select().count() == 3


def test_utf8_csv_with_bom_and_duplicate_rows_in_the_file(branch, tmp_path):
    path = tmp_path / "名单.csv"
    path.write_text(
        "姓名,出生日期,入党时间\n马丽,1988-09-09,2012-07-01\n马丽,1988-09-09,2012-07-01\n",
        encoding="utf-8-sig",
    )
    with pytest.raises(UserError) as err:
        import_file(path, today=TODAY)
    assert "第3行：与第2行重复" in err.value.message
    assert Member.select().count() == 0


def test_a_file_without_a_name_column_or_of_the_old_format_is_refused(branch, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("编号,电话\n1,123\n", encoding="utf-8")
    with pytest.raises(UserError, match="没有找到“姓名”列"):
        preview_file(path)
    old = tmp_path / "x.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(UserError, match="另存为"):
        preview_file(old)


def test_exported_roster_imports_back_the_same_members(branch, tmp_path, data_dir):
    path = _xlsx(tmp_path / "花名册.xlsx", [HEADER, *GOOD_ROWS])
    import_file(path, today=TODAY)
    out = export_roster(tmp_path / "导出.xlsx")
    sheet = openpyxl.load_workbook(out).active
    assert sheet["B1"].value == "姓名" and sheet.max_row == 5
    assert sheet["D2"].is_date
    again = import_file(out, today=TODAY)
    assert (again.added, again.matched) == (0, 4)


def test_cli_import_members_reports_every_bad_row(branch, tmp_path, data_dir):
    bad = [9, "陈静", "男人", "1985-01-01", "1980-07-01", "", "", "", "", "", "", ""]
    path = _xlsx(tmp_path / "有错.xlsx", [HEADER, *GOOD_ROWS, bad])
    from app.models import close_database

    close_database()
    run = run_cli(data_dir, "import-members", str(path))
    assert run.returncode == 2
    assert "第7行：性别“男人”应填“男”或“女”" in run.stderr
    assert "第7行：入党时间（1980-07-01）应晚于出生日期（1985-01-01）" in run.stderr
    ok = _xlsx(tmp_path / "好.xlsx", [HEADER, *GOOD_ROWS])
    run = run_cli(data_dir, "import-members", str(ok))
    assert run.returncode == 0, run.stderr
    assert "新增党员 4 人" in run.stdout


def test_birth_month_only_matches_the_member_with_the_full_date(branch, tmp_path):
    create_member(MemberInput(name="王建国", birth_date=dt.date(1968, 3, 12)), today=TODAY)
    create_member(MemberInput(name="王建国", birth_date=dt.date(1971, 9, 2)), today=TODAY)
    path = tmp_path / "年月.csv"
    path.write_text("姓名,出生年月\n王建国,1968.03\n王建国,1975.05\n", encoding="utf-8")
    preview = preview_file(path, today=TODAY)
    assert [(r.action, r.matched_id) for r in preview.rows] == [
        ("已在花名册", Member.get(Member.birth_date == dt.date(1968, 3, 12)).id),
        ("新增", None),
    ]


def test_id_number_gives_birth_date_and_gender_and_flag_words_are_read(branch, tmp_path):
    path = tmp_path / "身份证.csv"
    path.write_text(
        "姓名,公民身份号码,年老体弱、行动不便,是否流动党员\n"
        "钱老伯,341702194503170019,年老体弱,\n"
        "孙女士,341702198802140029,,流动\n",
        encoding="utf-8",
    )
    import_file(path, today=TODAY)
    old, young = Member.get(Member.name == "钱老伯"), Member.get(Member.name == "孙女士")
    assert (old.birth_date, old.gender, old.is_frail) == (dt.date(1945, 3, 17), "男", True)
    assert (young.birth_date, young.gender, young.is_mobile) == (dt.date(1988, 2, 14), "女", True)
