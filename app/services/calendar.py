"""Working days and statutory holidays in China (docs/rules.md rule 1, seed [二.1]), from maintained packages.

The official schedule (法定节假日 and 调休上班 weekends) is published each winter for the next year
only. `year_calendar(year)` takes the schedule stored for that year from the State Council's notice
(app/services/holiday_notice.py) first; then it asks `chinesecalendar`, then `holidays` (CN); when
none knows the year officially it falls back to the holidays `holidays` can compute by rule (no
调休) plus weekends, and marks the calendar `official=False`: dates planned with it are 未核对节假日
until the notice is entered, the user confirms them, or an updated package knows the year. Nothing
here is a hand-written table of dates; only the package's English names are translated.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import cache

import peewee as pw

from app.models import DB, OfficialHolidaySchedule
from app.services.holiday_notice import HolidayPeriod, HolidaySchedule

WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")

# chinesecalendar's Holiday names (English) -> the Chinese name of the statutory holiday.
_CC_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
# `holidays` zh_CN names that are part of a longer statutory holiday.
_HOLIDAYS_ALIASES = {"农历除夕": "春节", "春节延长假期": "春节"}
_SUBSTITUTED = "调休"  # holidays' "休息日（由 YYYY-MM-DD 调休）": a day off moved from a weekend


@dataclass(frozen=True)
class YearCalendar:
    """One year's non-working days. `holidays` maps each statutory day off (including the days
    moved by 调休) to its Chinese name; `workdays` are weekends that are adjusted workdays."""

    year: int
    official: bool
    source: str
    holidays: dict[dt.date, str] = field(default_factory=dict)
    workdays: frozenset[dt.date] = frozenset()
    stored: bool = False  # entered from the notice (or a 下发包), not from a package

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.holidays:
            return False
        return day.weekday() < 5 or day in self.workdays

    def holiday_name(self, day: dt.date) -> str | None:
        return self.holidays.get(day)


def _package_version(module) -> str:
    # The module's own attribute: importlib.metadata would scan sys.path on every start.
    return str(getattr(module, "__version__", "?"))


def _days_of(year: int):
    day = dt.date(year, 1, 1)
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


def _from_chinesecalendar(year: int) -> YearCalendar | None:
    try:
        import chinese_calendar
    except ImportError:
        return None
    holidays: dict[dt.date, str] = {}
    workdays: set[dt.date] = set()
    try:
        for day in _days_of(year):
            is_holiday, name = chinese_calendar.get_holiday_detail(day)
            if is_holiday and name:
                holidays[day] = _CC_NAMES.get(name, name)
            elif not is_holiday and day.weekday() >= 5:
                workdays.add(day)
    except NotImplementedError:  # the package has no official schedule for this year
        return None
    version = _package_version(chinese_calendar)
    return YearCalendar(year, True, f"chinesecalendar {version}", holidays, frozenset(workdays))


def _holidays_name(raw: str) -> str:
    name = re.sub(r"（[^）]*）$", "", raw).strip()
    return _HOLIDAYS_ALIASES.get(name, name)


def _from_holidays_package(year: int) -> YearCalendar | None:
    """The `holidays` CN calendar. Official when the package has that year's 调休 schedule
    (`weekend_workdays`, the substituted days); otherwise an estimate by rule."""
    try:
        import holidays as holidays_pkg
    except ImportError:
        return None
    cn = holidays_pkg.China(years=year, language="zh_CN")
    workdays = frozenset(d for d in getattr(cn, "weekend_workdays", ()) if d.year == year)
    names: dict[dt.date, str] = {}
    substituted: list[dt.date] = []
    for day, raw in sorted(cn.items()):
        if day.year != year:
            continue
        if _SUBSTITUTED in raw and raw.startswith("休息日"):
            substituted.append(day)
        else:
            names[day] = _holidays_name(raw)
    for day in substituted:  # a moved day off belongs to the nearest named holiday
        nearest = min(names, key=lambda d: abs((d - day).days), default=None)
        names[day] = names[nearest] if nearest else "调休休息日"
    official = bool(workdays) or bool(substituted)
    version = _package_version(holidays_pkg)
    return YearCalendar(year, official, f"holidays {version}", names, workdays)


@cache
def package_calendar(year: int) -> YearCalendar:
    """The best calendar the installed packages give for `year` (cached per process)."""
    official = _from_chinesecalendar(year)
    if official is not None:
        return official
    fallback = _from_holidays_package(year)
    if fallback is not None:
        return fallback
    return YearCalendar(year, False, "weekends only")


# --- the schedule stored from the notice ------------------------------------------------------
_stored: dict[int, YearCalendar | None] = {}
_stored_db: list[object] = [None]  # the database `_stored` was read from


def forget_stored() -> None:
    """After a schedule is stored (or the ledger replaced): read them again."""
    _stored.clear()


def stored_schedule(year: int) -> HolidaySchedule | None:
    """The schedule stored for `year` from the State Council's notice, or None."""
    if DB.obj is None:
        return None
    try:
        row = OfficialHolidaySchedule.get_or_none(OfficialHolidaySchedule.year == year)
    except pw.OperationalError:  # a ledger opened without the table (no step created it yet)
        return None
    if row is None:
        return None
    try:
        payload = json.loads(row.payload)
        return HolidaySchedule.from_json({"year": row.year, "source": row.source, **payload})
    except (ValueError, KeyError, TypeError):  # not written by us: the packages decide
        return None


def _stored_calendar(year: int) -> YearCalendar | None:
    if _stored_db[0] is not DB.obj:  # another ledger was opened (tests, restore)
        _stored.clear()
        _stored_db[0] = DB.obj
    if year not in _stored:
        _stored[year] = _calendar_of_stored(year)
    return _stored[year]


def _calendar_of_stored(year: int) -> YearCalendar | None:
    """The stored schedule of `year`, with the days of a neighbouring year's notice that fall in
    it (a 元旦 break from 30 December, a 调休 Saturday on 31 December)."""
    schedule = stored_schedule(year)
    if schedule is None:
        return None
    return calendar_of(schedule, (stored_schedule(year - 1), stored_schedule(year + 1)))


def calendar_of(
    schedule: HolidaySchedule, neighbours: tuple[HolidaySchedule | None, ...] = ()
) -> YearCalendar:
    """The calendar a schedule makes for its year."""
    year = schedule.year
    holidays: dict[dt.date, str] = {}
    workdays: set[dt.date] = set()
    for other in (*neighbours, schedule):
        if other is not None:
            holidays.update((d, n) for d, n in other.days_off().items() if d.year == year)
            workdays.update(d for d in other.workdays if d.year == year)
    return YearCalendar(year, True, schedule.source, holidays, frozenset(workdays), stored=True)


def year_calendar(year: int) -> YearCalendar:
    """The calendar used for `year`: the stored notice, else the installed packages."""
    return _stored_calendar(year) or package_calendar(year)


def periods_of(calendar: YearCalendar) -> list[HolidayPeriod]:
    """The breaks of a calendar as the notice writes them: each run of days off that holds a
    statutory holiday, weekends included ("国庆节、中秋节" 10月1日至8日)."""
    periods: list[HolidayPeriod] = []
    run: list[dt.date] = []
    for day in [*_days_of(calendar.year), dt.date(calendar.year + 1, 1, 1)]:
        if day.year == calendar.year and not calendar.is_working_day(day):
            run.append(day)
            continue
        names = list(dict.fromkeys(calendar.holidays[d] for d in run if d in calendar.holidays))
        if names:
            periods.append(HolidayPeriod("、".join(names), run[0], run[-1]))
        run = []
    return periods


def schedule_in_use(year: int) -> HolidaySchedule:
    """The schedule used for `year` and where it comes from: the stored notice, a package's
    official data, or a package's estimate by rule."""
    stored = stored_schedule(year)
    if stored is not None:
        return stored
    c = package_calendar(year)
    source = f"软件包 {c.source}"
    if not c.official:
        source += "，按规则推算，不含调休，未核对"
    return HolidaySchedule(year, source, periods_of(c), sorted(c.workdays))


def package_differences(year: int, schedule: HolidaySchedule | None = None) -> list[str]:
    """Where an installed package knows `year` officially and says otherwise than the stored
    notice (or `schedule`, one being entered): one line a day, in words. Empty when nothing is
    stored or no package knows the year."""
    stored = calendar_of(schedule) if schedule is not None else _stored_calendar(year)
    package = package_calendar(year)
    if stored is None or not package.official:
        return []

    def word(c: YearCalendar, day: dt.date) -> str:
        if c.is_working_day(day):
            return "调休上班" if day.weekday() >= 5 else "上班"
        return f"放假（{c.holiday_name(day)}）" if c.holiday_name(day) else "休息"

    return [
        f"{month_day(day)}（{WEEKDAYS[day.weekday()]}）：录入的通知为{word(stored, day)}，"
        f"软件包 {package.source} 为{word(package, day)}"
        for day in _days_of(year)
        if stored.is_working_day(day) != package.is_working_day(day)
    ]


def is_official(year: int) -> bool:
    """Whether `year`'s official schedule (with 调休) is known: stored from the notice, or in an
    installed package."""
    return year_calendar(year).official


def is_working_day(day: dt.date) -> bool:
    """Rule 1: a working day is neither a statutory holiday nor a weekend, unless the weekend is
    an adjusted workday (调休上班) [二.1]."""
    return year_calendar(day.year).is_working_day(day)


def holiday_name(day: dt.date) -> str | None:
    """The Chinese name of the statutory holiday `day` belongs to (国庆节, 春节 …), or None."""
    return year_calendar(day.year).holiday_name(day)


def is_adjusted_workday(day: dt.date) -> bool:
    """A Saturday or Sunday that is a working day under 调休 (调休上班)."""
    return day.weekday() >= 5 and is_working_day(day)


def next_working_day(day: dt.date) -> dt.date:
    """Rule 1 [二.1]: `day` itself if it is a working day, else the next working day of the same
    month; if none is left in the month, the last working day before it."""
    probe = day
    while probe.month == day.month:
        if is_working_day(probe):
            return probe
        probe += dt.timedelta(days=1)
    probe = day - dt.timedelta(days=1)
    while probe.month == day.month:
        if is_working_day(probe):
            return probe
        probe -= dt.timedelta(days=1)
    return day  # a month without a single working day does not happen; keep the date


def why_not_working(day: dt.date) -> str:
    """Words for why `day` is not a working day: "国庆节假期" or "星期六"."""
    name = holiday_name(day)
    if name:
        return f"{name}假期"
    return WEEKDAYS[day.weekday()]


def month_day(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"
