"""Reading the State Council's holiday notice (docs/rules.md, rule 1): the real 2025 and 2026
notices read day for day as the holiday packages' official data say, however they were pasted;
a misread (a wrong weekday word, an item it cannot read, another year) is named, never guessed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar
import holidays
import pytest

from app.errors import UserError
from app.services.holiday_notice import (
    HolidaySchedule,
    read_notice,
    read_notice_file,
    require_readable,
)

NOTICES = Path(__file__).parent / "fixtures" / "notices"
HALF_WIDTH = str.maketrans({"，": ",", "：": ":", "（": "(", "）": ")", "；": ";", "　": " "})


def notice(year: int) -> str:
    return (NOTICES / f"{year}.txt").read_text(encoding="utf-8")


def days_of(year: int) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    return [first + dt.timedelta(days=n) for n in range((dt.date(year + 1, 1, 1) - first).days)]


def working(schedule: HolidaySchedule, day: dt.date) -> bool:
    """The notice's meaning, independent of app.services.calendar."""
    if any(p.start <= day <= p.end for p in schedule.holidays):
        return False
    return day.weekday() < 5 or day in schedule.workdays


def pasted_badly(text: str) -> str:
    """Half-width punctuation, a line break every 9 characters (inside numbers and words, as a
    PDF or a narrow WeChat column gives) and stray spaces."""
    out = []
    for i, ch in enumerate(text.translate(HALF_WIDTH)):
        out.append(ch)
        if i % 9 == 8:
            out.append("\r\n" if i % 2 else "\n")
        elif i % 13 == 0:
            out.append("  \u3000")
    return "".join(out)


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_real_notice_reads_every_day_as_the_packages_official_data(year):
    reading = read_notice(notice(year), year)
    assert reading.problems == []
    schedule = reading.schedule

    cn = holidays.China(years=year)  # names (weekday days off) + the 调休 weekend workdays
    cn_workdays = {d for d in cn.weekend_workdays if d.year == year}
    assert set(schedule.workdays) == cn_workdays
    for day in days_of(year):
        package_working = day not in cn and (day.weekday() < 5 or day in cn_workdays)
        assert working(schedule, day) == package_working, day
        # chinesecalendar (≤ 2026) names every day of a break, weekends included
        off, name = chinese_calendar.get_holiday_detail(day)
        in_break = off and name is not None
        assert any(p.start <= day <= p.end for p in schedule.holidays) == in_break, day
        assert working(schedule, day) == chinese_calendar.is_workday(day), day

    names = [p.name for p in schedule.holidays]
    assert names[0] == "元旦" and len(names) == (6 if year == 2025 else 7)


def test_2025_one_day_without_adjustment_and_the_combined_national_day_item():
    reading = read_notice(notice(2025), 2025)
    holidays_2025 = {p.name: (p.start, p.end) for p in reading.schedule.holidays}
    assert holidays_2025["元旦"] == (dt.date(2025, 1, 1), dt.date(2025, 1, 1))  # 放假1天，不调休
    assert holidays_2025["春节"] == (dt.date(2025, 1, 28), dt.date(2025, 2, 4))  # across months
    assert holidays_2025["国庆节、中秋节"] == (dt.date(2025, 10, 1), dt.date(2025, 10, 8))
    assert dt.date(2025, 9, 28) in reading.schedule.workdays
    assert reading.notice_date == dt.date(2024, 11, 12)
    assert reading.schedule.source == (
        "国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号，2024年11月12日）"
    )
    # the preamble's dates (自2025年1月1日起, 10月1日起放假调休7天) are not items
    assert len(reading.schedule.holidays) == 6


@pytest.mark.parametrize("year", [2025, 2026])
def test_half_width_punctuation_and_broken_lines_read_the_same(year):
    clean = read_notice(notice(year), year)
    messy_text = pasted_badly(notice(year))
    assert "\n" in messy_text and "(周" in messy_text
    messy = read_notice(messy_text, year)
    assert messy.problems == []
    assert messy.schedule == clean.schedule


def test_a_news_page_copy_with_the_wire_lead_and_links_after_it_reads_the_same():
    page = (
        "受权发布丨国务院办公厅关于2026年部分节假日安排的通知\n来源：新华网 2025-11-04 22:15\n"
        "新华社北京11月4日电 国务院办公厅关于2026年部分节假日安排的通知，全文如下：\n"
        + notice(2026).split("\n", 1)[1]
        + "\n[责编：张倩]\n相关阅读\n- 2026年劳动节5月1日起放假5天，记得提前订票\n"
    )
    reading = read_notice(page, 2026)
    assert reading.problems == []
    assert reading.schedule == read_notice(notice(2026), 2026).schedule
    assert reading.schedule.source == "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）"


def test_a_wrong_weekday_word_is_reported_as_a_misread_of_that_item():
    text = notice(2025).replace("10月1日（周三）", "10月1日（周四）")
    reading = read_notice(text, 2025)
    assert not reading.ok
    (problem,) = reading.problems
    assert problem.startswith("第六项“国庆节、中秋节”：10月1日写的是“周四”")
    assert "2025年10月1日是星期三" in problem and "原文：“10月1日（周四）至8日" in problem
    with pytest.raises(UserError, match="什么也没有保存"):
        require_readable(reading)


def test_an_item_it_cannot_read_is_named_with_its_text():
    text = notice(2025).replace(
        "4月4日（周五）至6日（周日）放假，共3天。", "4月4日（周五）开始放假三天。"
    )
    reading = read_notice(text, 2025)
    assert reading.problems == [
        "第三项“清明节”：读不懂这句话（原文：“4月4日（周五）开始放假三天”）"
    ]
    assert "清明节" not in [p.name for p in reading.schedule.holidays]


def test_counts_lost_items_and_impossible_workdays_are_misreads():
    wrong_count = notice(2026).replace("共9天", "共8天")
    (problem,) = read_notice(wrong_count, 2026).problems
    assert "第二项“春节”" in problem and "写的是共8天" in problem and "是9天" in problem

    lost = notice(2026).replace("　　三、清明节：4月4日（周六）至6日（周一）放假，共3天。\n", "")
    problems = read_notice(lost, 2026).problems
    assert any("编号不连续" in p for p in problems)
    assert "没有读到清明节的放假安排，可能漏粘贴了一段" in problems

    monday = notice(2025).replace("4月27日（周日）上班", "4月28日（周一）上班")
    (problem,) = read_notice(monday, 2025).problems
    assert "第四项“劳动节”：4月28日是星期一，本来就上班" in problem


def test_a_notice_of_another_year_is_refused_before_anything_is_read():
    reading = read_notice(notice(2026), 2025)
    assert reading.problems == [
        "这是2026年的节假日安排通知，不是2025年的；请选2026年，或换成2025年的通知"
    ]
    assert reading.schedule.holidays == [] and reading.schedule.workdays == []
    untitled = "\n".join(notice(2026).splitlines()[3:]).replace("现将2026年", "现将")
    (problem,) = read_notice(untitled, 2026).problems
    assert problem.startswith("没有找到通知的年份")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_text_files_as_notepad_saves_them(tmp_path, encoding):
    path = tmp_path / f"通知-{encoding}.txt"
    path.write_bytes(notice(2025).replace("\n", "\r\n").encode(encoding))
    text = read_notice_file(path)
    assert read_notice(text, 2025).schedule == read_notice(notice(2025), 2025).schedule


def test_a_word_file_with_the_notice_split_over_paragraphs_and_a_table(tmp_path):
    import docx

    document = docx.Document()
    lines = notice(2026).splitlines()
    for line in lines[:8]:
        document.add_paragraph(line)
    document.add_paragraph(lines[8][:12])  # an item broken in the middle, as Word wraps it
    document.add_paragraph(lines[8][12:])
    table = document.add_table(rows=len(lines) - 9, cols=1)  # the rest laid out in a table
    for row, line in zip(table.rows, lines[9:], strict=True):
        row.cells[0].text = line
    path = tmp_path / "2026年节假日安排.docx"
    document.save(str(path))
    reading = read_notice(read_notice_file(path), 2026)
    assert reading.problems == []
    assert reading.schedule == read_notice(notice(2026), 2026).schedule


def test_files_it_cannot_read_say_what_to_do(tmp_path):
    doc = tmp_path / "通知.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0 old Word")
    with pytest.raises(UserError, match="另存为 .docx 或 .txt"):
        read_notice_file(doc)
    broken = tmp_path / "通知.docx"
    broken.write_bytes(b"PK\x03\x04 not really a docx")
    with pytest.raises(UserError, match="不是有效的 Word"):
        read_notice_file(broken)
    with pytest.raises(UserError, match="读不了文件"):
        read_notice_file(tmp_path / "没有这个文件.txt")
