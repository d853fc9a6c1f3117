"""The 计划 tab (rules 1, 5, 6): generate the year's plan, edit and add entries, see the
checks beside the table, file the plan upward, print it or save it as PDF or Word
(`app.ui.printing`). The table is
`app.ui.plan_table`, one entry's dialog `app.ui.plan_entry_dialog`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.filenames import safe_stem
from app.models import vocab
from app.services import calendar as cal
from app.services import plan as plans
from app.services.ledger import ActivityRow, require_branch, year_activities
from app.ui.dates import CHINESE_FORMAT, date_edit, pydate
from app.ui.dialog_kit import (
    ERROR_STYLE,
    ask_yes_no,
    column,
    panel,
    read_only_table,
    side_by_side,
)
from app.ui.plan_entry_dialog import PlanEntryDialog
from app.ui.plan_table import COL_MONTH, COL_UNVERIFIED, WARN_COLOR, PlanTableModel
from app.ui.printing import Printable, PrintActions
from app.ui.state import ALL, AppState, watch
from app.ui.year_selector import year_row

__all__ = ["COL_MONTH", "COL_UNVERIFIED", "PlanEntryDialog", "PlanTab"]

TEXT = {
    "day": "活动日：",
    "days": ["按支部设置", "每月5日", "每月10日"],
    "generate": "生成本年度计划",
    "next_year": "制订{year}年计划 →",
    "late_no_plan": "本程序里没有{year}年度计划。已到年底，可以点“制订{next}年计划 →”先做明年的计划；"
    "{year}年已开展的活动如需补记，也可以在这里生成{year}年度计划后逐月登记。",
    "next_year_tip": "年底了：切换到{year}年，生成明年的党员活动日计划",
    "redate": "按所选活动日重排",
    "redate_tip": "支部改了党员活动日后：把今后尚未开展、且当月只有一次的活动移到新的日期（节假日照常顺延）",
    "redate_confirm": "把{year}年今后尚未开展的活动按“{day}”重新排定日期？已开展的和已过去的活动不变。",
    "redate_none": "没有需要调整的日期。",
    "redate_done": "已重排 {n} 次活动的日期：{changes}",
    "add": "新增活动",
    "edit": "修改",
    "delete": "删除",
    "no_plan": "还没有{year}年度计划。选择活动日后点击“生成本年度计划”。",
    "status": "计划状态：<b>{status}</b>",
    "no_plan_status": "尚未生成",
    "filed_on": "（{date} 已报送上级党组织备案）",
    "filed_date": "报送日期：",
    "file": "标记为已报送",
    "unfile": "改回草稿",
    "unfile_question": "把{year}年度计划改回草稿？\n记下的报送日期（{date}）会被清除；"
    "上级退回修改时才需要这样做。",
    "confirm": "我已核对这些日期",
    "confirm_question": "这 {n} 个日期标着“未核对节假日”，是因为本机还没有{year}年的正式放假安排"
    "（国务院办公厅一般在上一年11月至12月公布）。\n\n"
    "您已经对照正式公布的放假安排（含调休上班日）逐一核对过这些日期了吗？\n"
    "还没公布的话请选“否”，先按现在的日期用着，公布后再核对。",
    "confirm_question_official": "本机的节假日数据已有{year}年的正式放假安排，"
    "点“按正式节假日安排核对”可以自动核对这 {n} 个日期。\n\n"
    "您已经自己逐一核对过这些日期了吗？",
    "reconcile": "按正式节假日安排核对",
    "official_now": "已安装的节假日数据现在有{year}年的正式安排，{n} 个标“未核对节假日”的日期可以核对。",
    "checks": "检查",
    "no_problems": "未发现问题",
    "file_stem": "{branch}{year}年度党员活动日计划安排表",
    "missing_glyphs": "注意：字体中没有这些字，打印出来会缺字，请手写补全：{chars}",
    "delete_title": "删除活动",
    "delete_question": "从计划中删除 {date} 的“{theme}”？",
    "generated": "已生成{year}年度计划（{n} 次活动，草稿）。",
    "saved": "已保存。",
    "saved_note": "注意：",
    "deleted": "已从计划中删除（可在“文件 → 回收站”中恢复）。",
    "filed": "计划已标记为已报送。",
    "unfiled": "计划已改回草稿。",
    "confirmed": "已确认 {n} 个日期，不再标“未核对节假日”。",
    "reconciled": "已按正式安排核对，日期无需调整。",
    "no_filed_date": "无",
}

BANNER_STYLE = "background: #fff3cd; color: #7a4b00; padding: 6px; border: 1px solid #e0c36c;"
CALENDAR_STYLE = "background: #fde8e8; color: #8a1010; padding: 6px; border: 1px solid #e4a0a0;"
OK_COLOR = QColor("#1a7f37")
# Column widths that fit a 1366-pixel screen; 月份 repeats what 日期 says and is hidden, so
# 日期调整原因 (why a date moved) is not cut off.
COLUMN_WIDTHS = (36, 44, 66, 50, 90, 140, 170, 110, 80, 96)


class PlanTab(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.today: Callable[[], dt.date] = dt.date.today  # a clock the tests can pin
        self.entries: list[ActivityRow] = []

        splitter = self._build_table()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_top())
        layout.addWidget(self._build_deadline_banner())
        layout.addWidget(self._build_calendar_banner())
        layout.addLayout(self._build_filing())
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)

        # Refreshed while on view; behind another tab, when next shown (app.ui.state.watch).
        self.refresher = watch(state, self, self._update)
        self.refresher.changed(ALL)

    # --- building -----------------------------------------------------------------------------
    def _button(self, key: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(TEXT[key])
        button.clicked.connect(slot)
        return button

    def _build_top(self) -> QHBoxLayout:
        """Year, next year's plan, generate, add/edit/delete, print."""
        top, self.year_spin, _label = year_row(self.state)
        # Late in the year the secretary's job on this tab is next year's plan; one click there.
        self.next_year_button = QPushButton()
        self.next_year_button.clicked.connect(lambda: self.state.set_year(self.today().year + 1))
        self.day_combo = QComboBox()
        self.day_combo.addItems(TEXT["days"])
        self.generate_button = self._button("generate", self.generate)
        self.add_button = self._button("add", self.add_entry)
        self.edit_button = self._button("edit", self.edit_selected)
        self.delete_button = self._button("delete", self.delete_selected)
        top.addWidget(self.next_year_button)
        top.addSpacing(12)
        top.addWidget(QLabel(TEXT["day"]))
        top.addWidget(self.day_combo)
        top.addWidget(self.generate_button)
        top.addSpacing(12)
        for button in (self.add_button, self.edit_button, self.delete_button):
            top.addWidget(button)
        top.addStretch(1)
        return top

    def _build_deadline_banner(self) -> QLabel:
        self.deadline_banner = QLabel()
        self.deadline_banner.setWordWrap(True)
        self.deadline_banner.setStyleSheet(BANNER_STYLE)
        return self.deadline_banner

    def _build_calendar_banner(self) -> QWidget:
        """The holiday calendar: an unofficial year, or entries waiting for a check."""
        self.calendar_banner = QLabel()
        self.calendar_banner.setWordWrap(True)
        self.calendar_banner.setStyleSheet(CALENDAR_STYLE)
        self.confirm_button = self._button("confirm", self.confirm_holidays)
        self.reconcile_button = self._button("reconcile", self.reconcile)
        self.calendar_box = QWidget()
        row = QHBoxLayout(self.calendar_box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.calendar_banner, 1)
        row.addWidget(self.reconcile_button)
        row.addWidget(self.confirm_button)
        return self.calendar_box

    def _build_filing(self) -> QHBoxLayout:
        self.status_label = QLabel()
        self.filed_date_label = QLabel(TEXT["filed_date"])
        self.filed_date = date_edit(self.today(), CHINESE_FORMAT)
        self.file_button = self._button("file", self.file_plan)
        self.unfile_button = self._button("unfile", self.unfile_plan)
        self.filing_error = QLabel()
        self.filing_error.setStyleSheet(ERROR_STYLE)
        filing = QHBoxLayout()
        filing.addWidget(self.status_label)
        filing.addSpacing(12)
        for widget in (
            self.filed_date_label,
            self.filed_date,
            self.file_button,
            self.unfile_button,
            self.filing_error,
        ):
            filing.addWidget(widget)
        filing.addStretch(1)
        # 打印… / 另存为PDF… / 另存为Word…, once the plan is ready to be stamped and filed
        self.printing = PrintActions(
            self, lambda: self.state.data_dir, self.printable, self.message.setText
        )
        self.print_button = self.printing.print_button
        for widget in self.printing.buttons:
            filing.addWidget(widget)
        return filing

    def _build_table(self) -> QSplitter:
        """The plan and its checks side by side (the checks never pop up)."""
        self.model = PlanTableModel(self)
        self.model.today = lambda: self.today()  # the tab's clock, which tests pin
        self.view = read_only_table(self.model, fit=False)
        for col, width in enumerate(COLUMN_WIDTHS):
            self.view.setColumnWidth(col, width)
        self.view.setColumnHidden(COL_MONTH, True)
        self.view.doubleClicked.connect(lambda _index: self.edit_selected())
        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("color: #666; font-size: 14px; padding: 24px;")
        self.checks_list = QListWidget()
        self.checks_list.setWordWrap(True)
        self.checks_list.setSpacing(3)
        checks_box = QGroupBox(TEXT["checks"])
        column(checks_box, self.checks_list)
        left = panel(self.empty_label, (self.view, 1))
        splitter = side_by_side(left, checks_box, stretch=(4, 1), sizes=(1100, 190))
        return splitter

    # --- reading ------------------------------------------------------------------------------
    def _update(self, what: str) -> None:
        # Whatever the line said (已从计划中删除…) was about the data before this change; a
        # restore from 回收站 or another year must not leave it standing.
        self.message.clear()
        self._show()

    def refresh(self, *_: object) -> None:
        """Read the year afresh from the database and show it."""
        self.state.forget()
        self._show()

    def _show(self) -> None:
        year = self.state.year
        plan = plans.get_plan(year)
        self.entries = self.state.activities()  # the plan alone: no year of attendance read
        self.model.set_entries(self.entries)
        self.view.resizeRowsToContents()
        has_plan = plan is not None
        self.empty_label.setText(TEXT["no_plan"].format(year=year))
        self.empty_label.setVisible(not has_plan)
        self.generate_button.setText(TEXT["redate"] if has_plan else TEXT["generate"])
        self.generate_button.setToolTip(TEXT["redate_tip"] if has_plan else "")
        for button in (self.add_button, self.edit_button, self.delete_button):
            button.setEnabled(has_plan)
        self.printing.set_enabled(has_plan and not self.printing.busy)
        self._show_filing(year, plan)
        self._show_calendar(year)
        self._show_checks(year, has_plan)

    def _show_filing(self, year: int, plan) -> None:
        """Next year's plan offered late in the year; the filing status and the countdown to
        the deadline (rule 6)."""
        has_plan = plan is not None
        today = self.today()
        offer_next = plans.should_offer_next_year_plan(year, today)
        next_year = today.year + 1
        self.next_year_button.setText(TEXT["next_year"].format(year=next_year))
        self.next_year_button.setToolTip(TEXT["next_year_tip"].format(year=next_year))
        self.next_year_button.setVisible(offer_next)

        status = plan.status if plan else vocab.PLAN_DRAFT
        text = TEXT["status"].format(status=status if plan else TEXT["no_plan_status"])
        if plan is not None and plan.filed_date:
            text += TEXT["filed_on"].format(date=plan.filed_date.isoformat())
        self.status_label.setText(text)
        filed = status == vocab.PLAN_FILED
        for widget in (self.file_button, self.filed_date, self.filed_date_label):
            widget.setVisible(has_plan and not filed)
        self.unfile_button.setVisible(has_plan and filed)
        made = plan.status if plan is not None else None  # None: not generated yet
        banner = plans.filing_banner(year, made, require_branch().plan_deadline, today)
        if banner and not has_plan and offer_next:
            # Late in a year the program was not used for: point to next year's plan rather
            # than urge filing a plan for a year nearly over.
            banner = TEXT["late_no_plan"].format(year=year, next=next_year)
        self.deadline_banner.setText(banner or "")
        self.deadline_banner.setVisible(bool(banner))

    def _unverified(self) -> int:
        return sum(1 for a in self.entries if a.holidays_unverified)

    def _show_calendar(self, year: int) -> None:
        unverified = self._unverified()
        official = cal.is_official(year)
        if not official:
            notice = plans.calendar_notice(year)
        elif unverified:
            notice = TEXT["official_now"].format(year=year, n=unverified)
        else:
            notice = ""
        self.calendar_banner.setText(notice)
        self.calendar_box.setVisible(bool(notice))
        self.confirm_button.setVisible(unverified > 0)
        # The column only ever says 未核对节假日: shown while some date waits for that check.
        self.view.setColumnHidden(COL_UNVERIFIED, unverified == 0)
        self.reconcile_button.setVisible(official and unverified > 0)

    def _show_checks(self, year: int, has_plan: bool) -> None:
        self.checks_list.clear()
        if not has_plan:
            return
        problems = plans.plan_checks(year, self.entries)
        self.checks_list.addItems([f"• {p}" for p in problems] or [TEXT["no_problems"]])
        color = WARN_COLOR if problems else OK_COLOR
        for i in range(self.checks_list.count()):
            self.checks_list.item(i).setForeground(QBrush(color))

    def selected_activity(self) -> ActivityRow | None:
        rows = self.view.selectionModel().selectedRows()
        return self.entries[rows[0].row()] if rows else None

    def select_row(self, row: int) -> None:
        self.view.selectRow(row)

    # --- writing ------------------------------------------------------------------------------
    def _done(self, text: str, what: str = "plan") -> None:
        self.state.changed.emit(what)  # clears the line of an earlier change (_update)
        self.message.setText(text)

    def generate(self) -> None:
        day_mode = (None, vocab.DAY_FIFTH, vocab.DAY_TENTH)[self.day_combo.currentIndex()]
        if plans.get_plan(self.state.year) is not None:
            self.redate(day_mode)
            return
        try:
            plan = plans.create_plan(self.state.year, day_mode)
        except UserError as err:
            self.message.setText(err.message)
            return
        n = len(year_activities(plan.year))
        self._done(TEXT["generated"].format(year=plan.year, n=n))

    def redate(self, day_mode: str | None) -> None:
        question = TEXT["redate_confirm"].format(
            year=self.state.year, day=self.day_combo.currentText()
        )
        answer = QMessageBox.question(self, TEXT["redate"], question)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            changes = plans.redate_unheld(self.state.year, day_mode, since=self.today())
        except UserError as err:
            self.message.setText(err.message)
            return
        if not changes:
            self.message.setText(TEXT["redate_none"])
            return
        text = TEXT["redate_done"].format(n=len(changes), changes="；".join(changes))
        self._done(text, "activities")

    def entry_dialog(self, activity: ActivityRow | None = None) -> PlanEntryDialog:
        return PlanEntryDialog(self.state.year, activity, self)

    def edit_selected(self) -> None:
        activity = self.selected_activity()
        if activity is None:
            return
        dialog = self.entry_dialog(activity)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._after_entry(dialog)

    def add_entry(self) -> None:
        dialog = self.entry_dialog(None)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._after_entry(dialog)

    def _after_entry(self, dialog: PlanEntryDialog) -> None:
        text = TEXT["saved"]
        if dialog.warnings:
            text += TEXT["saved_note"] + "；".join(dialog.warnings)
        self._done(text, "activities")

    def delete_selected(self) -> None:
        activity = self.selected_activity()
        if activity is None:
            return
        answer = QMessageBox.question(
            self,
            TEXT["delete_title"],
            TEXT["delete_question"].format(
                date=cal.month_day(activity.plan_date), theme=activity.theme
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            plans.delete_plan_entry(activity.activity_id)
        except UserError as err:
            self.message.setText(err.message)
            return
        self._done(TEXT["deleted"], "activities")

    def file_plan(self) -> None:
        try:
            plans.file_plan(self.state.year, pydate(self.filed_date.date()))
        except UserError as err:
            self.filing_error.setText(err.message)
            return
        self.filing_error.clear()
        self._done(TEXT["filed"])

    def unfile_plan(self) -> None:
        plan = plans.get_plan(self.state.year)
        filed = plan.filed_date.isoformat() if plan is not None and plan.filed_date else None
        question = TEXT["unfile_question"].format(
            year=self.state.year, date=filed or TEXT["no_filed_date"]
        )
        if not ask_yes_no(self, TEXT["unfile"], question):
            return
        plans.unfile_plan(self.state.year)
        self._done(TEXT["unfiled"])

    def confirm_holidays(self) -> None:
        year = self.state.year
        key = "confirm_question_official" if cal.is_official(year) else "confirm_question"
        if not ask_yes_no(self, TEXT["confirm"], TEXT[key].format(n=self._unverified(), year=year)):
            return
        n = plans.confirm_holidays(year)
        self._done(TEXT["confirmed"].format(n=n), "activities")

    def reconcile(self) -> None:
        changes = plans.reconcile_with_calendar(self.state.year)
        self._done("；".join(changes) or TEXT["reconciled"], "activities")

    # --- printing ---------------------------------------------------------------------------
    def printable(self) -> Printable:
        """The year's plan as it stands (read here, on the UI thread; written off it)."""
        # reportlab and python-docx: loaded when first needed
        from app.reports.plan_docx import render_plan_docx
        from app.reports.plan_pdf import plan_missing_glyphs, plan_title, render_plan_pdf

        data = self.state.year_data()
        missing = plan_missing_glyphs(data)
        branch = safe_stem(data.branch.name, "党支部")
        return Printable(
            title=plan_title(data),
            stem=TEXT["file_stem"].format(branch=branch, year=data.year),
            write_pdf=lambda out: render_plan_pdf(data, out),
            write_docx=lambda out: render_plan_docx(data, out),
            note=TEXT["missing_glyphs"].format(chars="".join(missing)) if missing else "",
        )
