"""The stored official schedule (docs/rules.md, rule 1): it comes before both packages, a package
that disagrees is named, storing it re-checks the year's plan (unheld entries move off the breaks,
held ones stay, 未核对节假日 goes, also from the plan PDF), and the `holidays` command."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import chinese_calendar
import pytest
from pypdf import PdfReader

from app.cli import main
from app.errors import UserError
from app.models import Activity, AnnualPlan, OfficialHolidaySchedule, close_database, open_database
from app.paths import database_path
from app.reports.plan_pdf import render_plan_pdf
from app.services import calendar as cal
from app.services import plan as plans
from app.services.holiday_notice import read_notice
from app.services.holiday_schedule import format_schedule, schedule_for_bundle, store_notice
from app.services.ledger import load_year

NOTICES = Path(__file__).parent / "fixtures" / "notices"
FICTIONAL_2027 = NOTICES / "2027-fictional.txt"  # NOT an official schedule: see its first line


def notice(name: str) -> str:
    return (NOTICES / name).read_text(encoding="utf-8")


def days_of(year: int) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    return [first + dt.timedelta(days=n) for n in range((dt.date(year + 1, 1, 1) - first).days)]


def pdf_text(path: Path) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(path).pages))


def test_stored_notices_are_used_for_their_year_and_agree_with_the_packages(data_dir, tmp_path):
    for year in (2025, 2026):
        result = store_notice(notice(f"{year}.txt"), year)
        assert result.differences == [] and result.moves == [] and not result.has_plan
        c = cal.year_calendar(year)
        assert c.stored and c.official and c.source.startswith(f"国务院办公厅关于{year}年")
        for day in days_of(year):
            assert cal.is_working_day(day) == chinese_calendar.is_workday(day), day
    assert cal.holiday_name(dt.date(2025, 10, 6)) == "国庆节、中秋节"
    assert cal.holiday_name(dt.date(2026, 2, 15)) == "春节"  # a Sunday inside the break
    assert cal.is_adjusted_workday(dt.date(2026, 2, 28))
    assert "（国办发明电〔2024〕12号，2024年11月12日）" in format_schedule(2025)

    # another ledger (a restore, another data dir) has nothing stored: the packages decide again
    close_database()
    open_database(database_path(tmp_path / "other"))
    assert not cal.year_calendar(2026).stored
    assert cal.holiday_name(dt.date(2025, 10, 6)) == "中秋节"


def test_a_notice_that_disagrees_with_the_installed_package_is_said_plainly(data_dir):
    text = notice("2026.txt").replace(
        "5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。",
        "5月1日（周五）至3日（周日）放假，共3天。",
    )
    entering = cal.package_differences(2026, read_notice(text, 2026).schedule)
    result = store_notice(text, 2026)
    assert result.differences == entering == [
        "5月4日（星期一）：录入的通知为上班，软件包 chinesecalendar 1.11.0 为放假（劳动节）",
        "5月5日（星期二）：录入的通知为上班，软件包 chinesecalendar 1.11.0 为放假（劳动节）",
        "5月9日（星期六）：录入的通知为休息，软件包 chinesecalendar 1.11.0 为调休上班",
    ]
    assert cal.is_working_day(dt.date(2026, 5, 4))  # the stored notice is the truth
    shown = format_schedule(2026)
    assert "注意：本机的节假日软件包也有2026年的安排，但有 3 天与录入的通知不同" in shown
    assert "5月4日（星期一）：录入的通知为上班" in shown
    assert "但有 3 天与录入的通知不同" in "\n".join(result.lines())


def test_a_2027_plan_made_before_the_notice_is_rechecked_when_the_notice_is_entered(
    branch, tmp_path
):
    assert not cal.is_official(2027)  # no package knows 2027: the plan is an estimate
    plans.create_plan(2027)  # on the 5th of each month
    by_month = {a.plan_date.month: a for a in AnnualPlan.get(year=2027).activities}
    assert all(a.holidays_unverified for a in by_month.values())
    assert by_month[5].plan_date == dt.date(2027, 5, 5)  # the estimate has no fifth day off
    assert by_month[10].plan_date == dt.date(2027, 10, 6)
    february = by_month[2]
    assert february.plan_date == dt.date(2027, 2, 11)
    february.held_date = dt.date(2027, 2, 11)  # already held: its date stays whatever comes
    february.save()
    before = render_plan_pdf(load_year(2027), tmp_path / "before.pdf")
    assert "未核对节假日" in pdf_text(before)

    result = store_notice(notice("2027-fictional.txt"), 2027)

    assert [(m.old, m.new) for m in result.moves] == [
        (dt.date(2027, 5, 5), dt.date(2027, 5, 6)),
        (dt.date(2027, 10, 6), dt.date(2027, 10, 8)),
    ]
    assert str(result.moves[1]).endswith("10月6日为国庆节假期，顺延至10月8日")
    lines = "\n".join(result.lines())
    assert "2027年计划中有 2 次活动改了日期：" in lines and "5月5日为劳动节假期，顺延至5月6日" in lines
    after = {a.plan_date.month: a for a in AnnualPlan.get(year=2027).activities}
    assert after[10].plan_reason == (
        "10月5日为国庆节假期，顺延至10月6日；"
        "10月6日为国庆节假期，顺延至10月8日（按2027年国务院办公厅节假日安排）"
    )
    assert after[5].plan_reason == "5月5日为劳动节假期，顺延至5月6日（按2027年国务院办公厅节假日安排）"
    assert after[2].plan_date == dt.date(2027, 2, 11)  # held: kept, though inside 春节 now
    assert not any(a.holidays_unverified for a in after.values())
    assert Activity.select().where(Activity.holidays_unverified).count() == 0

    checks = plans.plan_checks(2027, load_year(2027).activities)
    assert not any("未核对" in c for c in checks)
    assert "节假日依据：国务院办公厅关于2027年部分节假日安排的通知（2026年11月20日）" in (
        plans.format_plan(2027)
    )
    text = pdf_text(render_plan_pdf(load_year(2027), tmp_path / "after.pdf"))
    assert "未核对" not in text
    assert "10月6日为国庆节假期，顺延至10月8日" in text
    poppler = pdf_text_with_poppler(tmp_path / "after.pdf")
    assert poppler is None or "未核对" not in poppler

    # entering the same notice again moves nothing more
    again = store_notice(notice("2027-fictional.txt"), 2027)
    assert again.replaced and again.moves == []
    assert "没有落在假期里的活动" in "\n".join(again.lines())


def pdf_text_with_poppler(path: Path) -> str | None:
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        return None
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"\s+", "", out.stdout)


def test_nothing_is_stored_from_a_notice_with_a_problem(data_dir):
    with pytest.raises(UserError) as err:
        store_notice(notice("2026.txt").replace("2月14日（周六）", "2月14日（周日）"), 2026)
    assert "第二项“春节”：2月14日写的是“周日”" in err.value.message
    with pytest.raises(UserError, match="这是2026年的节假日安排通知，不是2027年的"):
        store_notice(notice("2026.txt"), 2027)
    assert OfficialHolidaySchedule.select().count() == 0
    assert not cal.year_calendar(2026).stored


def test_schedule_for_the_bundle_says_its_source_and_basis(data_dir):
    estimate = schedule_for_bundle(2027)
    assert estimate["basis"] == "estimate" and "按规则推算" in estimate["source"]
    assert schedule_for_bundle(2026)["basis"] == "package"
    store_notice(notice("2027-fictional.txt"), 2027)
    stored = schedule_for_bundle(2027)
    assert stored["basis"] == "notice"
    assert stored["source"] == "国务院办公厅关于2027年部分节假日安排的通知（2026年11月20日）"
    assert {"name": "劳动节", "start": "2027-05-01", "end": "2027-05-05"} in stored["holidays"]
    assert json.loads(json.dumps(stored, ensure_ascii=False)) == stored


def test_holidays_command_in_a_township_data_dir_without_a_branch(tmp_path, capsys):
    township = ["--data-dir", str(tmp_path / "township")]
    try:
        assert main([*township, "holidays", "--year", "2027"]) == 0
        out = capsys.readouterr().out
        assert "依据：软件包 holidays" in out and "按规则推算" in out and "--from-notice" in out

        wrong = tmp_path / "2026.txt"
        wrong.write_text(notice("2026.txt"), encoding="gbk")
        assert main([*township, "holidays", "--year", "2027", "--from-notice", str(wrong)]) == 2
        assert "这是2026年的节假日安排通知，不是2027年的" in capsys.readouterr().err

        garbled = tmp_path / "garbled.txt"
        garbled.write_text(
            notice("2027-fictional.txt").replace("至5日（周一）放假，共3天", "起放假三天"),
            encoding="utf-8-sig",
        )
        assert main([*township, "holidays", "--year", "2027", "--from-notice", str(garbled)]) == 2
        err = capsys.readouterr().err
        assert "第三项“清明节”：读不懂这句话（原文：“4月3日（周六）起放假三天”）" in err
        assert OfficialHolidaySchedule.select().count() == 0

        args = [*township, "holidays", "--year", "2027", "--from-notice", str(FICTIONAL_2027)]
        assert main(args) == 0
        out = capsys.readouterr().out
        assert "已保存2027年节假日安排，依据：国务院办公厅关于2027年部分节假日安排的通知" in out

        assert main([*township, "holidays", "--year", "2027", "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert list(data) == ["year", "source", "holidays", "workdays"]
        assert data["year"] == 2027
        assert data["source"] == "国务院办公厅关于2027年部分节假日安排的通知（2026年11月20日）"
        assert data["holidays"][6] == {"name": "国庆节", "start": "2027-10-01", "end": "2027-10-07"}
        assert data["workdays"] == [
            "2027-02-20", "2027-04-25", "2027-05-08", "2027-09-26", "2027-10-09"
        ]

        assert main([*township, "holidays", "--year", "2027"]) == 0
        out = capsys.readouterr().out
        assert "  国庆节：10月1日（星期五）至10月7日（星期四），共7天" in out
        assert "调休上班：2月20日（星期六）、4月25日（星期日）" in out
    finally:
        close_database()


def test_the_bundles_data_json_carries_the_schedule_it_was_planned_with(demo, tmp_path):
    import zipfile

    from app.bundle.write import export_bundle
    from tests.conftest import DEMO_TODAY, DEMO_YEAR

    usb = tmp_path / "usb"
    usb.mkdir()

    def data_json() -> dict:
        with zipfile.ZipFile(export_bundle(DEMO_YEAR, usb, today=DEMO_TODAY)) as zf:
            return json.loads(zf.read("data.json"))

    before = data_json()["holiday_schedule"]
    assert before["basis"] == "package" and before["source"].startswith("软件包 chinesecalendar")
    store_notice(notice(f"{DEMO_YEAR}.txt"), DEMO_YEAR)
    after = data_json()["holiday_schedule"]
    assert after == {**read_notice(notice("2026.txt"), 2026).schedule.to_json(), "basis": "notice"}
    assert after["source"] == "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）"
    # the same days either way: the demo's dates did not move
    assert after["holidays"] == before["holidays"] and after["workdays"] == before["workdays"]
