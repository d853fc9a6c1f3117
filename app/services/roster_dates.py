"""Dates as rosters write them, kept at the precision given: `1965.11` is November 1965, not the
1st of November, and is shown as 1965年11月 (docs/formats.md, 花名册).

A date is stored as its first day (so the database can compare and sort it) with a precision
word beside it (`Member.birth_precision`, `Member.joined_precision`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

DAY = "day"
MONTH = "month"
YEAR = "year"
PRECISIONS = (DAY, MONTH, YEAR)

_SEP = r"\s*[-/.年]\s*"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # 2019-07-01, 2019/7/1, 2019.07.01, 2019年7月1日
    (re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}})\s*[-/.月]\s*(\d{{1,2}})\s*日?$"), DAY),
    # 2019-07, 2019/7, 2019.07, 2019年7月
    (re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}})\s*月?$"), MONTH),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), DAY),  # 20190701
    (re.compile(r"^(\d{4})(\d{2})$"), MONTH),  # 201907
    (re.compile(r"^(\d{4})\s*年?$"), YEAR),  # 1965, 1965年
)
EXCEL_EPOCH = dt.date(1899, 12, 30)
FIRST_YEAR, LAST_YEAR = 1900, 2100  # a bare number in this range is a year, not a serial
UNREADABLE = "无法识别，请写成 2019-07-01、2019/7/1 或 2019.07"


@dataclass(frozen=True)
class WrittenDate:
    """A date as written: `date` is its first day when `precision` is MONTH or YEAR."""

    date: dt.date
    precision: str = DAY

    def text(self) -> str:
        return format_date(self.date, self.precision)


def read_date(value: object) -> WrittenDate | None:
    """A date cell, an Excel serial number, `2019-07-01`, `2019/7/1`, `2019.07` (a month),
    `1965` (a year), `2019年7月1日`, `20190701`; a number cell 1968.03 is March 1968.
    Empty -> None. Raises ValueError whose text says why (for the caller to put after the
    field's name and the value)."""
    if value is None or isinstance(value, bool):
        return None if value is None else _unreadable()
    if isinstance(value, dt.datetime):
        return WrittenDate(value.date())
    if isinstance(value, dt.date):
        return WrittenDate(value)
    if isinstance(value, (int, float)):
        return _from_number(value)
    text = str(value).strip().replace("\u3000", " ")
    if not text:
        return None
    if re.fullmatch(r"\d{5}(\.0)?", text):  # an Excel serial written out as text (CSV)
        return _from_number(float(text))
    # "2019-07-01 00:00:00" as some programs write a date cell into CSV
    text = re.sub(r"[ T]\d{1,2}:\d{2}(:\d{2})?$", "", text)
    for pattern, precision in _PATTERNS:
        m = pattern.match(text)
        if m:
            year = int(m.group(1))
            month = int(m.group(2)) if precision != YEAR else 1
            day = int(m.group(3)) if precision == DAY else 1
            return WrittenDate(_date(year, month, day), precision)
    return _unreadable()


def _unreadable() -> WrittenDate:
    raise ValueError(UNREADABLE)


def _date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(UNREADABLE) from None


def _from_number(value: float) -> WrittenDate:
    """A number cell: 1965 is a year, 1968.03 a month (typed into a number cell, Excel keeps
    1968.03), anything else an Excel date serial (1900 .. 2119)."""
    if value != value or value in (float("inf"), float("-inf")):
        return _unreadable()
    whole = int(value)
    if FIRST_YEAR <= whole <= LAST_YEAR:
        if value == whole:
            return WrittenDate(dt.date(whole, 1, 1), YEAR)
        hundredths = round((value - whole) * 100)
        if hundredths == 10:  # 1968.1: typed 1968.1 (January) or 1968.10 (Excel drops the 0)?
            raise ValueError(
                "是数字，分不清是1月还是10月：请把单元格设为文本后写成 1968.01 或 1968.10"
            )
        month = hundredths // 10 if hundredths in range(20, 100, 10) else hundredths
        return WrittenDate(_date(whole, month, 1), MONTH)
    if 1 <= whole <= 80000:
        return WrittenDate(EXCEL_EPOCH + dt.timedelta(days=whole))
    return read_date(str(whole)) or _unreadable()


def parse_date(value: object) -> dt.date | None:
    """`read_date` without the precision (the first day of a month or year)."""
    written = read_date(value)
    return written.date if written else None


def is_month_only(value: object) -> bool:
    """True for a date written to the month only (`2019.07`, `2019年7月`, `201907`)."""
    try:
        written = read_date(value)
    except ValueError:
        return False
    return written is not None and written.precision == MONTH


def format_date(value: dt.date | None, precision: str = DAY) -> str:
    """`1965-11-05`, `1965年11月` or `1965年`; '' for None."""
    if value is None:
        return ""
    if precision == MONTH:
        return f"{value.year}年{value.month}月"
    if precision == YEAR:
        return f"{value.year}年"
    return value.isoformat()


def same_written(a: dt.date | None, a_precision: str, b: dt.date | None, b_precision: str) -> bool:
    """Equal at the coarser of the two precisions (1965年11月 and 1965-11-05 agree)."""
    if a is None or b is None:
        return a == b
    coarse = max(PRECISIONS.index(a_precision), PRECISIONS.index(b_precision))
    if coarse == PRECISIONS.index(YEAR):
        return a.year == b.year
    if coarse == PRECISIONS.index(MONTH):
        return (a.year, a.month) == (b.year, b.month)
    return a == b
