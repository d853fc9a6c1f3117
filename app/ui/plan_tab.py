"""The 计划 tab (SPEC rules 1, 5, 6): generate the year's plan, edit and add entries, see the
checks beside the table, file the plan upward, print the plan PDF."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.models import Activity, vocab
from app.services import calendar as cal
from app.services import plan as plans
from app.services.ledger import ActivityRow, load_year, require_branch
from app.ui.state import AppState
from app.ui.table_model import RowsTableModel
from app.ui.workers import run_in_background

TEXT = {
    "year": "年度：",
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
    "print": "打印计划表(PDF)",
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
    "save_pdf": "保存计划安排表",
    "pdf_filter": "PDF 文件 (*.pdf)",
    "pdf_name": "{branch}{year}年度党员活动日计划安排表.pdf",
    "printing": "正在生成 PDF…",
    "printed": "已保存：{path}",
    "missing_glyphs": "注意：字体中没有这些字，打印出来会缺字，请手写补全：{chars}",
    "print_failed": "生成 PDF 失败：{error}",
    "delete_title": "删除活动",
    "delete_question": "从计划中删除 {date} 的“{theme}”？",
    "held": "已开展 {date}",
    "not_held": "未开展",
    "pending": "待开展",  # the same words as the 记录 tab
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

# Entry dialog strings
ENTRY_TEXT = {
    "title_edit": "修改计划活动",
    "title_add": "新增计划活动",
    "date": "计划日期：",
    "reason": "日期调整原因：",
    "reason_hint": "如：10月5日为国庆节假期，顺延至10月8日",
    "theme": "活动主题：",
    "theme_hint": "可从本月建议主题中选择，也可自己填写",
    "categories": "计划内容类别：",
    "content": "主要内容：",
    "place": "地点：",
    "held_note": "这次活动已于 {date} 开展，计划日期不能再改。",
    "save": "保存",
    "cancel": "取消",
}

COL_MONTH = 1
COL_UNVERIFIED = 4
WARN_COLOR = QColor("#b00000")
NON_WORKING_BG = QColor("#fde8e8")


def _open_in_viewer(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class PlanTableModel(RowsTableModel):
    """The plan's rows; unverified dates in red, dates on non-working days shaded."""

    def __init__(self, parent=None):
        super().__init__(TEXT["headers"], parent)
        self.entries: list[ActivityRow] = []
        self.today: Callable[[], dt.date] = dt.date.today

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
                    TEXT["held"].format(date=a.held_date.isoformat())
                    if a.held_date
                    else TEXT["not_held"]
                    if d < self.today()
                    else TEXT["pending"],
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
        if role == Qt.ItemDataRole.BackgroundRole and index.column() in (2, 3):
            if not cal.is_working_day(entry.plan_date):
                return QBrush(NON_WORKING_BG)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (2, 3):
            return plans.date_warning(entry.plan_date)
        return super().data(index, role)


class PlanEntryDialog(QDialog):
    """Edit one planned activity or add one. Never closes on invalid input: the message shows
    under the form, next to what needs fixing."""

    def __init__(
        self,
        year: int,
        activity: Activity | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        t = ENTRY_TEXT
        self.year = year
        self.activity = activity
        self.warnings: list[str] = []
        self.setWindowTitle(t["title_edit"] if activity else t["title_add"])
        self.setMinimumWidth(520)

        start = activity.plan_date if activity else self._default_date()
        self.date_edit = QDateEdit(_qdate(start))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy年M月d日")
        self.date_edit.setDateRange(QDate(year, 1, 1), QDate(year, 12, 31))
        self.date_warning = QLabel()
        self.date_warning.setStyleSheet("color: #b00000;")
        self.date_warning.setWordWrap(True)
        self.reason_edit = QLineEdit((activity.plan_reason or "") if activity else "")
        self.reason_edit.setPlaceholderText(t["reason_hint"])
        self.theme_combo = QComboBox()
        self.theme_combo.setEditable(True)
        self.theme_combo.lineEdit().setPlaceholderText(t["theme_hint"])
        self.theme_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.content_edit = QPlainTextEdit(activity.planned_content if activity else "")
        self.content_edit.setTabChangesFocus(True)
        self.content_edit.setFixedHeight(80)
        self.place_edit = QLineEdit(activity.place if activity else "")
        self.category_boxes: dict[str, QCheckBox] = {}
        categories = QGridLayout()  # three boxes a row, so no label is clipped
        chosen = set(activity.categories) if activity else set(plans.DEFAULT_CATEGORIES)
        row = 0
        for group, names in vocab.CONTENT_CATEGORIES.items():
            categories.addWidget(QLabel(f"{group}："), row, 0)
            for i, name in enumerate(names):
                box = QCheckBox(name)
                box.setChecked(name in chosen)
                self.category_boxes[name] = box
                categories.addWidget(box, row + i // 3, 1 + i % 3)
            row += (len(names) + 2) // 3

        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b00000; font-weight: bold;")
        self.error_label.setWordWrap(True)

        form = QFormLayout()
        form.addRow(t["date"], self.date_edit)
        form.addRow("", self.date_warning)
        if activity is not None and activity.is_held:
            self.date_edit.setEnabled(False)
            form.addRow("", QLabel(t["held_note"].format(date=activity.held_date.isoformat())))
        form.addRow(t["reason"], self.reason_edit)
        form.addRow(t["theme"], self.theme_combo)
        form.addRow(t["categories"], categories)
        form.addRow(t["content"], self.content_edit)
        form.addRow(t["place"], self.place_edit)

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(t["save"], QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(t["cancel"], QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

        self._fill_themes(start.month)
        self.theme_combo.setCurrentText(activity.theme if activity else "")
        self.theme_combo.activated.connect(self._suggestion_chosen)
        self.date_edit.dateChanged.connect(self._date_changed)
        self._show_date_warning()

    def _default_date(self) -> dt.date:
        today = dt.date.today()
        return today if today.year == self.year else dt.date(self.year, 1, 1)

    def _fill_themes(self, month: int) -> None:
        current = self.theme_combo.currentText()
        self.suggestions = plans.suggested_themes(month)
        self.theme_combo.clear()
        self.theme_combo.addItems([s.theme for s in self.suggestions])
        self.theme_combo.setCurrentText(current)

    def _suggestion_chosen(self, index: int) -> None:
        if not 0 <= index < len(self.suggestions):
            return
        s = self.suggestions[index]
        if not self.content_edit.toPlainText().strip():
            self.content_edit.setPlainText(s.content)
        if s.categories:
            for name, box in self.category_boxes.items():
                box.setChecked(name in s.categories)

    def _date_changed(self, value: QDate) -> None:
        day = _pydate(value)
        self._fill_themes(day.month)
        self._show_date_warning()

    def _show_date_warning(self) -> None:
        warning = plans.date_warning(_pydate(self.date_edit.date()))
        self.date_warning.setText(f"注意：{warning}" if warning else "")
        self.date_warning.setVisible(bool(warning))

    def entry(self) -> plans.PlanEntry:
        return plans.PlanEntry(
            plan_date=_pydate(self.date_edit.date()),
            theme=self.theme_combo.currentText(),
            plan_reason=self.reason_edit.text(),
            categories=[n for n, box in self.category_boxes.items() if box.isChecked()],
            planned_content=self.content_edit.toPlainText(),
            place=self.place_edit.text(),
        )

    def save(self) -> None:
        try:
            if self.activity is not None:
                self.warnings = plans.update_plan_entry(self.activity.id, self.entry())
            else:
                _, self.warnings = plans.add_plan_entry(self.year, self.entry())
        except UserError as err:
            self.error_label.setText(err.message)
            widget = {
                "plan_date": self.date_edit,
                "theme": self.theme_combo,
                "categories": self.content_edit,
            }.get(err.field or "")
            if widget is not None:
                widget.setFocus()
            return
        self.accept()


class PlanTab(QWidget):
    printed = Signal(str)  # the PDF path, or "" when printing failed

    def __init__(self, state: AppState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.today: Callable[[], dt.date] = dt.date.today  # a clock the tests can pin
        self.entries: list[ActivityRow] = []
        self._worker = None
        self.open_file: Callable[[Path], None] = _open_in_viewer

        # --- top bar: year, generate, edit, print
        self.year_spin = QSpinBox()
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue(state.year)
        self.year_spin.valueChanged.connect(state.set_year)
        # Late in the year the secretary's job on this tab is next year's plan; one click there.
        self.next_year_button = QPushButton()
        self.next_year_button.clicked.connect(lambda: state.set_year(self.today().year + 1))
        self.day_combo = QComboBox()
        self.day_combo.addItems(TEXT["days"])
        self.generate_button = QPushButton(TEXT["generate"])
        self.generate_button.clicked.connect(self.generate)
        self.add_button = QPushButton(TEXT["add"])
        self.add_button.clicked.connect(self.add_entry)
        self.edit_button = QPushButton(TEXT["edit"])
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button = QPushButton(TEXT["delete"])
        self.delete_button.clicked.connect(self.delete_selected)
        self.print_button = QPushButton(TEXT["print"])
        self.print_button.clicked.connect(self.choose_pdf)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(120)
        self.progress.hide()
        top = QHBoxLayout()
        top.addWidget(QLabel(TEXT["year"]))
        top.addWidget(self.year_spin)
        top.addWidget(self.next_year_button)
        top.addSpacing(12)
        top.addWidget(QLabel(TEXT["day"]))
        top.addWidget(self.day_combo)
        top.addWidget(self.generate_button)
        top.addSpacing(12)
        for button in (self.add_button, self.edit_button, self.delete_button):
            top.addWidget(button)
        top.addStretch(1)
        top.addWidget(self.progress)
        top.addWidget(self.print_button)

        # --- banners: deadline countdown, holiday calendar notice
        self.deadline_banner = QLabel()
        self.deadline_banner.setWordWrap(True)
        self.deadline_banner.setStyleSheet(
            "background: #fff3cd; color: #7a4b00; padding: 6px; border: 1px solid #e0c36c;"
        )
        self.calendar_banner = QLabel()
        self.calendar_banner.setWordWrap(True)
        self.calendar_banner.setStyleSheet(
            "background: #fde8e8; color: #8a1010; padding: 6px; border: 1px solid #e4a0a0;"
        )
        self.confirm_button = QPushButton(TEXT["confirm"])
        self.confirm_button.clicked.connect(self.confirm_holidays)
        self.reconcile_button = QPushButton(TEXT["reconcile"])
        self.reconcile_button.clicked.connect(self.reconcile)
        calendar_row = QHBoxLayout()
        calendar_row.addWidget(self.calendar_banner, 1)
        calendar_row.addWidget(self.reconcile_button)
        calendar_row.addWidget(self.confirm_button)
        self.calendar_box = QWidget()
        self.calendar_box.setLayout(calendar_row)
        calendar_row.setContentsMargins(0, 0, 0, 0)

        # --- filing
        self.status_label = QLabel()
        self.filed_date = QDateEdit(_qdate(self.today()))
        self.filed_date.setCalendarPopup(True)
        self.filed_date.setDisplayFormat("yyyy年M月d日")
        self.file_button = QPushButton(TEXT["file"])
        self.file_button.clicked.connect(self.file_plan)
        self.unfile_button = QPushButton(TEXT["unfile"])
        self.unfile_button.clicked.connect(self.unfile_plan)
        self.filing_error = QLabel()
        self.filing_error.setStyleSheet("color: #b00000;")
        filing = QHBoxLayout()
        filing.addWidget(self.status_label)
        filing.addSpacing(12)
        self.filed_date_label = QLabel(TEXT["filed_date"])
        filing.addWidget(self.filed_date_label)
        filing.addWidget(self.filed_date)
        filing.addWidget(self.file_button)
        filing.addWidget(self.unfile_button)
        filing.addWidget(self.filing_error)
        filing.addStretch(1)

        # --- table and checks side by side
        self.model = PlanTableModel(self)
        self.model.today = lambda: self.today()  # the tab's clock, which tests pin
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setWordWrap(True)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((36, 44, 66, 50, 90, 140, 170, 110, 80, 96)):
            self.view.setColumnWidth(col, width)
        # 月份 repeats what 日期 says; hidden so 日期调整原因 (why a date moved) is not cut off
        # on a 1366-pixel screen.
        self.view.setColumnHidden(COL_MONTH, True)
        self.view.doubleClicked.connect(lambda _index: self.edit_selected())
        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("color: #666; font-size: 14px; padding: 24px;")

        self.checks_list = QListWidget()
        self.checks_list.setWordWrap(True)
        self.checks_list.setSpacing(3)
        checks_box = QGroupBox(TEXT["checks"])
        checks_layout = QVBoxLayout(checks_box)
        checks_layout.addWidget(self.checks_list)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.empty_label)
        left_layout.addWidget(self.view, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(checks_box)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([1100, 190])

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.deadline_banner)
        layout.addWidget(self.calendar_box)
        layout.addLayout(filing)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)

        state.changed.connect(self.refresh)
        state.year_changed.connect(self._year_changed)
        self.refresh()

    # --- reading ------------------------------------------------------------------------------
    def _year_changed(self, year: int) -> None:
        if self.year_spin.value() != year:
            self.year_spin.setValue(year)
        self.message.clear()
        self.refresh()

    def refresh(self, *_: object) -> None:
        year = self.state.year
        plan = plans.get_plan(year)
        data = load_year(year)
        self.entries = sorted(data.activities, key=lambda a: (a.plan_date, a.activity_id))
        self.model.set_entries(self.entries)
        self.view.resizeRowsToContents()
        has_plan = plan is not None

        today = self.today()
        next_year = today.year + 1
        self.next_year_button.setText(TEXT["next_year"].format(year=next_year))
        self.next_year_button.setToolTip(TEXT["next_year_tip"].format(year=next_year))
        self.next_year_button.setVisible(
            year == today.year and today.month >= 10 and plans.get_plan(next_year) is None
        )
        self.empty_label.setText(TEXT["no_plan"].format(year=year))
        self.empty_label.setVisible(not has_plan)
        self.generate_button.setText(TEXT["redate"] if has_plan else TEXT["generate"])
        self.generate_button.setToolTip(TEXT["redate_tip"] if has_plan else "")
        for button in (self.add_button, self.edit_button, self.delete_button, self.print_button):
            button.setEnabled(has_plan)

        # Filing status and the countdown banner (rule 6)
        status = plan.status if plan else vocab.PLAN_DRAFT
        text = TEXT["status"].format(status=status if plan else TEXT["no_plan_status"])
        if plan is not None and plan.filed_date:
            text += TEXT["filed_on"].format(date=plan.filed_date.isoformat())
        self.status_label.setText(text)
        filed = status == vocab.PLAN_FILED
        self.file_button.setVisible(has_plan and not filed)
        self.filed_date.setVisible(has_plan and not filed)
        self.filed_date_label.setVisible(has_plan and not filed)
        self.unfile_button.setVisible(has_plan and filed)
        banner = plans.filing_banner(year, status, require_branch().plan_deadline, self.today())
        if banner and not has_plan and self.next_year_button.isVisibleTo(self):
            # Late in a year the program was not used for: point to next year's plan rather
            # than urge filing a plan for a year nearly over.
            banner = TEXT["late_no_plan"].format(year=year, next=next_year)
        self.deadline_banner.setText(banner or "")
        self.deadline_banner.setVisible(bool(banner))

        # Holiday calendar: unofficial year, or entries waiting for a check
        unverified = sum(1 for a in self.entries if a.holidays_unverified)
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

        # Checks beside the plan, never a pop-up
        self.checks_list.clear()
        if has_plan:
            problems = plans.plan_checks(year, self.entries)
            self.checks_list.addItems([f"• {p}" for p in problems] or [TEXT["no_problems"]])
            color = WARN_COLOR if problems else QColor("#1a7f37")
            for i in range(self.checks_list.count()):
                self.checks_list.item(i).setForeground(QBrush(color))

    def selected_activity(self) -> Activity | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return Activity.get_or_none(Activity.id == self.model.key_at(rows[0].row()))

    def select_row(self, row: int) -> None:
        self.view.selectRow(row)

    # --- writing ------------------------------------------------------------------------------
    def _done(self, text: str, what: str = "plan") -> None:
        self.message.setText(text)
        self.state.changed.emit(what)

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
        self._done(f"已生成{plan.year}年度计划（{plan.activities.count()} 次活动，草稿）。")

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

    def entry_dialog(self, activity: Activity | None = None) -> PlanEntryDialog:
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
        text = "已保存。"
        if dialog.warnings:
            text += "注意：" + "；".join(dialog.warnings)
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
            plans.delete_plan_entry(activity.id)
        except UserError as err:
            self.message.setText(err.message)
            return
        self._done("已从计划中删除（可在“文件 → 回收站”中恢复）。", "activities")

    def file_plan(self) -> None:
        try:
            plans.file_plan(self.state.year, _pydate(self.filed_date.date()))
        except UserError as err:
            self.filing_error.setText(err.message)
            return
        self.filing_error.clear()
        self._done("计划已标记为已报送。")

    def unfile_plan(self) -> None:
        plan = plans.get_plan(self.state.year)
        filed = plan.filed_date.isoformat() if plan is not None and plan.filed_date else "无"
        answer = QMessageBox.question(
            self,
            TEXT["unfile"],
            TEXT["unfile_question"].format(year=self.state.year, date=filed),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        plans.unfile_plan(self.state.year)
        self._done("计划已改回草稿。")

    def confirm_holidays(self) -> None:
        unverified = sum(1 for a in self.entries if a.holidays_unverified)
        answer = QMessageBox.question(
            self,
            TEXT["confirm"],
            TEXT[
                "confirm_question_official"
                if cal.is_official(self.state.year)
                else "confirm_question"
            ].format(n=unverified, year=self.state.year),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        n = plans.confirm_holidays(self.state.year)
        self._done(f"已确认 {n} 个日期，不再标“未核对节假日”。", "activities")

    def reconcile(self) -> None:
        changes = plans.reconcile_with_calendar(self.state.year)
        self._done("；".join(changes) or "已按正式安排核对，日期无需调整。", "activities")

    # --- printing -----------------------------------------------------------------------------
    def choose_pdf(self) -> None:
        branch = require_branch()
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        name = TEXT["pdf_name"].format(branch=branch.name, year=self.state.year)
        path, _ = QFileDialog.getSaveFileName(
            self, TEXT["save_pdf"], str(Path(folder) / name), TEXT["pdf_filter"]
        )
        if path:
            self.print_to(Path(path))

    def print_to(self, path: Path) -> None:
        """Read the year here (UI thread), render the PDF on the thread pool."""
        data = load_year(self.state.year)
        self.progress.show()
        self.print_button.setEnabled(False)
        self.message.setText(TEXT["printing"])

        def done(result: object) -> None:
            self.progress.hide()
            self.print_button.setEnabled(True)
            text = TEXT["printed"].format(path=result)
            if missing:
                text += "\n" + TEXT["missing_glyphs"].format(chars="".join(missing))
            self.message.setText(text)
            self.open_file(Path(str(result)))  # ready to print, as the 记录表 is
            self.printed.emit(str(result))

        def failed(error: str) -> None:
            self.progress.hide()
            self.print_button.setEnabled(True)
            self.message.setText(TEXT["print_failed"].format(error=error))
            self.printed.emit("")

        # reportlab: loaded when first needed
        from app.reports.plan_pdf import plan_missing_glyphs, render_plan_pdf

        missing = plan_missing_glyphs(data)

        self._worker = run_in_background(
            lambda _progress: render_plan_pdf(data, path), done, failed
        )
