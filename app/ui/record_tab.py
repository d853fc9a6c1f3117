"""The 记录 tab (SPEC rules 2-5 and 7): the year's activities with their 报送 state, and the editor
for one record — held date and time, place, mode, theme, content, cost, 报送, attachments — with
the computed 应参加/实际参加 figures, the warnings, and printing the 记录表 PDF."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    QSize,
    Qt,
    QTime,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QDesktopServices, QIcon, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.models import Activity, AnnualPlan, Attachment, vocab
from app.services import records
from app.services.content import fill_template, list_templates
from app.services.records import RecordInput
from app.ui.icons import icon
from app.ui.state import AppState, year_selector
from app.ui.table_model import RowsTableModel
from app.ui.workers import run_in_background

TEXT = {
    "headers": ["月份", "计划日期", "开展日期", "主题", "状态"],
    "year": "年度：",
    "not_held_tip": "计划日期已过，还没有登记开展：开展了请勾选“已开展”并填写记录。",
    "no_plan": "{year}年还没有活动计划：请先在“计划”页生成本年度计划。",
    "pick": "请在左侧选择一次活动。",
    "heading": "{month}月党日活动　计划日期 {plan}",
    "plan_reason": "（{reason}）",
    "held": "已开展",
    "held_date": "开展日期：",
    "time": "活动时间：",
    "to": "至",
    "held_reason": "改期原因：",
    "held_reason_hint": "开展日期与计划不同时填写，如：5日遇暴雨，改至6日",
    "theme": "活动主题：",
    "place": "活动地点：",
    "place_hint": "如：村党员活动室；线上活动可填平台，如“微信群”",
    "place_type": "场所类型：",
    "mode": "活动形式：",
    "partner": "联合开展：",
    "partner_hint": "与结对共建党组织联合开展时填写对方名称",
    "categories": "内容类别：",
    "content": "活动内容：",
    "template": "使用模板",
    "template_pick": "选择内容模板…",
    "template_replace": "（已替换原有内容，可按 Ctrl+Z 撤销）",
    "cost": "活动经费：",
    "cost_hint": "元，没有可留空",
    "submitted": "已报送上级党组织",
    "submitted_date": "报送日期：",
    "deadline": "应于 {date} 前报送（活动后3日内）",
    "attendance": "参加党员情况",
    "figures": "应参加党员 <b>{expected}</b> 人，实际参加党员 <b>{took}</b> 人",
    "not_entered": "还没有登记这次活动的考勤：应参加党员 {expected} 人，实际参加人数登记考勤后自动计算。",
    "no_members": "花名册上还没有在册党员：请先到“花名册/考勤”页新增或导入党员，再登记考勤。",
    "partly_entered": "还有 {n} 名党员没有登记考勤：{names}",
    "non_members": "列席（不计入党员人数）：{names}",
    "no_non_members": "列席：无",
    "go_attendance": "登记考勤…",
    "warnings": "提醒",
    "attachments": "照片和资料（有资料）",
    "add_photo": "添加照片…",
    "add_scan": "添加签名表扫描件…",
    "add_other": "添加其他材料…",
    "open": "打开",
    "remove": "删除",
    "pick_files": "选择文件",
    "image_filter": "图片 (*.jpg *.jpeg *.png *.bmp *.gif *.webp);;所有文件 (*)",
    "scan_filter": "扫描件 (*.pdf *.jpg *.jpeg *.png *.tif *.tiff);;所有文件 (*)",
    "any_filter": "所有文件 (*)",
    "save": "保存记录",
    "two_copies": "一式两份",
    "print": "打印记录表(PDF)",
    "saved": "已保存。",
    "printing": "正在生成记录表 PDF…",
    "printed": "已生成：{path}",
    "print_failed": "生成 PDF 失败：{error}",
    "missing_glyphs": "注意：字体中没有这些字，打印出来会缺字，请手写补全：{chars}",
    "pdf_name": "{date}-{theme}-记录表.pdf",
    "remove_title": "删除材料",
    "remove_question": "从这次活动的资料中删除“{name}”（{kind}）？\n删除后本程序里的这份文件不能恢复"
    "（您原来选的文件不受影响）。",
    "unsaved_title": "记录还没有保存",
    "unsaved_question": "“{theme}”的记录有改动还没有保存。\n保存后再关闭吗？",
}

NOT_HELD = "未开展"
ERROR_STYLE = "color: #b00000;"
WARN_STYLE = "color: #9a5b00;"
STATE_COLORS = {
    records.STATE_OVERDUE: QColor("#b00000"),
    records.STATE_HELD: QColor("#9a5b00"),
    records.STATE_SUBMITTED: QColor("#1d6b2a"),
    records.STATE_PENDING: QColor("#666666"),
}
THUMB = QSize(96, 96)
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp"}


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def _pytime(value: QTime) -> dt.time:
    return dt.time(value.hour(), value.minute())


def open_in_viewer(path: Path) -> None:
    """Open a file in the system's viewer (the PDF reader, the photo viewer)."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class RecordListModel(RowsTableModel):
    """The year's activities; the state column coloured (overdue in red)."""

    def __init__(self, parent=None):
        super().__init__(TEXT["headers"], parent)
        self.states: list[str] = []
        self.missed: list[bool] = []

    def set_activities(self, acts: list[Activity], today: dt.date) -> None:
        self.states = [records.record_state(a, today) for a in acts]
        # Not held and its planned day is past: 未开展 (as the plan tab says), not 待开展.
        self.missed = [
            state == records.STATE_PENDING and a.plan_date < today
            for a, state in zip(acts, self.states, strict=True)
        ]
        self.set_rows(
            [
                (
                    f"{a.plan_date.month}月",
                    a.plan_date.isoformat(),
                    a.held_date.isoformat() if a.held_date else "",
                    a.theme,
                    NOT_HELD if missed else state,
                )
                for a, state, missed in zip(acts, self.states, self.missed, strict=True)
            ],
            [a.id for a in acts],
        )

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and index.column() == 4:
            if role == Qt.ItemDataRole.ForegroundRole:
                if self.missed[index.row()]:
                    return QBrush(STATE_COLORS[records.STATE_HELD])
                return QBrush(STATE_COLORS[self.states[index.row()]])
            if role == Qt.ItemDataRole.ToolTipRole and self.missed[index.row()]:
                return TEXT["not_held_tip"]
        return super().data(index, role)


class RecordEditor(QWidget):
    """The form for one record. Typed text stays when a save fails; the message shows next to
    the field it is about."""

    saved = Signal(int)
    attendance_requested = Signal(int)
    error_shown = Signal(QWidget)

    def __init__(self, state: AppState, today: Callable[[], dt.date], parent=None):
        super().__init__(parent)
        self.state = state
        self.today = today
        self.activity_id: int | None = None
        self.plan_date: dt.date | None = None
        self.dirty = False
        self.open_file: Callable[[Path], None] = open_in_viewer
        self.errors: dict[str, QLabel] = {}
        self._loading = False
        self._worker = None
        self._row = None  # the record's ActivityRow, for warnings on what is on screen
        self.last_pdf: Path | None = None
        self._build()

    # --- layout ------------------------------------------------------------------------------
    def _field(self, form: QFormLayout, label: str, widget: QWidget, key: str) -> None:
        """A form row with an error line under the field (hidden until there is a message)."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        error = QLabel()
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        column.addWidget(error)
        self.errors[key] = error
        form.addRow(label, box)

    def _build(self) -> None:
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.heading.setWordWrap(True)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.held_check = QCheckBox(TEXT["held"])
        self.held_date = QDateEdit()
        self.held_date.setCalendarPopup(True)
        self.held_date.setDisplayFormat("yyyy-MM-dd")
        held_row = QWidget()
        h = QHBoxLayout(held_row)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(self.held_check)
        h.addWidget(self.held_date)
        h.addStretch(1)
        self._field(form, TEXT["held_date"], held_row, "held_date")

        self.start_time = QTimeEdit()
        self.end_time = QTimeEdit()
        for edit in (self.start_time, self.end_time):
            edit.setDisplayFormat("HH:mm")
        time_row = QWidget()
        h = QHBoxLayout(time_row)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(self.start_time)
        h.addWidget(QLabel(TEXT["to"]))
        h.addWidget(self.end_time)
        h.addStretch(1)
        self._field(form, TEXT["time"], time_row, "end_time")

        self.held_reason = QLineEdit()
        self.held_reason.setPlaceholderText(TEXT["held_reason_hint"])
        self._field(form, TEXT["held_reason"], self.held_reason, "held_reason")

        self.theme = QLineEdit()
        self._field(form, TEXT["theme"], self.theme, "theme")

        self.place = QLineEdit()
        self.place.setPlaceholderText(TEXT["place_hint"])
        self._field(form, TEXT["place"], self.place, "place")

        self.place_type = QComboBox()
        self.place_type.setEditable(True)
        self.place_type.addItems(["", *vocab.PLACE_TYPES])
        self._field(form, TEXT["place_type"], self.place_type, "place_type")

        self.mode = QComboBox()
        self.mode.addItems(list(vocab.MODES))
        self._field(form, TEXT["mode"], self.mode, "mode")

        self.partner = QLineEdit()
        self.partner.setPlaceholderText(TEXT["partner_hint"])
        self._field(form, TEXT["partner"], self.partner, "partner_org")

        self.category_checks: dict[str, QCheckBox] = {}
        groups = QWidget()
        g = QHBoxLayout(groups)
        g.setContentsMargins(0, 0, 0, 0)
        for group, names in vocab.CONTENT_CATEGORIES.items():
            box = QGroupBox(group)
            column = QVBoxLayout(box)
            for name in names:
                check = QCheckBox(name)
                self.category_checks[name] = check
                column.addWidget(check)
            column.addStretch(1)
            g.addWidget(box)
        self._field(form, TEXT["categories"], groups, "categories")

        self.templates = list_templates()
        self.template_box = QComboBox()
        self.template_box.addItem(TEXT["template_pick"], None)
        for t in self.templates:
            self.template_box.addItem(t.title, t.name)
        self.template_button = QPushButton(TEXT["template"])
        self.template_button.clicked.connect(self.apply_template)
        self.content = QPlainTextEdit()
        self.content.setTabChangesFocus(True)  # Tab moves on to 经费, as in every other field
        self.content.setMinimumHeight(180)
        content_box = QWidget()
        c = QVBoxLayout(content_box)
        c.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.template_box, 1)
        row.addWidget(self.template_button)
        c.addLayout(row)
        c.addWidget(self.content)
        self._field(form, TEXT["content"], content_box, "content")

        self.cost = QLineEdit()
        self.cost.setPlaceholderText(TEXT["cost_hint"])
        self.cost.setMaximumWidth(160)
        self._field(form, TEXT["cost"], self.cost, "cost")

        self.submitted_check = QCheckBox(TEXT["submitted"])
        self.submitted_date = QDateEdit()
        self.submitted_date.setCalendarPopup(True)
        self.submitted_date.setDisplayFormat("yyyy-MM-dd")
        self.deadline_label = QLabel()
        sub_row = QWidget()
        h = QHBoxLayout(sub_row)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(self.submitted_check)
        h.addWidget(self.submitted_date)
        h.addWidget(self.deadline_label)
        h.addStretch(1)
        self._field(form, TEXT["submitted_date"], sub_row, "submitted_date")

        # Attendance figures: computed from the 考勤 of this activity, never typed.
        self.attendance_box = QGroupBox(TEXT["attendance"])
        a = QVBoxLayout(self.attendance_box)
        self.figures = QLabel()
        self.figures.setWordWrap(True)
        self.non_members = QLabel()
        self.non_members.setWordWrap(True)
        self.attendance_button = QPushButton(icon("fa5s.user-check"), TEXT["go_attendance"])
        self.attendance_button.clicked.connect(
            lambda: self.activity_id and self.attendance_requested.emit(self.activity_id)
        )
        a.addWidget(self.figures)
        a.addWidget(self.non_members)
        a.addWidget(self.attendance_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet(WARN_STYLE)

        self.attach_box = QGroupBox(TEXT["attachments"])
        b = QVBoxLayout(self.attach_box)
        self.attach_list = QListWidget()
        self.attach_list.setViewMode(QListWidget.ViewMode.IconMode)
        self.attach_list.setIconSize(THUMB)
        self.attach_list.setGridSize(QSize(THUMB.width() + 64, THUMB.height() + 44))
        self.attach_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.attach_list.setMovement(QListWidget.Movement.Static)
        self.attach_list.setWordWrap(True)
        self.attach_list.setMinimumHeight(THUMB.height() + 56)
        self.attach_list.itemDoubleClicked.connect(lambda _: self.open_attachment())
        b.addWidget(self.attach_list)
        row = QHBoxLayout()
        for key, kind, filt in (
            ("add_photo", "照片", "image_filter"),
            ("add_scan", "签名表扫描件", "scan_filter"),
            ("add_other", "其他材料", "any_filter"),
        ):
            button = QPushButton(TEXT[key])
            button.clicked.connect(lambda _=False, k=kind, f=filt: self._pick_attachments(k, f))
            row.addWidget(button)
        self.open_button = QPushButton(icon("fa5s.external-link-alt"), TEXT["open"])
        self.open_button.clicked.connect(self.open_attachment)
        self.remove_button = QPushButton(icon("fa5s.trash-alt"), TEXT["remove"])
        self.remove_button.clicked.connect(self.remove_attachment)
        row.addStretch(1)
        row.addWidget(self.open_button)
        row.addWidget(self.remove_button)
        b.addLayout(row)
        self.attach_error = QLabel()
        self.attach_error.setStyleSheet(ERROR_STYLE)
        self.attach_error.hide()
        self.errors["attachment"] = self.attach_error
        b.addWidget(self.attach_error)

        self.save_button = QPushButton(icon("fa5s.save"), TEXT["save"])
        self.save_button.clicked.connect(self.save)
        self.two_copies = QCheckBox(TEXT["two_copies"])
        self.two_copies.setChecked(True)
        self.print_button = QPushButton(icon("fa5s.print"), TEXT["print"])
        self.print_button.clicked.connect(self.print_form)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(140)
        self.progress.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.general_error = QLabel()
        self.general_error.setStyleSheet(ERROR_STYLE)
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        self.errors[""] = self.general_error
        self.save_button.setShortcut(QKeySequence.StandardKey.Save)
        self.save_button.setToolTip("Ctrl+S")
        # Save and print stay in sight under the scrolling form (RecordTab puts this bar below
        # the scroll area): on a 768-pixel screen they were a long scroll down.
        self.action_bar = QWidget()
        bar = QVBoxLayout(self.action_bar)
        bar.setContentsMargins(6, 4, 6, 4)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.two_copies)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.progress)
        bar.addWidget(self.general_error)
        bar.addLayout(buttons)
        bar.addWidget(self.message)
        self.action_bar.hide()

        self.body = QWidget()
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.attendance_box)
        layout.addWidget(self.warnings)
        layout.addLayout(form)
        layout.addWidget(self.attach_box)

        self.placeholder = QLabel(TEXT["pick"])
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer = QVBoxLayout(self)
        outer.addWidget(self.placeholder)
        outer.addWidget(self.body)
        self.body.hide()

        self.held_check.toggled.connect(self._held_toggled)
        self.submitted_check.toggled.connect(self._submitted_toggled)
        for signal in (
            self.held_check.toggled,
            self.held_date.dateChanged,
            self.start_time.timeChanged,
            self.end_time.timeChanged,
            self.held_reason.textChanged,
            self.theme.textChanged,
            self.place.textChanged,
            self.place_type.currentTextChanged,
            self.mode.currentTextChanged,
            self.partner.textChanged,
            self.content.textChanged,
            self.cost.textChanged,
            self.submitted_check.toggled,
            self.submitted_date.dateChanged,
            *(c.toggled for c in self.category_checks.values()),
        ):
            signal.connect(self._edited)

    # --- loading -----------------------------------------------------------------------------
    def load(self, activity_id: int | None) -> None:
        """Show one record from the database (discarding unsaved edits)."""
        if activity_id != self.activity_id:
            self.message.clear()
        self.activity_id = activity_id
        self._clear_errors()
        activity = Activity.get_or_none(Activity.id == activity_id) if activity_id else None
        self.body.setVisible(activity is not None)
        if self.action_bar.parentWidget() is not None:  # placed by RecordTab
            self.action_bar.setVisible(activity is not None)
        self.placeholder.setVisible(activity is None)
        if activity is None:
            return
        self._loading = True
        try:
            self.plan_date = activity.plan_date
            heading = TEXT["heading"].format(
                month=activity.plan_date.month, plan=activity.plan_date.isoformat()
            )
            if activity.plan_reason:
                heading += TEXT["plan_reason"].format(reason=activity.plan_reason)
            self.heading.setText(heading)
            rec = records.record_input(activity)
            self.held_check.setChecked(rec.held_date is not None)
            self.held_date.setDate(_qdate(rec.held_date or activity.plan_date))
            self.start_time.setTime(
                QTime(rec.start_time.hour, rec.start_time.minute) if rec.start_time else QTime(9, 0)
            )
            self.end_time.setTime(
                QTime(rec.end_time.hour, rec.end_time.minute) if rec.end_time else QTime(11, 0)
            )
            self.held_reason.setText(rec.held_reason)
            self.theme.setText(rec.theme)
            self.place.setText(rec.place)
            self.place_type.setCurrentText(rec.place_type)
            self.mode.setCurrentText(rec.mode)
            self.partner.setText(rec.partner_org)
            for name, check in self.category_checks.items():
                check.setChecked(name in rec.categories)
            self.content.setPlainText(rec.content or activity.planned_content)
            self.cost.setText(rec.cost)
            self.submitted_check.setChecked(rec.submitted_date is not None)
            self.submitted_date.setDate(
                _qdate(rec.submitted_date or rec.held_date or activity.plan_date)
            )
            self._held_toggled(self.held_check.isChecked())
            self._submitted_toggled(self.submitted_check.isChecked())
        finally:
            self._loading = False
        self.dirty = False
        self.refresh_figures()
        self.refresh_attachments()

    def refresh_figures(self) -> None:
        """Recompute 应参加/实际参加 from the attendance in the database, and the warnings from
        what is on screen (saved or not)."""
        if self.activity_id is None:
            return
        data, row = records.load_record(self.activity_id)
        summary = records.attendance_summary(data, row)
        expected = len(summary.expected)
        if not expected:
            text = TEXT["no_members"]
            self.figures.setStyleSheet(WARN_STYLE)
        elif not summary.entered:
            text = TEXT["not_entered"].format(expected=expected)
            self.figures.setStyleSheet(WARN_STYLE)
        else:
            text = TEXT["figures"].format(expected=expected, took=summary.took_part)
            if summary.missing:
                names = "、".join(m.name for m in summary.missing[:8])
                names += "等" if len(summary.missing) > 8 else ""
                text += "<br>" + TEXT["partly_entered"].format(n=len(summary.missing), names=names)
            self.figures.setStyleSheet("")
        self.figures.setText(text)
        names = "、".join(f"{a.name}（{a.kind}）" for a in summary.non_members)
        self.non_members.setText(
            TEXT["non_members"].format(names=names) if names else TEXT["no_non_members"]
        )
        self._row = row
        self.refresh_warnings()

    def refresh_warnings(self) -> None:
        if self.activity_id is None or self._row is None:
            return
        rec = self.current_input()
        row = self._row
        # The warnings of the record as it is on screen now.
        row.held_date = rec.held_date
        row.held_reason = rec.held_reason
        row.categories = list(rec.categories)
        row.content = rec.content
        row.submitted_date = rec.submitted_date
        warnings = records.record_warnings(row, self.today())
        self.warnings.setText("\n".join(f"⚠ {w}" for w in warnings))
        self.warnings.setVisible(bool(warnings))
        if rec.held_date:
            deadline = records.submission_deadline(rec.held_date)
            self.deadline_label.setText(TEXT["deadline"].format(date=deadline.isoformat()))
        else:
            self.deadline_label.clear()

    # --- editing -----------------------------------------------------------------------------
    def _edited(self, *_: object) -> None:
        if self._loading:
            return
        self.dirty = True
        self.refresh_warnings()

    def _held_toggled(self, held: bool) -> None:
        for widget in (self.held_date, self.start_time, self.end_time, self.submitted_check):
            widget.setEnabled(held)
        if not held:
            self.submitted_check.setChecked(False)
        self._submitted_toggled(self.submitted_check.isChecked())

    def _submitted_toggled(self, submitted: bool) -> None:
        self.submitted_date.setEnabled(submitted and self.held_check.isChecked())
        if submitted and not self._loading:
            # Ticked now: it was handed in today, not on the day of the activity (that default
            # made a late record look on time).
            held = _pydate(self.held_date.date())
            self.submitted_date.setDate(_qdate(max(self.today(), held)))

    def apply_template(self) -> None:
        name = self.template_box.currentData()
        template = next((t for t in self.templates if t.name == name), None)
        if template is None:
            return
        cursor = self.content.textCursor()
        cursor.select(cursor.SelectionType.Document)
        cursor.insertText(fill_template(template, theme=self.theme.text()))  # undoable
        for category in template.categories:
            self.category_checks[category].setChecked(True)
        if self.content.toPlainText():
            self.message.setText(TEXT["template_replace"])

    def current_input(self) -> RecordInput:
        held = self.held_check.isChecked()
        submitted = held and self.submitted_check.isChecked()
        return RecordInput(
            held_date=_pydate(self.held_date.date()) if held else None,
            start_time=_pytime(self.start_time.time()) if held else None,
            end_time=_pytime(self.end_time.time()) if held else None,
            held_reason=self.held_reason.text(),
            place=self.place.text(),
            place_type=self.place_type.currentText(),
            mode=self.mode.currentText(),
            partner_org=self.partner.text(),
            theme=self.theme.text(),
            categories=[n for n, c in self.category_checks.items() if c.isChecked()],
            content=self.content.toPlainText(),
            cost=self.cost.text(),
            submitted_date=_pydate(self.submitted_date.date()) if submitted else None,
        )

    def _clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.hide()

    def _show_error(self, err: UserError) -> None:
        label = self.errors.get(err.field or "", self.general_error)
        label.setText(err.message)
        label.show()
        self.error_shown.emit(label)

    def save(self) -> bool:
        """Validate and store; on a mistake show it next to the field and keep what was typed."""
        if self.activity_id is None:
            return False
        self._clear_errors()
        self.message.clear()
        try:
            records.save_record(self.activity_id, self.current_input(), today=self.today())
        except UserError as err:
            self._show_error(err)
            return False
        self.dirty = False
        self.message.setText(TEXT["saved"])
        self.saved.emit(self.activity_id)
        return True

    # --- attachments -------------------------------------------------------------------------
    def _pick_attachments(self, kind: str, filter_key: str) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, TEXT["pick_files"], str(Path.home()), TEXT[filter_key]
        )
        if files:
            self.add_attachment_files([Path(f) for f in files], kind)

    def add_attachment_files(self, files: list[Path], kind: str) -> int:
        """Copy files into the ledger; returns how many were added (a refused one is named)."""
        self._clear_errors()
        added = 0
        problems = []
        for path in files:
            try:
                records.add_attachment(self.state.data_dir, self.activity_id, path, kind)
                added += 1
            except UserError as err:
                problems.append(err.message)
        self.refresh_attachments()
        if added:
            self.state.changed.emit("attachments")  # reloads this editor too
        if problems:
            self.attach_error.setText("\n".join(problems))
            self.attach_error.show()
        return added

    def refresh_attachments(self) -> None:
        self.attach_list.clear()
        if self.activity_id is None:
            return
        for att in records.attachments_of(self.activity_id):
            path = records.attachment_file(self.state.data_dir, att)
            item = QListWidgetItem(self._thumbnail(path), f"{att.kind}\n{att.original_name}")
            item.setData(Qt.ItemDataRole.UserRole, att.id)
            item.setToolTip(f"{att.original_name}\n{att.bytes:,} 字节\nsha256 {att.sha256}")
            self.attach_list.addItem(item)

    def _thumbnail(self, path: Path) -> QIcon:
        if path.suffix.lower() in IMAGE_SUFFIXES:
            pixmap = QPixmap(str(path))
            if not pixmap.isNull():
                return QIcon(
                    pixmap.scaled(
                        THUMB,
                        Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation,
                    )
                )
        if path.suffix.lower() == ".pdf":
            return icon("fa5s.file-pdf", color="#b00000")
        return icon("fa5s.file-alt", color="#555555")

    def _selected_attachment(self) -> int | None:
        item = self.attach_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def open_attachment(self) -> None:
        att_id = self._selected_attachment()
        att = Attachment.get_or_none(Attachment.id == att_id) if att_id else None
        if att is not None:
            self.open_file(records.attachment_file(self.state.data_dir, att))

    def remove_attachment(self) -> None:
        att_id = self._selected_attachment()
        att = Attachment.get_or_none(Attachment.id == att_id) if att_id else None
        if att is None:
            return
        answer = QMessageBox.question(
            self,
            TEXT["remove_title"],
            TEXT["remove_question"].format(name=att.original_name, kind=att.kind),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        records.remove_attachment(self.state.data_dir, att_id)
        self.refresh_attachments()
        self.state.changed.emit("attachments")

    # --- printing ----------------------------------------------------------------------------
    def pdf_path(self) -> Path:
        activity = Activity.get_by_id(self.activity_id)
        day = activity.held_date or activity.plan_date
        theme = re.sub(r'[\\/:*?"<>|\s]+', "", activity.theme)[:20] or "党日活动"
        return self.state.data_dir / "记录表" / TEXT["pdf_name"].format(date=day, theme=theme)

    def print_form(self) -> None:
        """Save if needed, then write the PDF off the UI thread and open it in the viewer."""
        if self.activity_id is None or (self.dirty and not self.save()):
            return
        # reportlab is loaded when the first form is printed, not at start-up.
        from app.reports.record_form import form_missing_glyphs, render_record_pdf

        data, row = records.load_record(self.activity_id)
        missing = form_missing_glyphs(data, row)
        note = TEXT["missing_glyphs"].format(chars="".join(missing)) if missing else ""
        out = self.pdf_path()
        two = self.two_copies.isChecked()

        def work(_progress) -> Path:
            try:
                return render_record_pdf(data, row, out, two_copies=two)
            except PermissionError:  # the old copy is open in a PDF reader (Windows)
                stamp = dt.datetime.now().strftime("%H%M%S")
                return render_record_pdf(
                    data, row, out.with_name(f"{out.stem}-{stamp}.pdf"), two_copies=two
                )

        self.print_button.setEnabled(False)
        self.progress.show()
        self.message.setText(TEXT["printing"])
        self._worker = run_in_background(
            work, lambda path: self._printed(path, note), self._print_failed
        )

    def _printed(self, path: Path, note: str) -> None:
        self.progress.hide()
        self.print_button.setEnabled(True)
        self.last_pdf = path
        self.message.setText(TEXT["printed"].format(path=path) + ("\n" + note if note else ""))
        self.open_file(path)

    def _print_failed(self, error: str) -> None:
        self.progress.hide()
        self.print_button.setEnabled(True)
        self.message.setText(TEXT["print_failed"].format(error=error))


class RecordTab(QWidget):
    """List of the year's activities on the left, the record editor on the right."""

    attendance_requested = Signal(int)

    def __init__(
        self,
        state: AppState,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] = dt.date.today,
    ):
        super().__init__(parent)
        self.state = state
        self.today = today
        self._syncing = False  # set while the list is re-selected in code
        self.model = RecordListModel()
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.year_spin = year_selector(state)  # the plan tab may have moved on to next year
        year_row = QHBoxLayout()
        year_row.addWidget(QLabel(TEXT["year"]))
        year_row.addWidget(self.year_spin)
        year_row.addStretch(1)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addLayout(year_row)
        ll.addWidget(self.notice)
        ll.addWidget(self.view)

        self.editor = RecordEditor(state, today)
        self.editor.saved.connect(self._saved)
        self.editor.attendance_requested.connect(self.attendance_requested)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.editor)
        self.scroll = scroll
        self.editor.error_shown.connect(self._show_error_widget)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(0)
        rl.addWidget(scroll, 1)
        rl.addWidget(self.editor.action_bar)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([420, 680])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        state.changed.connect(self._data_changed)
        state.year_changed.connect(lambda *_: self.refresh())
        self.refresh()

    def _show_error_widget(self, widget: QWidget) -> None:
        if self.scroll.widget().isAncestorOf(widget):
            self.scroll.ensureWidgetVisible(widget, 50, 120)

    # --- unsaved edits when the window closes ------------------------------------------------
    def confirm_close(self) -> bool:
        """The window is closing (MainWindow.closeEvent asks each built tab): with a record
        edited but not saved, save it, drop it, or stay. Returns whether the window may close."""
        editor = self.editor
        if not editor.dirty or editor.activity_id is None:
            return True
        self._bring_to_front()
        answer = QMessageBox.question(
            self,
            TEXT["unsaved_title"],
            TEXT["unsaved_question"].format(theme=editor.theme.text() or "党日活动"),
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Discard:
            editor.dirty = False
            return True
        if answer != QMessageBox.StandardButton.Save:
            return False
        return editor.save()  # a mistake is shown next to its field; the window stays open

    def _bring_to_front(self) -> None:
        """Show this tab (it may be behind another one) so the secretary sees the record."""
        widget: QWidget | None = self
        while widget is not None:
            parent = widget.parentWidget()
            if isinstance(parent, QStackedWidget) and isinstance(parent.parentWidget(), QTabWidget):
                parent.parentWidget().setCurrentWidget(widget)
            widget = parent

    def refresh(self, keep: int | None = None) -> None:
        """Reload the list; keep the record on view if it is still there."""
        keep = keep if keep is not None else self.editor.activity_id
        plan = AnnualPlan.get_or_none(AnnualPlan.year == self.state.year)
        acts = list(plan.activities.order_by(Activity.plan_date, Activity.id)) if plan else []
        self.notice.setText("" if acts else TEXT["no_plan"].format(year=self.state.year))
        self.notice.setVisible(not acts)
        self._syncing = True
        self.model.set_activities(acts, self.today())
        self._syncing = False
        ids = self.model.keys
        if keep is None and acts:
            # First view of a year: the latest activity that is due, else the first one.
            due = [a.id for a in acts if a.plan_date <= self.today()]
            keep = due[-1] if due else ids[0]
        if keep in ids:
            self.view.selectRow(ids.index(keep))
            if keep == self.editor.activity_id and not self.editor.dirty:
                self.editor.load(keep)  # same record, fresh from the database
        else:
            if self.editor.dirty and not self.editor.save():
                # The record on screen has a mistake and another year was chosen: go back to
                # its year, with what was typed and the message beside the field, as when
                # another record is picked.
                activity = Activity.get_or_none(Activity.id == self.editor.activity_id)
                if activity is not None and activity.plan.year != self.state.year:
                    year = activity.plan.year
                    QTimer.singleShot(0, self, lambda: self.state.set_year(year))
                    return
            self.editor.load(None)

    def select_activity(self, activity_id: int) -> None:
        """Show one record (e.g. from the plan or the attendance screen)."""
        activity = Activity.get_or_none(Activity.id == activity_id)
        if activity is None:
            return
        self.state.set_year(activity.plan.year)
        if activity_id in self.model.keys:
            self.view.selectRow(self.model.keys.index(activity_id))
        else:
            self.refresh(keep=activity_id)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing or not current.isValid():
            return
        activity_id = self.model.key_at(current.row())
        if activity_id == self.editor.activity_id:
            return  # the same record: keep what is on screen
        leaving = self.editor.activity_id
        if self.editor.dirty and leaving is not None and not self.editor.save():
            # Stay on the record with the mistake; its typed text is still there.
            if leaving in self.model.keys:
                self._syncing = True
                self.view.selectRow(self.model.keys.index(leaving))
                self._syncing = False
            return
        self.editor.load(activity_id)
        row = self.model.keys.index(activity_id) if activity_id in self.model.keys else -1
        if row >= 0 and self.view.currentIndex().row() != row:  # a save refreshed the list
            self._syncing = True
            self.view.selectRow(row)
            self._syncing = False

    def _saved(self, activity_id: int) -> None:
        self.state.changed.emit("activities")

    def _data_changed(self, what: str) -> None:
        """Another screen (or this one) wrote: refresh the list; reload the editor unless the
        user is typing in it, in which case only the figures are recomputed."""
        current = self.editor.activity_id
        if self.editor.dirty and Activity.get_or_none(Activity.id == current) is not None:
            self.refresh_list_only()
            self.editor.refresh_figures()
            return
        self.editor.dirty = False
        self.refresh(keep=current)

    def refresh_list_only(self) -> None:
        plan = AnnualPlan.get_or_none(AnnualPlan.year == self.state.year)
        acts = list(plan.activities.order_by(Activity.plan_date, Activity.id)) if plan else []
        current = self.editor.activity_id
        self._syncing = True
        self.model.set_activities(acts, self.today())
        if current in self.model.keys:
            self.view.selectRow(self.model.keys.index(current))
        self._syncing = False
