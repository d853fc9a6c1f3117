"""Dates between Python and Qt, and the date field every form uses (a calendar drop-down)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QTime
from PySide6.QtWidgets import QDateEdit

ISO_FORMAT = "yyyy-MM-dd"
CHINESE_FORMAT = "yyyy年M月d日"


def qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def qtime(value: dt.time) -> QTime:
    return QTime(value.hour, value.minute)


def pytime(value: QTime) -> dt.time:
    return dt.time(value.hour(), value.minute())


def date_edit(day: dt.date | None = None, display: str = ISO_FORMAT) -> QDateEdit:
    """A date field with a calendar drop-down, showing `day` (today's date when None)."""
    edit = QDateEdit(qdate(day or dt.date.today()))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(display)
    return edit
