"""The plan as a table (rules 1, 5, 6): one row per planned activity; a date not yet checked
against the official holidays in red, a date on a non-working day shaded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.services import calendar as cal
from app.services import plan as plans
from app.services.ledger import ActivityRow
from app.services.records import activity_state
from app.ui.table_model import RowsTableModel

TEXT = {
    "held": "已开展 {date}",
    "headers": [
        "序号",
        "月份",
        "日期",
        "星期",
        "节假日",
        "主题",
        "主要内容",
        "内容类别",
        "地点",
        "开展情况",
        "日期调整原因",
    ],
}

COL_MONTH = 1
COL_DATE, COL_WEEKDAY = 2, 3
COL_UNVERIFIED = 4
WARN_COLOR = QColor("#b00000")
NON_WORKING_BG = QColor("#fde8e8")


class PlanTableModel(RowsTableModel):
    """The plan's rows; unverified dates in red, dates on non-working days shaded."""

    def __init__(self, parent=None):
        super().__init__(TEXT["headers"], parent)
        self.entries: list[ActivityRow] = []
        self.today: Callable[[], dt.date] = dt.date.today

    def _progress(self, a: ActivityRow) -> str:
        """开展情况: the held date, else 未开展 or 待开展 as the 记录 tab says."""
        if a.held_date:
            return TEXT["held"].format(date=a.held_date.isoformat())
        return activity_state(a, self.today())

    def set_entries(self, entries: list[ActivityRow]) -> None:
        self.entries = entries
        rows = []
        for i, a in enumerate(entries, start=1):
            d = a.plan_date
            rows.append(
                (
                    i,
                    f"{d.month}月",
                    f"{d.month}月{d.day}日",
                    cal.WEEKDAYS[d.weekday()],
                    plans.UNVERIFIED if a.holidays_unverified else "",
                    a.theme,
                    a.planned_content,
                    "、".join(a.categories),
                    a.place,
                    self._progress(a),
                    a.plan_reason or "",
                )
            )
        self.set_rows(rows, [a.activity_id for a in entries])

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self.entries[index.row()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == COL_UNVERIFIED:
            return QBrush(WARN_COLOR)
        if role == Qt.ItemDataRole.BackgroundRole and index.column() in (COL_DATE, COL_WEEKDAY):
            if not cal.is_working_day(entry.plan_date):
                return QBrush(NON_WORKING_BG)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (COL_DATE, COL_WEEKDAY):
            return plans.date_warning(entry.plan_date)
        return super().data(index, role)
