"""Rule 1 [二.1]: the activity day moves off statutory holidays and plain weekends, checked for 2026
against the calendar package itself (chinesecalendar), and the fallback for an unknown year."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest

from app.services import calendar as cal
from app.services.plan import plan_activity_date

YEAR = 2026
FAR_YEAR = 2035  # no package will know the official 2035 schedule for years


def first_workday_from(day: dt.date) -> dt.date:
    """Independent of our code: the package's own answer for "the next working day"."""
    while not chinese_calendar.is_workday(day):
        day += dt.timedelta(days=1)
    return day


@pytest.mark.parametrize("day", range(1, 32))
def test_every_generated_2026_date_is_a_working_day_of_its_month(day):
    for month in range(1, 13):
        planned = plan_activity_date(YEAR, month, day, custom=day not in (5, 10))
        assert planned.date.month == month
        assert chinese_calendar.is_workday(planned.date), planned
        assert not planned.unverified


@pytest.mark.parametrize(
    ("month", "day", "name"),
    [
        (2, 17, "春节"),
        (4, 5, "清明节"),
        (5, 5, "劳动节"),
        (6, 19, "端午节"),
        (9, 25, "中秋节"),
        (10, 5, "国庆节"),
    ],
)
def test_day_on_a_statutory_holiday_moves_to_next_working_day_with_the_holidays_name(
    month, day, name
):
    base = dt.date(YEAR, month, day)
    assert chinese_calendar.is_holiday(base)  # the premise, from the package
    planned = plan_activity_date(YEAR, month, day, custom=day not in (5, 10))
    assert planned.date == first_workday_from(base) > base
    assert f"{month}月{day}日为{name}假期，顺延至{planned.date.month}月{planned.date.day}日" in (
        planned.reason
    )
    assert cal.holiday_name(base) == name


def test_fifth_of_october_2026_reads_like_the_issue():
    planned = plan_activity_date(YEAR, 10, 5)
    assert (planned.date, planned.reason) == (
        dt.date(2026, 10, 8),
        "10月5日为国庆节假期，顺延至10月8日",
    )


def test_adjusted_saturday_workday_is_kept_when_it_is_the_branch_day():
    saturday = dt.date(2026, 10, 10)
    assert saturday.weekday() == 5 and chinese_calendar.is_workday(saturday)
    planned = plan_activity_date(YEAR, 10, 10)
    assert planned.date == saturday
    assert "调休上班" in planned.reason
    assert cal.is_adjusted_workday(saturday)


def test_plain_weekend_moves_and_says_which_day_it_was():
    planned = plan_activity_date(YEAR, 9, 5)  # Saturday, not a workday
    assert (planned.date, planned.reason) == (dt.date(2026, 9, 7), "9月5日为星期六，顺延至9月7日")


def test_custom_day_past_month_end_takes_the_last_day_then_shifts_back_if_none_is_left():
    april = plan_activity_date(YEAR, 4, 31, custom=True)
    assert april.date == dt.date(2026, 4, 30)
    assert "4月无31日，取4月30日" in april.reason and "本支部党员活动日为每月31日" in april.reason
    # 31 January 2026 is a Saturday: no working day is left in January, so the Friday before.
    january = plan_activity_date(YEAR, 1, 31, custom=True)
    assert january.date == dt.date(2026, 1, 30)
    assert "本月其后已无工作日，提前至1月30日" in january.reason
    # 28 February 2026 is a Saturday worked under 调休: the custom day lands on it and stays.
    february = plan_activity_date(YEAR, 2, 31, custom=True)
    assert february.date == dt.date(2026, 2, 28) and chinese_calendar.is_workday(february.date)


def test_holiday_names_are_chinese_whatever_the_package_language():
    assert cal.holiday_name(dt.date(2026, 1, 1)) == "元旦"
    assert cal.holiday_name(dt.date(2026, 2, 20)) == "春节"  # a day off moved by 调休
    assert cal.holiday_name(dt.date(2026, 3, 10)) is None
    for year in (YEAR, FAR_YEAR):
        names = set(cal.year_calendar(year).holidays.values())
        assert {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"} <= names
        assert all(not any(ch.isascii() and ch.isalpha() for ch in n) for n in names), names


def test_a_year_no_package_knows_falls_back_to_computed_holidays_and_is_unverified():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(dt.date(FAR_YEAR, 1, 2))
    assert cal.is_official(YEAR) and not cal.is_official(FAR_YEAR)
    c = cal.year_calendar(FAR_YEAR)
    assert c.source.startswith("holidays") and not c.workdays  # no 调休 is known
    assert cal.holiday_name(dt.date(FAR_YEAR, 10, 1)) == "国庆节"
    planned = plan_activity_date(FAR_YEAR, 10, 1, custom=True)
    assert planned.unverified and planned.date > dt.date(FAR_YEAR, 10, 3)
    assert "国庆节假期" in planned.reason
    # weekends are never working days in an estimated year
    saturday = dt.date(FAR_YEAR, 6, 2)
    assert saturday.weekday() == 5 and not cal.is_working_day(saturday)
