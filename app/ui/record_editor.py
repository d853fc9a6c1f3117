"""The editor of one 记录表 (rules 2-5 and 7): held date and time, place, mode, theme, content,
cost, 报送, the computed 应参加/实际参加 figures, the warnings, the attachments, and printing or
saving the 记录表 and its 签名表 (`app.ui.printing`). Typed text stays when a save fails; the
message shows next to the field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QTime, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.filenames import safe_stem
from app.models import vocab
from app.services import record_rules as rules
from app.services import records
from app.services.content import fill_template, list_templates
from app.services.ledger import ActivityRow, YearData, find_activity
from app.services.records import RecordInput
from app.ui.dates import date_edit, pydate, pytime, qdate, qtime
from app.ui.desktop import open_in_viewer
from app.ui.dialog_kit import WARNING_STYLE, FieldErrors, error_label
from app.ui.icons import icon
from app.ui.printing import Printable, PrintActions
from app.ui.record_attachments import AttachmentsBox
from app.ui.state import AppState
from app.ui.text_limits import limit_combo, limit_line, limit_plain

TEXT = {
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
    "save": "保存记录",
    "two_copies": "一式两份",
    "two_copies_tip": "记录表和签名表各两份，标“支部留存”和“报上级党组织”",
    "print_what": ["记录表和签名表", "只要签名表"],
    "print_what_tip": "活动前可以只打印签名表，让参加的党员签名",
    "saved": "已保存。",
    "missing_glyphs": "注意：字体中没有这些字，打印出来会缺字，请手写补全：{chars}",
    "file_stem": ["{date}-{theme}-记录表", "{date}-{theme}-签名表"],
    "pdf_theme": "党日活动",
}

MISSING_NAMES_SHOWN = 8  # "还有 n 名党员没有登记考勤" names this many, then says 等
DEFAULT_START, DEFAULT_END = QTime(9, 0), QTime(11, 0)


def _row(*widgets: QWidget | str) -> QWidget:
    """Widgets side by side (a string is a label), left-aligned."""
    row = QWidget()
    h = QHBoxLayout(row)
    h.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        h.addWidget(QLabel(w) if isinstance(w, str) else w)
    h.addStretch(1)
    return row


def _line(hint: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(hint)
    return edit


class RecordEditor(QWidget):
    """The form for one record; `saved` with its id after a save."""

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
        self._loading = False
        self._worker = None
        self._row: ActivityRow | None = None  # the record's row, for warnings on what is shown
        self._build()

    # --- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.heading.setWordWrap(True)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.field_errors = FieldErrors(form, fallback="")
        self.errors = self.field_errors.labels  # by field name; "" is the general line
        self._build_form(form)
        self._build_attendance_box()
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet(WARNING_STYLE)
        self.attachments = AttachmentsBox(self.state.data_dir, lambda path: self.open_file(path))
        self.attachments.changed.connect(lambda: self.state.changed.emit("attachments"))
        self.field_errors.add_label("attachment", self.attachments.error)
        self._build_action_bar()

        self.body = QWidget()
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.attendance_box)
        layout.addWidget(self.warnings)
        layout.addLayout(form)
        layout.addWidget(self.attachments)
        self.placeholder = QLabel(TEXT["pick"])
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer = QVBoxLayout(self)
        outer.addWidget(self.placeholder)
        outer.addWidget(self.body)
        self.body.hide()
        self._connect_edits()

    def _build_form(self, form: QFormLayout) -> None:
        add = self.field_errors.add_row
        self.held_check = QCheckBox(TEXT["held"])
        self.held_date = date_edit()
        add("held_date", TEXT["held_date"], _row(self.held_check, self.held_date))
        self.start_time, self.end_time = QTimeEdit(), QTimeEdit()
        for edit in (self.start_time, self.end_time):
            edit.setDisplayFormat("HH:mm")
        add("end_time", TEXT["time"], _row(self.start_time, TEXT["to"], self.end_time))
        self.held_reason = _line(TEXT["held_reason_hint"])
        add("held_reason", TEXT["held_reason"], self.held_reason)
        self.theme = _line()
        add("theme", TEXT["theme"], self.theme)
        self.place = _line(TEXT["place_hint"])
        add("place", TEXT["place"], self.place)
        self.place_type = QComboBox()
        self.place_type.setEditable(True)
        self.place_type.addItems(["", *vocab.PLACE_TYPES])
        add("place_type", TEXT["place_type"], self.place_type)
        self.mode = QComboBox()
        self.mode.addItems(list(vocab.MODES))
        add("mode", TEXT["mode"], self.mode)
        self.partner = _line(TEXT["partner_hint"])
        add("partner_org", TEXT["partner"], self.partner)
        add("categories", TEXT["categories"], self._build_categories())
        add("content", TEXT["content"], self._build_content())
        self.cost = _line(TEXT["cost_hint"])
        self.cost.setMaximumWidth(160)
        add("cost", TEXT["cost"], self.cost)
        # What save_record accepts (record_rules), shown and enforced as it is typed.
        for edit, most in (
            (self.theme, rules.THEME_MAX),
            (self.place, rules.PLACE_MAX),
            (self.partner, rules.PARTNER_MAX),
            (self.held_reason, rules.HELD_REASON_MAX),
        ):
            limit_line(edit, most)
        limit_combo(self.place_type, rules.PLACE_TYPE_MAX)
        limit_plain(self.content, rules.CONTENT_MAX)
        self.submitted_check = QCheckBox(TEXT["submitted"])
        self.submitted_date = date_edit()
        self.deadline_label = QLabel()
        add(
            "submitted_date",
            TEXT["submitted_date"],
            _row(self.submitted_check, self.submitted_date, self.deadline_label),
        )

    def _build_categories(self) -> QWidget:
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
        return groups

    def _build_content(self) -> QWidget:
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
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.template_box, 1)
        row.addWidget(self.template_button)
        column.addLayout(row)
        column.addWidget(self.content)
        return box

    def _build_attendance_box(self) -> None:
        """Attendance figures: computed from the 考勤 of this activity, never typed."""
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

    def _build_action_bar(self) -> None:
        """Save and print stay in sight under the scrolling form (RecordTab puts this bar below
        the scroll area): on a 768-pixel screen they were a long scroll down."""
        self.save_button = QPushButton(icon("fa5s.save"), TEXT["save"])
        self.save_button.clicked.connect(self.save)
        self.save_button.setShortcut(QKeySequence.StandardKey.Save)
        self.save_button.setToolTip("Ctrl+S")
        self.two_copies = QCheckBox(TEXT["two_copies"])
        self.two_copies.setToolTip(TEXT["two_copies_tip"])
        self.two_copies.setChecked(True)
        self.print_what = QComboBox()
        self.print_what.addItems(TEXT["print_what"])
        self.print_what.setToolTip(TEXT["print_what_tip"])
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.general_error = error_label()
        self.field_errors.add_label("", self.general_error)
        self.action_bar = QWidget()
        bar = QVBoxLayout(self.action_bar)
        bar.setContentsMargins(6, 4, 6, 4)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.print_what)
        buttons.addWidget(self.two_copies)
        self.printing = PrintActions(
            self, lambda: self.state.data_dir, self.printable, self.message.setText
        )
        self.print_button = self.printing.print_button
        for widget in self.printing.buttons:
            buttons.addWidget(widget)
        bar.addWidget(self.general_error)
        bar.addLayout(buttons)
        bar.addWidget(self.message)
        self.action_bar.hide()

    def _connect_edits(self) -> None:
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

    # --- the attachments box, under the names the editor has always had -----------------------
    @property
    def attach_list(self):
        return self.attachments.list

    @property
    def attach_error(self) -> QLabel:
        return self.attachments.error

    @property
    def open_button(self) -> QPushButton:
        return self.attachments.open_button

    @property
    def remove_button(self) -> QPushButton:
        return self.attachments.remove_button

    def add_attachment_files(self, files: list[Path], kind: str) -> int:
        self.field_errors.clear()
        return self.attachments.add_files(files, kind)

    # --- loading -----------------------------------------------------------------------------
    def load(self, activity_id: int | None) -> None:
        """Show one record from the database (discarding unsaved edits)."""
        if activity_id != self.activity_id:
            self.message.clear()
        self.activity_id = activity_id
        self.field_errors.clear()
        activity = find_activity(activity_id)
        self.body.setVisible(activity is not None)
        if self.action_bar.parentWidget() is not None:  # placed by RecordTab
            self.action_bar.setVisible(activity is not None)
        self.placeholder.setVisible(activity is None)
        if activity is None:
            return
        self._loading = True
        try:
            self._fill(activity)
        finally:
            self._loading = False
        self.dirty = False
        self.show_figures()
        self.attachments.show_activity(activity_id)

    def _fill(self, activity: ActivityRow) -> None:
        self.plan_date = activity.plan_date
        heading = TEXT["heading"].format(
            month=activity.plan_date.month, plan=activity.plan_date.isoformat()
        )
        if activity.plan_reason:
            heading += TEXT["plan_reason"].format(reason=activity.plan_reason)
        self.heading.setText(heading)
        rec = records.record_input(activity)
        self.held_check.setChecked(rec.held_date is not None)
        self.held_date.setDate(qdate(rec.held_date or activity.plan_date))
        self.start_time.setTime(qtime(rec.start_time) if rec.start_time else DEFAULT_START)
        self.end_time.setTime(qtime(rec.end_time) if rec.end_time else DEFAULT_END)
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
            qdate(rec.submitted_date or rec.held_date or activity.plan_date)
        )
        self._held_toggled(self.held_check.isChecked())
        self._submitted_toggled(self.submitted_check.isChecked())

    def refresh_figures(self) -> None:
        """Recompute 应参加/实际参加 from the attendance in the database, and the warnings from
        what is on screen (saved or not)."""
        self.state.forget()
        self.show_figures()

    def show_figures(self) -> None:
        """`refresh_figures` from the year the window holds (read once per change)."""
        if self.activity_id is None:
            return
        data, row = self._year_and_row()
        summary = records.attendance_summary(data, row)
        expected = len(summary.expected)
        if not expected:
            text, style = TEXT["no_members"], WARNING_STYLE
        elif not summary.entered:
            text, style = TEXT["not_entered"].format(expected=expected), WARNING_STYLE
        else:
            text, style = TEXT["figures"].format(expected=expected, took=summary.took_part), ""
            if summary.missing:
                names = "、".join(m.name for m in summary.missing[:MISSING_NAMES_SHOWN])
                names += "等" if len(summary.missing) > MISSING_NAMES_SHOWN else ""
                text += "<br>" + TEXT["partly_entered"].format(n=len(summary.missing), names=names)
        self.figures.setStyleSheet(style)
        self.figures.setText(text)
        names = "、".join(f"{a.name}（{a.kind}）" for a in summary.non_members)
        self.non_members.setText(
            TEXT["non_members"].format(names=names) if names else TEXT["no_non_members"]
        )
        self._row = row
        self.refresh_warnings()

    def _year_and_row(self) -> tuple[YearData, ActivityRow]:
        """The record's year (the one the 记录 list read, when it is the year on view) and a copy
        of the record's row, which `refresh_warnings` changes to what is on screen."""
        data = self.state.year_data()
        row = next((a for a in data.activities if a.activity_id == self.activity_id), None)
        if row is None:  # a record of another year, on screen while the year moves on
            data, row = records.load_record(self.activity_id)
        return data, replace(row)

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
            held = pydate(self.held_date.date())
            self.submitted_date.setDate(qdate(max(self.today(), held)))

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
            held_date=pydate(self.held_date.date()) if held else None,
            start_time=pytime(self.start_time.time()) if held else None,
            end_time=pytime(self.end_time.time()) if held else None,
            held_reason=self.held_reason.text(),
            place=self.place.text(),
            place_type=self.place_type.currentText(),
            mode=self.mode.currentText(),
            partner_org=self.partner.text(),
            theme=self.theme.text(),
            categories=[n for n, c in self.category_checks.items() if c.isChecked()],
            content=self.content.toPlainText(),
            cost=self.cost.text(),
            submitted_date=pydate(self.submitted_date.date()) if submitted else None,
        )

    def save(self) -> bool:
        """Validate and store; on a mistake show it next to the field and keep what was typed."""
        if self.activity_id is None:
            return False
        self.field_errors.clear()
        self.message.clear()
        try:
            records.save_record(self.activity_id, self.current_input(), today=self.today())
        except UserError as err:
            self.error_shown.emit(self.field_errors.show(err.field, err.message))
            return False
        self.dirty = False
        self.message.setText(TEXT["saved"])
        self.saved.emit(self.activity_id)
        return True

    # --- printing ----------------------------------------------------------------------------
    def printable(self) -> Printable | None:
        """The record on screen (saved first if edited), as the 记录表 with its 签名表 or the
        签名表 alone; None when there is none or the save found a mistake (shown by its field)."""
        if self.activity_id is None or (self.dirty and not self.save()):
            return None
        # reportlab and python-docx are loaded when the first form is printed, not at start-up.
        from app.reports.record_docx import render_record_docx
        from app.reports.record_form import (
            SIGN_TITLE,
            form_missing_glyphs,
            form_title,
            render_record_pdf,
        )

        data, row = records.load_record(self.activity_id)
        missing = form_missing_glyphs(data, row)
        sheet = self.print_what.currentIndex() == 1
        two = self.two_copies.isChecked()
        theme = safe_stem(row.theme, TEXT["pdf_theme"], max_chars=20)
        day = row.held_date or row.plan_date
        return Printable(
            title=f"{SIGN_TITLE if sheet else form_title(data)} {row.theme}",
            stem=TEXT["file_stem"][sheet].format(date=day, theme=theme),
            write_pdf=lambda out: render_record_pdf(
                data, row, out, two_copies=two, sheet_only=sheet
            ),
            write_docx=lambda out: render_record_docx(data, row, out, sheet_only=sheet),
            note=TEXT["missing_glyphs"].format(chars="".join(missing)) if missing else "",
        )
