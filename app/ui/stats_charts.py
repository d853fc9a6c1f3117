"""The 统计 tab's charts: the attendance rate of each held activity, and who took part how
(stacked by status). Series and axes are made once and refilled on every refresh: removing and
re-adding axes leaves stale labels drawn in QtCharts."""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QGridLayout, QWidget

from app.models import vocab
from app.services.statistics import ActivityStats, YearStatistics

TEXT = {
    "chart_rate": "各次活动参加率",
    "chart_status": "各次活动参加情况（人次，按状态）",
    "unrecorded": "未登记",
    "rate_axis": "参加率（%）",
    "people_axis": "人次",
    "no_held": "本年度还没有已开展的活动。",
}

STATUS_COLORS = {
    vocab.PRESENT: "#2E7D32",
    vocab.ONLINE: "#1976D2",
    vocab.AT_INFLOW_ORG: "#00897B",
    vocab.SUITABLE_MEANS: "#7B1FA2",
    vocab.LEAVE: "#F9A825",
    vocab.ABSENT: "#C62828",
}
UNRECORDED_COLOR = "#BDBDBD"
RATE_TOP = 112  # headroom above 100 for the points' labels


def activity_labels(held: list[ActivityStats]) -> list[str]:
    """"3月" for the month's only activity; "3/5", "3/20" when a month had more than one."""
    months = [a.held_date.month for a in held]
    return [
        f"{a.held_date.month}月"
        if months.count(a.held_date.month) == 1
        else f"{a.held_date.month}/{a.held_date.day}"
        for a in held
    ]


class StatsCharts(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._build_rate_chart()
        self._build_status_chart()
        grid = QGridLayout(self)
        for col, chart in enumerate((self.rate_chart, self.status_chart)):
            chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
            view = QChartView(chart)
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(220)
            grid.addWidget(view, 0, col)

    def _build_rate_chart(self) -> None:
        self.rate_chart = QChart()
        self.rate_series = QLineSeries()
        self.rate_series.setName(TEXT["chart_rate"])
        self.rate_series.setPointsVisible(True)
        self.rate_series.setPointLabelsVisible(True)
        self.rate_series.setPointLabelsFormat("@yPoint")
        self.rate_series.setPointLabelsClipping(False)
        self.rate_chart.addSeries(self.rate_series)
        self.rate_x = QBarCategoryAxis()
        rate_y = QValueAxis()
        rate_y.setRange(0, RATE_TOP)
        rate_y.setTickType(QValueAxis.TickType.TicksDynamic)
        rate_y.setTickAnchor(0)
        rate_y.setTickInterval(20)  # 0, 20 … 100; no 112 printed on the axis
        rate_y.setLabelFormat("%d")
        rate_y.setTitleText(TEXT["rate_axis"])
        self.rate_chart.addAxis(self.rate_x, Qt.AlignmentFlag.AlignBottom)
        self.rate_chart.addAxis(rate_y, Qt.AlignmentFlag.AlignLeft)
        self.rate_series.attachAxis(self.rate_x)
        self.rate_series.attachAxis(rate_y)
        self.rate_chart.legend().hide()

    def _build_status_chart(self) -> None:
        self.status_chart = QChart()
        self.status_series = QStackedBarSeries()
        self.status_chart.addSeries(self.status_series)
        self.status_x = QBarCategoryAxis()
        self.status_y = QValueAxis()
        self.status_y.setLabelFormat("%d")
        self.status_y.setTitleText(TEXT["people_axis"])
        self.status_chart.addAxis(self.status_x, Qt.AlignmentFlag.AlignBottom)
        self.status_chart.addAxis(self.status_y, Qt.AlignmentFlag.AlignLeft)
        self.status_series.attachAxis(self.status_x)
        self.status_series.attachAxis(self.status_y)
        self.status_chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)

    def show_year(self, stats: YearStatistics) -> None:
        held = [a for a in stats.activities if a.is_held]
        labels = activity_labels(held) or [""]
        # Attendance rate per activity.
        self.rate_chart.setTitle(TEXT["chart_rate"] if held else TEXT["no_held"])
        self.rate_x.clear()
        self.rate_x.append(labels)
        self.rate_series.replace(
            [QPointF(i, round((a.rate or 0) * 100, 1)) for i, a in enumerate(held)]
        )
        # Participation by status, stacked per activity.
        self.status_chart.setTitle(TEXT["chart_status"] if held else TEXT["no_held"])
        self.status_series.clear()
        for status in vocab.ATTENDANCE_STATUSES:
            self._add_bars(status, STATUS_COLORS[status], [a.by_status[status] for a in held])
        if any(a.unrecorded for a in held):
            self._add_bars(TEXT["unrecorded"], UNRECORDED_COLOR, [a.unrecorded for a in held])
        self.status_x.clear()
        self.status_x.append(labels)
        top = max((a.expected for a in held), default=0)
        self.status_y.setRange(0, max(top, 1))
        self.status_y.applyNiceNumbers()

    def _add_bars(self, label: str, color: str, values: list[int]) -> None:
        bar = QBarSet(label)
        bar.setColor(QColor(color))
        bar.append(values)
        self.status_series.append(bar)
