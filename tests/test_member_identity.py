"""Rosters as secretaries have them (issue 20): old .xls files, 公民身份号码 checked and kept
masked, dates at the precision written, 转正日期 applied, export-members round trip, the
template."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from app.errors import UserError
from app.models import Activity, AnnualPlan, Member, close_database, open_database, vocab
from app.paths import database_path
from app.services.attendance import load_sheet
from app.services.ledger import load_year
from app.services.roster import MemberInput, create_member, update_member
from app.services.roster_dates import format_date
from app.services.roster_export import write_template
from app.services.roster_import import HEADERS, field_for_header, import_file, preview_file
from tests.cli_run import run_cli
from tests.conftest import DEMO_TODAY as TODAY

FIXTURE = Path(__file__).parent / "fixtures" / "roster_old.xls"
MAN_1965 = "340802196511051232"  # valid check digit, born 1965-11-05, 17th digit odd: 男
WOMAN_1988 = "330106198802140029"  # born 1988-02-14, 女


def test_an_old_xls_roster_imports_from_its_active_visible_sheet(branch):
    preview = preview_file(FIXTURE, today=TODAY)
    assert (preview.sheet, preview.hidden_sheets) == ("党员名单", ["旧表"])
    assert preview.problem_count == 0
    import_file(FIXTURE, today=TODAY)
    m = {x.name: x for x in Member.select()}
    assert set(m) == {"王建国", "陈志强", "吴敏"}
    assert m["王建国"].birth_date == dt.date(1968, 4, 12) and m["王建国"].phone == "13905661234"
    chen = m["陈志强"]  # 1965.11 and an ID saying 1965-11-05: the ID's day, its gender
    assert (chen.birth_date, chen.birth_precision, chen.gender) == (
        dt.date(1965, 11, 5),
        "day",
        "男",
    )
    assert chen.id_number == MAN_1965
    assert format_date(chen.joined_party_date, chen.joined_precision) == "1990年7月"
    wu = m["吴敏"]  # a number cell 2000.01 is January 2000; 转正 applied
    assert format_date(wu.birth_date, wu.birth_precision) == "2000年1月"
    assert (wu.category, wu.full_member_date) == (vocab.FULL_MEMBER, dt.date(2025, 6, 30))


def test_a_non_biff_et_gets_the_save_as_advice_and_an_xlsx_named_xls_is_read(data_dir, tmp_path):
    et = tmp_path / "花名册.et"
    et.write_bytes(b"<html><body>not a workbook</body></html>")
    with pytest.raises(UserError, match="WPS 表格（.et）.*另存为” .xlsx"):
        import_file(et, today=TODAY)
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "性别"])
    wb.active.append(["刘洋", "男"])
    disguised = tmp_path / "其实是新格式.xls"
    wb.save(disguised)
    assert import_file(disguised, today=TODAY).added == 1


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "花名册.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_id_numbers_are_checked_and_cross_checked_with_the_row_named(data_dir, tmp_path):
    path = _csv(
        tmp_path,
        "姓名,性别,出生日期,公民身份号码\n"
        f"甲,,,{MAN_1965[:-1]}9\n"  # wrong check digit
        f"乙,女,,{MAN_1965}\n"  # the ID says 男
        f"丙,,1966-11-05,{MAN_1965}\n"  # the ID says 1965
        "丁,,,34080219651105123\n"  # 17 digits
        "戊,,,340802196502301234\n",  # no 30 February
    )
    with pytest.raises(UserError) as err:
        import_file(path, today=TODAY)
    message = err.value.message
    assert "第2行：公民身份号码末位校验码不对" in message
    assert "第3行：性别（女）与公民身份号码（男）不一致" in message
    assert "第4行：出生日期（1966-11-05）与公民身份号码中的出生日期（1965-11-05）不一致" in message
    assert "第5行：公民身份号码应为18位（现为17位）" in message
    assert "第6行：公民身份号码" in message
    assert Member.select().count() == 0


def test_dates_keep_the_precision_written_and_an_empty_birth_date_comes_from_the_id(
    data_dir, tmp_path
):
    path = _csv(
        tmp_path,
        "姓名,出生日期,入党时间,公民身份号码\n"
        "赵一,1968.3,1990,\n"
        f"钱二,,2010-07-01,{WOMAN_1988}\n"
        f"孙三,1965年11月,1990-07-01,{MAN_1965}\n",
    )
    import_file(path, today=TODAY)
    m = {x.name: x for x in Member.select()}
    zhao = m["赵一"]
    assert format_date(zhao.birth_date, zhao.birth_precision) == "1968年3月"  # no day invented
    assert format_date(zhao.joined_party_date, zhao.joined_precision) == "1990年"
    qian = m["钱二"]
    assert (qian.birth_date, qian.birth_precision, qian.gender) == (
        dt.date(1988, 2, 14),
        "day",
        "女",
    )
    assert m["孙三"].birth_date == dt.date(1965, 11, 5)


def test_reimport_matches_by_id_and_fills_what_the_ledger_lacks(data_dir, tmp_path):
    create_member(MemberInput(name="陈志强", birth_date=dt.date(1965, 11, 5)), today=TODAY)
    create_member(MemberInput(name="吴敏", category=vocab.PROBATIONARY_MEMBER), today=TODAY)
    path = _csv(
        tmp_path,
        "姓名,公民身份号码,转正日期,人员类别\n"
        f"陈志强,{MAN_1965},,正式党员\n"
        "吴敏,,2025-06-30,预备党员\n"
        f"王芳,{WOMAN_1988},,正式党员\n",
    )
    preview = preview_file(path, today=TODAY)
    assert [(r.member.name, r.action) for r in preview.rows] == [
        ("陈志强", "已在花名册"),
        ("吴敏", "已在花名册"),
        ("王芳", "新增"),
    ]
    assert preview.to_fill == 2 and "将补充公民身份号码" in preview.rows[0].notes
    result = import_file(path, today=TODAY)
    assert (result.added, result.matched, result.filled) == (1, 2, 2)
    chen = Member.get(Member.name == "陈志强")
    wu = Member.get(Member.name == "吴敏")
    assert chen.id_number == MAN_1965
    assert (wu.category, wu.full_member_date) == (vocab.FULL_MEMBER, dt.date(2025, 6, 30))

    # The same ID under a name written differently is the same person; the same name with
    # another ID is another person.
    again = _csv(
        tmp_path,
        f"姓名,公民身份号码\n陈志強,{MAN_1965}\n王芳,{MAN_1965[:6]}19700101001{_check('34080219700101001')}\n",
    )
    preview = preview_file(again, today=TODAY)
    assert [(r.action, r.matched_id) for r in preview.rows] == [
        ("已在花名册", chen.id),
        ("新增", None),
    ]


def _check(first17: str) -> str:
    from stdnum.cn import ric

    return ric.calc_check_digit(first17 + "0")


def test_the_same_id_twice_is_refused_in_the_dialog_path_and_in_a_file(data_dir, tmp_path):
    create_member(MemberInput(name="陈志强", id_number=MAN_1965), today=TODAY)
    with pytest.raises(UserError, match="与花名册中的“陈志强”相同") as err:
        create_member(MemberInput(name="陈志强二", id_number=MAN_1965), today=TODAY)
    assert err.value.field == "id_number"
    path = _csv(tmp_path, f"姓名,公民身份号码\n甲,{WOMAN_1988}\n乙,{WOMAN_1988}\n")
    with pytest.raises(UserError, match="第3行：与第2行重复（公民身份号码相同）"):
        import_file(path, today=TODAY)


def test_a_probationary_member_counts_as_probationary_before_the_full_membership_date(branch):
    m = create_member(
        MemberInput(
            name="吴敏",
            joined_party_date=dt.date(2025, 6, 30),
            category=vocab.PROBATIONARY_MEMBER,
        ),
        today=TODAY,
    )
    plan = AnnualPlan.create(year=2026)
    before = Activity.create(
        plan=plan, plan_date=dt.date(2026, 3, 5), held_date=dt.date(2026, 3, 5)
    )
    after = Activity.create(plan=plan, plan_date=dt.date(2026, 8, 5), held_date=dt.date(2026, 8, 5))
    data = MemberInput.from_member(Member.get_by_id(m.id))
    data.full_member_date = dt.date(2026, 6, 30)
    update_member(m.id, data, today=TODAY)
    assert Member.get_by_id(m.id).category == vocab.FULL_MEMBER
    assert load_sheet(before.id).members[0].category == vocab.PROBATIONARY_MEMBER
    assert load_sheet(after.id).members[0].category == vocab.FULL_MEMBER
    AnnualPlan.create(year=2025)
    assert load_year(2025).members[0].category == vocab.PROBATIONARY_MEMBER
    assert load_year(2026).members[0].category == vocab.FULL_MEMBER
    with pytest.raises(UserError, match="转正日期不能晚于今天"):
        data.full_member_date = TODAY + dt.timedelta(days=1)
        update_member(m.id, data, today=TODAY)
    with pytest.raises(UserError, match="转正日期（2025-06-01）应晚于入党时间"):
        data.full_member_date = dt.date(2025, 6, 1)
        update_member(m.id, data, today=TODAY)


def _members(data_dir: Path) -> list[tuple]:
    open_database(database_path(data_dir))
    try:
        fields = [f for f in MemberInput.__dataclass_fields__]
        rows = [
            (*(getattr(m, f) for f in fields), m.left_date, m.left_reason)
            for m in Member.select().order_by(Member.id)
        ]
    finally:
        close_database()
    return rows


def test_export_members_round_trips_into_a_fresh_data_dir(branch, data_dir, tmp_path):
    import_file(FIXTURE, today=TODAY)
    path = _csv(
        tmp_path,
        "姓名,性别,出生日期,入党时间,是否流动党员,流入地,离开日期,离开原因,备注\n"
        '赵一,女,1968.3,1990,是,浙江省杭州市,,,=HYPERLINK("x")\n'
        "钱二,男,1950-01-02,1975-07-01,,,2026-03-01,去世,\n",
    )
    import_file(path, today=dt.date.today())
    close_database()
    out = tmp_path / "导出" / "花名册.xlsx"
    fresh = tmp_path / "新电脑"

    run = run_cli(data_dir, "export-members", "--out", str(out), "--with-id")
    assert run.returncode == 0, run.stderr
    assert "含公民身份号码" in run.stdout
    sheet = openpyxl.load_workbook(out).active
    headers = [c.value for c in sheet[1]]
    assert all(field_for_header(h) or h == "序号" for h in headers)
    assert headers[-2:] == ["转正日期", "公民身份号码"]
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    run = run_cli(fresh, "import-members", str(out))
    assert run.returncode == 0, run.stderr
    assert _members(fresh) == _members(data_dir)

    run = run_cli(data_dir, "export-members", "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert "公民身份号码" not in [c.value for c in openpyxl.load_workbook(out).active[1]]
    open_database(database_path(data_dir))  # for the fixture's teardown


def test_the_roster_template_has_the_importer_headers_and_examples_that_never_import(
    data_dir, tmp_path
):
    path = write_template(tmp_path / "模板")
    assert path.suffix == ".xlsx"
    sheet = openpyxl.load_workbook(path).active
    headers = [c.value for c in sheet[1]]
    known = {field_for_header(h) for h in headers} - {None}
    assert known == set(HEADERS)
    assert sheet.max_row >= 3 and [sheet.cell(r, 1).value for r in (2, 3)] == ["示例", "示例"]
    id_col = headers.index("公民身份号码") + 1
    assert sheet.cell(10, id_col).number_format == "@"  # typed IDs stay text
    with pytest.raises(UserError, match="没有党员数据"):
        import_file(path, today=TODAY)
    # With the marks removed, the examples are valid rows.
    for r in (2, 3):
        sheet.cell(r, 1).value = r - 1
    sheet.parent.save(path)
    assert import_file(path, today=TODAY).added == 2
