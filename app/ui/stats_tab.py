"""The 统计 tab (rules 4, 7, 8): per-member counts, the 谈话提醒 list with talks and their
follow-up, the 不合格党员认定依据 list, branch figures, charts, and the statistics workbook.

All figures come from `app.services.statistics.compute_statistics`, the same function the
workbook, `stats --json` and the export bundle use. The tables are `app.ui.stats_tables`, the
charts `app.ui.stats_charts`, the talk dialog `app.ui.talk_dialog`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTableView,
    QTabWidget,
    QWidget,
)

from app.errors import UserError
from app.filenames import safe_stem
from app.models import vocab
from app.services.evaluation import (
    TalkRecord,
    set_leave_counts_as_absent,
    set_talk_state,
    talks_for_year,
)
from app.services.ledger import require_branch
from app.services.statistics import MemberStats, YearStatistics, compute_statistics
from app.ui import stats_tables as tables
from app.ui.desktop import choose_save_path
from app.ui.dialog_kit import button, column, panel, progress_bar, row, text_label
from app.ui.printing import Printable, PrintActions
from app.ui.receipt_label import ReceiptStatusLabel
from app.ui.state import ALL, AppState, ShownRefresh, watch
from app.ui.stats_charts import StatsCharts
from app.ui.stats_tables import MEMBER_HEADERS, StatsTableModel
from app.ui.talk_dialog import TalkDialog
from app.ui.workers import run_in_background
from app.ui.year_selector import year_row

TEXT = {
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
    "pdf_stem": "{branch}-{year}-党日活动统计",
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
}

SEC_MEMBERS, SEC_TALK, SEC_BASIS, SEC_CHARTS = range(4)
ERROR_COLOR = "#C62828"
EXCELLENCE_STYLES = {
    "nothing": "color: #555555;",
    "warning": f"color: {ERROR_COLOR}; font-weight: bold;",
    "ok": "color: #2E7D32;",
}
BASIS_HINT_STYLE = "background: #FDECEA; border: 1px solid #E57373; padding: 8px; color: #5D1010;"


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
        self._fitted: set[QTableView] = set()  # the tables whose columns were fitted

        self.sections = QTabWidget()
        self.sections.addTab(self._build_members(), TEXT["sec_members"])
        self.sections.addTab(self._build_talks(), TEXT["sec_talk"].format(n=0))
        self.sections.addTab(self._build_basis(), TEXT["sec_basis"].format(n=0))
        self.charts = StatsCharts()
        self.rate_chart, self.status_chart = self.charts.rate_chart, self.charts.status_chart
        self.sections.addTab(self.charts, TEXT["sec_charts"])
        # Drawn when their page is on view: drawing them was a tenth of a refresh.
        self.chart_refresher = ShownRefresh(
            None, self.charts, lambda _what: self.charts.show_year(self.stats)
        )
        column(
            self, self._build_top(), self._build_summary(), self.print_message, (self.sections, 1)
        )

        # Refreshed while on view; behind another tab, when next shown (app.ui.state.watch).
        self.refresher = watch(state, self, lambda _what: self._show())
        self.refresher.changed(ALL)

    # --- building ----------------------------------------------------------------------------
    def _build_top(self) -> QHBoxLayout:
        top, self.year_spin, _label = year_row(self.state)
        self.leave_check = QCheckBox(TEXT["leave_counts"])
        self.leave_check.setToolTip(TEXT["leave_counts_tip"])
        self.leave_check.toggled.connect(self._leave_setting_changed)
        self.refresh_button = button(TEXT["refresh"], self.refresh)
        self.export_button = button(TEXT["export"], self.choose_export_file)
        self.progress = progress_bar(busy=True, width=160)
        top.addSpacing(16)
        top.addWidget(self.leave_check)
        top.addStretch(1)
        top.addWidget(self.progress)
        top.addWidget(self.refresh_button)
        top.addWidget(self.export_button)
        # 打印… / 另存为PDF…: the statistics as a PDF (app.reports.statistics_pdf)
        self.print_message = text_label()
        self.print_message.hide()
        self.printing = PrintActions(
            self, lambda: self.state.data_dir, self.printable, self._print_said, word=False
        )
        for widget in self.printing.buttons:
            top.addWidget(widget)
        return top

    def _build_summary(self) -> QFrame:
        self.summary_label = text_label()
        self.excellence_label = text_label()
        self.receipt_label = ReceiptStatusLabel(self.state)  # the township's 回执 on the year
        box = QFrame()
        box.setFrameShape(QFrame.Shape.StyledPanel)
        column(box, self.summary_label, self.excellence_label, self.receipt_label)
        return box

    def _build_members(self) -> QWidget:
        rate_col = MEMBER_HEADERS.index("参加率")
        self.member_model = StatsTableModel(MEMBER_HEADERS, {rate_col: tables.pct})
        self.member_view = tables.sortable_table(self.member_model)
        return self.member_view

    def _build_talks(self) -> QWidget:
        self.talk_model = StatsTableModel(tables.TALK_HEADERS)
        self.talk_view = tables.sortable_table(self.talk_model)
        self.talk_view.doubleClicked.connect(lambda *_: self.open_talk_dialog())
        self.record_talk_button = button(TEXT["record_talk"], self.open_talk_dialog)
        self.mark_done_button = button(
            TEXT["mark_done"], lambda: self.set_selected_talk_state(vocab.TALK_DONE)
        )
        self.mark_pending_button = button(
            TEXT["mark_pending"], lambda: self.set_selected_talk_state(vocab.TALK_PENDING)
        )
        self.talk_message = QLabel()
        self.talk_message.setStyleSheet(f"color: {ERROR_COLOR};")
        buttons = row(
            self.record_talk_button,
            self.mark_done_button,
            self.mark_pending_button,
            (self.talk_message, 1),
        )
        return panel(text_label(TEXT["talk_hint"]), buttons, self.talk_view, margins=None)

    def _build_basis(self) -> QWidget:
        self.basis_model = StatsTableModel(tables.BASIS_HEADERS)
        self.basis_view = tables.sortable_table(self.basis_model)
        self.basis_hint = text_label(TEXT["basis_hint"])
        self.basis_hint.setStyleSheet(BASIS_HINT_STYLE)
        return panel(self.basis_hint, self.basis_view, margins=None)

    # --- data ------------------------------------------------------------------------------
    def _today(self) -> dt.date:
        return self.today or dt.date.today()

    def refresh(self, *_: object) -> None:
        """Read the year afresh from the database and show it (刷新)."""
        self.state.forget()
        self._show()

    def _show(self) -> None:
        year = self.state.year
        self.stats = compute_statistics(self.state.year_data(), today=self.today)
        self.talks = talks_for_year(year)
        stats = self.stats
        self.leave_check.blockSignals(True)
        self.leave_check.setChecked(stats.leave_counts_as_absent)
        self.leave_check.blockSignals(False)
        self._show_summary(stats)
        self._show_tables(stats)
        self.chart_refresher.changed(ALL)

    def _show_summary(self, stats: YearStatistics) -> None:
        b = stats.branch
        months = "、".join(f"{m}月" for m in b.months_without_activity) or TEXT["none"]
        counts = {name: getattr(b, name) for name in ("planned", "held", "due", "not_submitted")}
        self.summary_label.setText(
            TEXT["summary"].format(
                year=stats.year,
                months=months,
                overdue=b.overdue_records,
                rate=tables.pct(b.attendance_rate),
                **counts,
            )
        )
        note = stats.excellence_note()
        if not b.planned and not b.held:
            # Nothing of this year was kept here (a branch new to the program, a year before it):
            # say so, rather than judge the branch on a ledger it never kept in this program.
            text, style = TEXT["nothing_kept"].format(year=stats.year), "nothing"
        elif note:
            text, style = "⚠ " + note, "warning"
        else:
            text, style = (TEXT["excellence_ok"] if b.months_elapsed else ""), "ok"
        self.excellence_label.setText(text)
        self.excellence_label.setStyleSheet(EXCELLENCE_STYLES[style])

    def _show_tables(self, stats: YearStatistics) -> None:
        today = self._today()
        members = stats.members
        self.member_model.set_rows(
            tables.member_rows(stats),
            [m.member_id for m in members],
            [tables.row_color(m) for m in members],
        )
        talk = stats.talk_reminder
        self.talk_model.set_rows(
            tables.talk_rows(stats, self.talks, today),
            [m.member_id for m in talk],
            [tables.row_color(m) for m in talk],
        )
        basis = stats.unqualified_basis
        self.basis_model.set_rows(
            tables.basis_rows(stats, self.talks, today),
            [m.member_id for m in basis],
            [tables.BASIS_COLOR] * len(basis),
        )
        for view in (self.member_view, self.talk_view, self.basis_view):
            # Fitted once, to the first rows shown (a sample of them: dialog_kit): the widths
            # suit every year after, and refitting 300 rows was most of a refresh.
            if view not in self._fitted and view.model().rowCount():
                view.resizeColumnsToContents()
                self._fitted.add(view)
        self.sections.setTabText(SEC_TALK, TEXT["sec_talk"].format(n=len(talk)))
        self.sections.setTabText(SEC_BASIS, TEXT["sec_basis"].format(n=len(basis)))
        self.talk_message.clear()

    # --- actions ---------------------------------------------------------------------------
    def _leave_setting_changed(self, checked: bool) -> None:
        set_leave_counts_as_absent(checked)
        self.state.changed.emit("branch")

    def latest_talk(self, member_id: int) -> TalkRecord | None:
        return tables.latest_talk(self.talks, member_id)

    def selected_talk_member(self) -> MemberStats | None:
        rows = self.talk_view.selectionModel().selectedRows()
        if not rows or self.stats is None:
            return None
        member_id = tables.source_key(self.talk_view, self.talk_model, rows[0].row())
        return next((m for m in self.stats.members if m.member_id == member_id), None)

    def select_talk_member(self, member_id: int) -> None:
        """Select a member's row in the 谈话提醒 list (also used by tests)."""
        for i in range(self.talk_view.model().rowCount()):
            if tables.source_key(self.talk_view, self.talk_model, i) == member_id:
                self.talk_view.selectRow(i)
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

    # --- printing ----------------------------------------------------------------------------
    def printable(self) -> Printable | None:
        """The statistics on screen, as a PDF (the same figures as the tables)."""
        from app.reports.statistics_pdf import render_statistics_pdf, statistics_title

        stats, talks = self.stats, self.talks
        if stats is None:
            return None
        branch = safe_stem(stats.branch.name, "党支部")
        return Printable(
            title=statistics_title(stats),
            stem=TEXT["pdf_stem"].format(branch=branch, year=stats.year),
            write_pdf=lambda out: render_statistics_pdf(stats, out, talks),
        )

    def _print_said(self, text: str) -> None:
        self.print_message.setText(text)
        self.print_message.setVisible(bool(text))

    # --- the workbook ----------------------------------------------------------------------
    def choose_export_file(self) -> None:
        if self.stats is None:
            return
        branch = safe_stem(self.stats.branch.name, "党支部")
        name = TEXT["export_name"].format(branch=branch, year=self.stats.year)
        path = choose_save_path(self, TEXT["export_title"], name, TEXT["export_filter"], ".xlsx")
        if path is not None:
            self.export_to(path)

    def _exporting(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.export_button.setEnabled(not busy)

    def export_to(self, out: Path) -> None:
        """Write the workbook off the UI thread; `exported` fires with the path ("" on error)."""
        from app.reports.statistics_xlsx import write_statistics_xlsx

        stats, talks = self.stats, self.talks
        if stats is None:
            return
        self._exporting(True)

        def work(progress):
            progress(0, 1, TEXT["exporting"])
            return write_statistics_xlsx(stats, out, talks)

        def done(path) -> None:
            self._exporting(False)
            window = self.window()
            if isinstance(window, QMainWindow):
                window.statusBar().showMessage(TEXT["exported"].format(path=path), 8000)
            self.exported.emit(str(path))

        def failed(message: str) -> None:
            self._exporting(False)
            self.exported.emit("")
            QMessageBox.warning(
                self, TEXT["export_title"], TEXT["export_failed"].format(error=message)
            )

        self._worker = run_in_background(work, done, failed)
