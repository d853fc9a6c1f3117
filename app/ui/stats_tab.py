"""The 统计 tab (SPEC rules 4, 7, 8): per-member counts, the 谈话提醒 list with talks and their
follow-up, the 不合格党员认定依据 list, branch figures, charts, and the statistics workbook.

All figures come from `app.services.statistics.compute_statistics`, the same function the
workbook, `stats --json` and the export bundle use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QModelIndex, QPointF, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.models import vocab
from app.services.evaluation import (
    TalkRecord,
    record_talk,
    set_leave_counts_as_absent,
    set_talk_state,
    talks_for_year,
)
from app.services.ledger import load_year, require_branch
from app.services.statistics import MemberStats, YearStatistics, compute_statistics
from app.ui.state import AppState
from app.ui.table_model import RowsTableModel
from app.ui.workers import run_in_background

TEXT = {
    "year": "年度：",
    "leave_counts": "请假计入未参加次数",
    "leave_counts_tip": "《实施意见》没有免除请假，默认计入；支部另有规定的可取消勾选，请假将不计入。",
    "refresh": "刷新",
    "export": "导出统计表…",
    "export_title": "导出统计表",
    "export_filter": "Excel 工作簿 (*.xlsx)",
    "export_name": "{branch}-{year}-党日活动统计.xlsx",
    "exporting": "正在写出统计表…",
    "exported": "统计表已保存：{path}",
    "export_failed": "统计表没有保存：{error}",
    "summary": "<b>{year}年</b>　计划 <b>{planned}</b> 次，已开展 <b>{held}</b> 次"
    "（截至今日应开展 {due} 次）　｜　无活动月份：<b>{months}</b>　｜　"
    "报送逾期 <b>{overdue}</b> 份（活动后3日内未报送），尚未报送 {not_submitted} 份　｜　"
    "平均参加率 <b>{rate}</b>",
    "none": "无",
    "excellence_ok": "已过的月份均开展了党日活动，未发现不得评先选优的情形。",
    "nothing_kept": "本程序里还没有{year}年的计划和活动记录，无从统计。"
    "请先在“计划”页生成{year}年度计划，每次活动开展后在“记录”页登记。",
    "sec_members": "党员参加情况",
    "sec_talk": "谈话提醒（{n}）",
    "sec_basis": "不合格党员认定依据（{n}）",
    "sec_charts": "图表",
    "talk_hint": "本年度累计未参加 3 次及以上的党员。按《实施意见》四.2，党组织要及时谈话提醒、"
    "提出限期整改意见。选中一名党员后记录谈话，整改后标记“已整改”。",
    "basis_hint": "以下党员本年度累计未参加 6 次及以上。按《实施意见》四.2，这是确定不合格党员的"
    "<b>重要依据</b>，供党支部按程序研究认定时参考，<b>不是认定结论</b>。",
    "record_talk": "记录谈话…",
    "mark_done": "标记已整改",
    "mark_pending": "改回待整改",
    "select_member": "请先在列表中选中一名党员。",
    "no_talk_yet": "这名党员还没有谈话记录，请先记录谈话。",
    "not_talked": "未谈话",
    "past_deadline": "（已过整改期限）",
    "talks_count": "{n}次谈话",
    "hint_basis": "不合格党员认定依据",
    "hint_talk": "谈话提醒",
    "hint_joined": "{day} 起在册",
    "hint_left": "{day} 离开花名册",
    "chart_rate": "各次活动参加率",
    "chart_status": "各次活动参加情况（人次，按状态）",
    "unrecorded": "未登记",
    "rate_axis": "参加率（%）",
    "people_axis": "人次",
    "no_held": "本年度还没有已开展的活动。",
}

MEMBER_HEADERS = [
    "姓名",
    "类别",
    "应参加",
    "出席",
    "线上参加",
    "流入地参加",
    "适当方式参加",
    "实际参加",
    "请假",
    "缺席",
    "未登记",
    "未参加次数",
    "参加率",
    "提示",
]
TALK_HEADERS = [
    "姓名",
    "未参加次数",
    "请假",
    "缺席",
    "谈话日期",
    "谈话人",
    "整改期限",
    "整改状态",
    "谈话内容",
]
BASIS_HEADERS = ["姓名", "未参加次数", "应参加", "请假", "缺席", "谈话提醒情况"]

TALK_COLOR = QColor("#FFF2CC")
BASIS_COLOR = QColor("#F8CBAD")
STATUS_COLORS = {
    vocab.PRESENT: "#2E7D32",
    vocab.ONLINE: "#1976D2",
    vocab.AT_INFLOW_ORG: "#00897B",
    vocab.SUITABLE_MEANS: "#7B1FA2",
    vocab.LEAVE: "#F9A825",
    vocab.ABSENT: "#C62828",
}


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def _row_color(m: MemberStats) -> QColor | None:
    if m.unqualified_basis:
        return BASIS_COLOR
    if m.talk_reminder:
        return TALK_COLOR
    return None


class StatsTableModel(RowsTableModel):
    """Rows of raw values (numbers sort as numbers), shown through per-column formatters,
    with an optional background colour per row."""

    SORT_ROLE = Qt.ItemDataRole.UserRole

    def __init__(
        self, headers: Sequence[str], formatters: dict[int, Callable[[Any], str]] | None = None
    ):
        super().__init__(headers)
        self.formatters = formatters or {}
        self.colors: list[QColor | None] = []

    def set_rows(self, rows, keys=None, colors: Sequence[QColor | None] | None = None) -> None:
        self.colors = list(colors) if colors is not None else [None] * len(rows)
        super().set_rows(rows, keys)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        value = self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            fmt = self.formatters.get(index.column())
            if fmt is not None:
                return fmt(value)
            return "" if value is None else str(value)
        if role == self.SORT_ROLE:
            return -1 if value is None else value
        if role == Qt.ItemDataRole.BackgroundRole:
            color = self.colors[index.row()]
            return QBrush(color) if color is not None else None
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int | float):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


def _table(model: StatsTableModel) -> QTableView:
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(StatsTableModel.SORT_ROLE)
    view = QTableView()
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # keep the roll order until asked
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(False)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class TalkDialog(QDialog):
    """Record a 谈话提醒: date, who talked, what was said, deadline for correction. It stays open
    with the message next to the field until the input is valid."""

    TEXT = {
        "title": "记录谈话提醒",
        "member": "党员：<b>{name}</b>（{year}年累计未参加 {count} 次）",
        "talk_date": "谈话日期",
        "talker": "谈话人",
        "talker_hint": "如：王建国（支部书记）",
        "note": "谈话内容及整改意见",
        "deadline": "整改期限",
        "save": "保存",
        "cancel": "取消",
    }

    def __init__(
        self,
        member: MemberStats,
        year: int,
        talker: str = "",
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.member = member
        self.year = year
        self.saved: TalkRecord | None = None
        t = self.TEXT
        today = today or dt.date.today()
        self.setWindowTitle(t["title"])
        self.setMinimumWidth(460)

        self.talk_date = QDateEdit(QDate(today.year, today.month, today.day))
        self.talk_date.setCalendarPopup(True)
        self.talk_date.setDisplayFormat("yyyy-MM-dd")
        self.talker_edit = QLineEdit(talker)
        self.talker_edit.setPlaceholderText(t["talker_hint"])
        self.note_edit = QPlainTextEdit()
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(90)
        deadline = today + dt.timedelta(days=30)
        self.deadline = QDateEdit(QDate(deadline.year, deadline.month, deadline.day))
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        self.errors = {name: QLabel() for name in ("talk_date", "talker", "deadline", "")}
        for label in self.errors.values():
            label.setStyleSheet("color: #C62828;")
            label.setWordWrap(True)
            label.hide()

        form = QFormLayout()
        form.addRow(
            QLabel(t["member"].format(name=member.name, year=year, count=member.not_taking_part))
        )
        form.addRow(t["talk_date"], self.talk_date)
        form.addRow("", self.errors["talk_date"])
        form.addRow(t["talker"], self.talker_edit)
        form.addRow("", self.errors["talker"])
        form.addRow(t["note"], self.note_edit)
        form.addRow(t["deadline"], self.deadline)
        form.addRow("", self.errors["deadline"])
        form.addRow(self.errors[""])
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(t["save"], QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(t["cancel"], QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    @staticmethod
    def _date(edit: QDateEdit) -> dt.date:
        d = edit.date()
        return dt.date(d.year(), d.month(), d.day())

    def save(self) -> None:
        for label in self.errors.values():
            label.hide()
        try:
            self.saved = record_talk(
                self.member.member_id,
                self.year,
                self._date(self.talk_date),
                self.talker_edit.text(),
                self.note_edit.toPlainText(),
                self._date(self.deadline),
            )
        except UserError as err:
            label = self.errors.get(err.field or "", self.errors[""])
            label.setText(err.message)
            label.show()
            return
        self.accept()


class StatsTab(QWidget):
    exported = Signal(str)  # the path written, or "" on failure

    def __init__(self, state: AppState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.stats: YearStatistics | None = None
        self.talks: dict[int, list[TalkRecord]] = {}
        self.today: dt.date | None = None  # None: the real today (tests pin a day)
        self.talk_dialog: TalkDialog | None = None
        self._worker = None

        # --- top bar -----------------------------------------------------------------------
        self.year_spin = QSpinBox()
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue(state.year)
        self.year_spin.valueChanged.connect(state.set_year)
        self.leave_check = QCheckBox(TEXT["leave_counts"])
        self.leave_check.setToolTip(TEXT["leave_counts_tip"])
        self.leave_check.toggled.connect(self._leave_setting_changed)
        self.refresh_button = QPushButton(TEXT["refresh"])
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button = QPushButton(TEXT["export"])
        self.export_button.clicked.connect(self.choose_export_file)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(160)
        self.progress.hide()
        top = QHBoxLayout()
        top.addWidget(QLabel(TEXT["year"]))
        top.addWidget(self.year_spin)
        top.addSpacing(16)
        top.addWidget(self.leave_check)
        top.addStretch(1)
        top.addWidget(self.progress)
        top.addWidget(self.refresh_button)
        top.addWidget(self.export_button)

        # --- branch summary ----------------------------------------------------------------
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.excellence_label = QLabel()
        self.excellence_label.setWordWrap(True)
        box = QFrame()
        box.setFrameShape(QFrame.Shape.StyledPanel)
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(self.summary_label)
        box_layout.addWidget(self.excellence_label)

        # --- members -----------------------------------------------------------------------
        rate_col = MEMBER_HEADERS.index("参加率")
        self.member_model = StatsTableModel(MEMBER_HEADERS, {rate_col: _pct})
        self.member_view = _table(self.member_model)

        # --- talk reminders ----------------------------------------------------------------
        self.talk_model = StatsTableModel(TALK_HEADERS)
        self.talk_view = _table(self.talk_model)
        self.talk_view.doubleClicked.connect(lambda *_: self.open_talk_dialog())
        self.record_talk_button = QPushButton(TEXT["record_talk"])
        self.record_talk_button.clicked.connect(lambda: self.open_talk_dialog())
        self.mark_done_button = QPushButton(TEXT["mark_done"])
        self.mark_done_button.clicked.connect(lambda: self.set_selected_talk_state(vocab.TALK_DONE))
        self.mark_pending_button = QPushButton(TEXT["mark_pending"])
        self.mark_pending_button.clicked.connect(
            lambda: self.set_selected_talk_state(vocab.TALK_PENDING)
        )
        self.talk_message = QLabel()
        self.talk_message.setStyleSheet("color: #C62828;")
        talk_hint = QLabel(TEXT["talk_hint"])
        talk_hint.setWordWrap(True)
        talk_buttons = QHBoxLayout()
        talk_buttons.addWidget(self.record_talk_button)
        talk_buttons.addWidget(self.mark_done_button)
        talk_buttons.addWidget(self.mark_pending_button)
        talk_buttons.addWidget(self.talk_message, 1)
        talk_page = QWidget()
        talk_layout = QVBoxLayout(talk_page)
        talk_layout.addWidget(talk_hint)
        talk_layout.addLayout(talk_buttons)
        talk_layout.addWidget(self.talk_view)

        # --- unqualified basis -------------------------------------------------------------
        self.basis_model = StatsTableModel(BASIS_HEADERS)
        self.basis_view = _table(self.basis_model)
        self.basis_hint = QLabel(TEXT["basis_hint"])
        self.basis_hint.setWordWrap(True)
        self.basis_hint.setStyleSheet(
            "background: #FDECEA; border: 1px solid #E57373; padding: 8px; color: #5D1010;"
        )
        basis_page = QWidget()
        basis_layout = QVBoxLayout(basis_page)
        basis_layout.addWidget(self.basis_hint)
        basis_layout.addWidget(self.basis_view)

        # --- charts ------------------------------------------------------------------------
        charts_page = self._build_charts()

        self.sections = QTabWidget()
        self.sections.addTab(self.member_view, TEXT["sec_members"])
        self.sections.addTab(talk_page, TEXT["sec_talk"].format(n=0))
        self.sections.addTab(basis_page, TEXT["sec_basis"].format(n=0))
        self.sections.addTab(charts_page, TEXT["sec_charts"])

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(box)
        layout.addWidget(self.sections, 1)

        state.changed.connect(self.refresh)
        state.year_changed.connect(self._year_changed)
        self.refresh()

    # --- data ------------------------------------------------------------------------------
    def _year_changed(self, year: int) -> None:
        if self.year_spin.value() != year:
            self.year_spin.setValue(year)
        self.refresh()

    def refresh(self, *_: object) -> None:
        year = self.state.year
        self.stats = compute_statistics(load_year(year), today=self.today)
        self.talks = talks_for_year(year)
        stats = self.stats
        self.leave_check.blockSignals(True)
        self.leave_check.setChecked(stats.leave_counts_as_absent)
        self.leave_check.blockSignals(False)
        self._show_summary(stats)
        self._show_members(stats)
        self._show_talks(stats)
        self._show_basis(stats)
        self._show_charts(stats)

    def _show_summary(self, stats: YearStatistics) -> None:
        b = stats.branch
        months = "、".join(f"{m}月" for m in b.months_without_activity) or TEXT["none"]
        self.summary_label.setText(
            TEXT["summary"].format(
                year=stats.year,
                planned=b.planned,
                held=b.held,
                due=b.due,
                months=months,
                overdue=b.overdue_records,
                not_submitted=b.not_submitted,
                rate=_pct(b.attendance_rate),
            )
        )
        note = stats.excellence_note()
        if not b.planned and not b.held:
            # Nothing of this year was kept here (a branch new to the program, a year before it):
            # say so, rather than judge the branch on a ledger it never kept in this program.
            self.excellence_label.setText(TEXT["nothing_kept"].format(year=stats.year))
            self.excellence_label.setStyleSheet("color: #555555;")
        elif note:
            self.excellence_label.setText("⚠ " + note)
            self.excellence_label.setStyleSheet("color: #C62828; font-weight: bold;")
        else:
            self.excellence_label.setText(TEXT["excellence_ok"] if b.months_elapsed else "")
            self.excellence_label.setStyleSheet("color: #2E7D32;")

    def _show_members(self, stats: YearStatistics) -> None:
        rows = []
        for m in stats.members:
            s = m.by_status
            hints = []
            if m.unqualified_basis:
                hints.append(TEXT["hint_basis"])
            elif m.talk_reminder:
                hints.append(TEXT["hint_talk"])
            if m.roll_start and m.roll_start.year == stats.year:
                hints.append(TEXT["hint_joined"].format(day=m.roll_start.isoformat()))
            if m.left_date and m.left_date.year == stats.year:
                hints.append(TEXT["hint_left"].format(day=m.left_date.isoformat()))
            hint = "；".join(hints)
            rows.append(
                (
                    m.name,
                    m.category,
                    m.expected,
                    s[vocab.PRESENT],
                    s[vocab.ONLINE],
                    s[vocab.AT_INFLOW_ORG],
                    s[vocab.SUITABLE_MEANS],
                    m.took_part,
                    m.leave,
                    m.absent,
                    m.unrecorded,
                    m.not_taking_part,
                    m.rate,
                    hint,
                )
            )
        self.member_model.set_rows(
            rows, [m.member_id for m in stats.members], [_row_color(m) for m in stats.members]
        )
        self.member_view.resizeColumnsToContents()

    def latest_talk(self, member_id: int) -> TalkRecord | None:
        talks = self.talks.get(member_id)
        return talks[-1] if talks else None

    def _talk_text(self, member_id: int) -> str:
        talk = self.latest_talk(member_id)
        if talk is None:
            return TEXT["not_talked"]
        text = f"{talk.talk_date.isoformat()} {talk.state}"
        if talk.is_past_deadline(self.today or dt.date.today()):
            text += TEXT["past_deadline"]
        return text

    def _show_talks(self, stats: YearStatistics) -> None:
        members = stats.talk_reminder
        rows = []
        for m in members:
            talk = self.latest_talk(m.member_id)
            state = TEXT["not_talked"]
            if talk is not None:
                state = talk.state
                if talk.is_past_deadline(self.today or dt.date.today()):
                    state += TEXT["past_deadline"]
                count = len(self.talks[m.member_id])
                if count > 1:
                    state += f"（{TEXT['talks_count'].format(n=count)}）"
            rows.append(
                (
                    m.name,
                    m.not_taking_part,
                    m.leave,
                    m.absent,
                    talk.talk_date.isoformat() if talk else "",
                    talk.talker if talk else "",
                    talk.deadline.isoformat() if talk and talk.deadline else "",
                    state,
                    talk.note if talk else "",
                )
            )
        self.talk_model.set_rows(
            rows, [m.member_id for m in members], [_row_color(m) for m in members]
        )
        self.talk_view.resizeColumnsToContents()
        self.sections.setTabText(1, TEXT["sec_talk"].format(n=len(members)))
        self.talk_message.clear()

    def _show_basis(self, stats: YearStatistics) -> None:
        members = stats.unqualified_basis
        rows = [
            (m.name, m.not_taking_part, m.expected, m.leave, m.absent, self._talk_text(m.member_id))
            for m in members
        ]
        self.basis_model.set_rows(
            rows, [m.member_id for m in members], [BASIS_COLOR] * len(members)
        )
        self.basis_view.resizeColumnsToContents()
        self.sections.setTabText(2, TEXT["sec_basis"].format(n=len(members)))

    def _build_charts(self) -> QWidget:
        """Series and axes are made once and refilled on refresh: removing and re-adding axes
        leaves stale labels drawn in QtCharts."""
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
        rate_y.setRange(0, 112)  # headroom above 100 for the points' labels
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

        page = QWidget()
        grid = QGridLayout(page)
        for col, chart in enumerate((self.rate_chart, self.status_chart)):
            chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
            view = QChartView(chart)
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(220)
            grid.addWidget(view, 0, col)
        return page

    def _show_charts(self, stats: YearStatistics) -> None:
        held = [a for a in stats.activities if a.is_held]
        months = [a.held_date.month for a in held]
        labels = [
            f"{a.held_date.month}月"
            if months.count(a.held_date.month) == 1
            else f"{a.held_date.month}/{a.held_date.day}"
            for a in held
        ]
        # Attendance rate per activity.
        self.rate_chart.setTitle(TEXT["chart_rate"] if held else TEXT["no_held"])
        self.rate_x.clear()
        self.rate_x.append(labels or [""])
        self.rate_series.replace(
            [QPointF(i, round((a.rate or 0) * 100, 1)) for i, a in enumerate(held)]
        )

        # Participation by status, stacked per activity.
        self.status_chart.setTitle(TEXT["chart_status"] if held else TEXT["no_held"])
        self.status_series.clear()
        sets = [(status, QColor(STATUS_COLORS[status])) for status in vocab.ATTENDANCE_STATUSES]
        if any(a.unrecorded for a in held):
            sets.append((TEXT["unrecorded"], QColor("#BDBDBD")))
        for label, color in sets:
            bar = QBarSet(label)
            bar.setColor(color)
            if label == TEXT["unrecorded"]:
                bar.append([a.unrecorded for a in held])
            else:
                bar.append([a.by_status[label] for a in held])
            self.status_series.append(bar)
        self.status_x.clear()
        self.status_x.append(labels or [""])
        top = max((a.expected for a in held), default=0)
        self.status_y.setRange(0, max(top, 1))
        self.status_y.applyNiceNumbers()

    # --- actions ---------------------------------------------------------------------------
    def _leave_setting_changed(self, checked: bool) -> None:
        set_leave_counts_as_absent(checked)
        self.state.changed.emit("branch")

    def selected_talk_member(self) -> MemberStats | None:
        rows = self.talk_view.selectionModel().selectedRows()
        if not rows or self.stats is None:
            return None
        source = self.talk_view.model().mapToSource(rows[0])
        member_id = self.talk_model.key_at(source.row())
        return next((m for m in self.stats.members if m.member_id == member_id), None)

    def select_talk_member(self, member_id: int) -> None:
        """Select a member's row in the 谈话提醒 list (also used by tests)."""
        proxy = self.talk_view.model()
        for row in range(proxy.rowCount()):
            source = proxy.mapToSource(proxy.index(row, 0))
            if self.talk_model.key_at(source.row()) == member_id:
                self.talk_view.selectRow(row)
                return

    def make_talk_dialog(self, member: MemberStats) -> TalkDialog:
        try:
            talker = require_branch().secretary
        except UserError:
            talker = ""
        return TalkDialog(member, self.state.year, talker=talker, today=self.today, parent=self)

    def open_talk_dialog(self) -> None:
        member = self.selected_talk_member()
        if member is None:
            self.talk_message.setText(TEXT["select_member"])
            return
        # open(), not exec(): window-modal without a nested event loop.
        self.talk_dialog = self.make_talk_dialog(member)
        self.talk_dialog.accepted.connect(lambda: self.state.changed.emit("talks"))
        self.talk_dialog.open()

    def set_selected_talk_state(self, state: str) -> None:
        member = self.selected_talk_member()
        if member is None:
            self.talk_message.setText(TEXT["select_member"])
            return
        talk = self.latest_talk(member.member_id)
        if talk is None:
            self.talk_message.setText(TEXT["no_talk_yet"])
            return
        set_talk_state(talk.talk_id, state)
        self.state.changed.emit("talks")
        self.select_talk_member(member.member_id)

    def choose_export_file(self) -> None:
        if self.stats is None:
            return
        name = TEXT["export_name"].format(branch=self.stats.branch.name, year=self.stats.year)
        path, _ = QFileDialog.getSaveFileName(
            self, TEXT["export_title"], str(Path.home() / name), TEXT["export_filter"]
        )
        if path:
            if not path.lower().endswith(".xlsx"):
                path += ".xlsx"
            self.export_to(Path(path))

    def export_to(self, out: Path) -> None:
        """Write the workbook off the UI thread; `exported` fires with the path ("" on error)."""
        from app.reports.statistics_xlsx import write_statistics_xlsx

        stats, talks = self.stats, self.talks
        if stats is None:
            return
        self.export_button.setEnabled(False)
        self.progress.show()

        def work(progress):
            progress(0, 1, TEXT["exporting"])
            return write_statistics_xlsx(stats, out, talks)

        def done(path) -> None:
            self.progress.hide()
            self.export_button.setEnabled(True)
            window = self.window()
            if isinstance(window, QMainWindow):
                window.statusBar().showMessage(TEXT["exported"].format(path=path), 8000)
            self.exported.emit(str(path))

        def failed(message: str) -> None:
            self.progress.hide()
            self.export_button.setEnabled(True)
            self.exported.emit("")
            QMessageBox.warning(
                self, TEXT["export_title"], TEXT["export_failed"].format(error=message)
            )

        self._worker = run_in_background(work, done, failed)
