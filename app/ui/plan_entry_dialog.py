"""Editing one planned activity, or adding one (rules 1, 5, 6): date, why it moved, theme (with
the month's suggestions), content categories, content and place."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from app.errors import UserError
from app.models import vocab
from app.services import plan as plans
from app.services import record_rules as rules
from app.services.ledger import ActivityRow
from app.ui.dates import CHINESE_FORMAT, date_edit, pydate
from app.ui.dialog_kit import ERROR_STYLE, column, save_cancel
from app.ui.text_limits import limit_combo, limit_line, limit_plain

TEXT = {
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
    "date_warning": "注意：{warning}",
}

CATEGORIES_PER_ROW = 3  # three boxes a row, so no label is clipped


class PlanEntryDialog(QDialog):
    """Edit one planned activity or add one. Never closes on invalid input: the message shows
    under the form, next to what needs fixing."""

    def __init__(
        self,
        year: int,
        activity: ActivityRow | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.year = year
        self.activity = activity
        self.warnings: list[str] = []
        self.setWindowTitle(TEXT["title_edit"] if activity else TEXT["title_add"])
        self.setMinimumWidth(520)

        start = activity.plan_date if activity else self._default_date()
        self.date_edit = date_edit(start, CHINESE_FORMAT)
        self.date_edit.setDateRange(QDate(year, 1, 1), QDate(year, 12, 31))
        self.date_warning = QLabel()
        self.date_warning.setStyleSheet(ERROR_STYLE)
        self.date_warning.setWordWrap(True)
        self.reason_edit = QLineEdit((activity.plan_reason or "") if activity else "")
        self.reason_edit.setPlaceholderText(TEXT["reason_hint"])
        self.theme_combo = QComboBox()
        self.theme_combo.setEditable(True)
        self.theme_combo.lineEdit().setPlaceholderText(TEXT["theme_hint"])
        self.theme_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.content_edit = QPlainTextEdit(activity.planned_content if activity else "")
        self.content_edit.setTabChangesFocus(True)
        self.content_edit.setFixedHeight(80)
        self.place_edit = QLineEdit(activity.place if activity else "")
        # What plan.validate_entry accepts (record_rules.PLAN_TEXTS), shown as it is typed.
        limit_line(self.reason_edit, rules.PLAN_REASON_MAX)
        limit_combo(self.theme_combo, rules.THEME_MAX)
        limit_plain(self.content_edit, rules.CONTENT_MAX)
        limit_line(self.place_edit, rules.PLACE_MAX)
        chosen = set(activity.categories) if activity else set(plans.DEFAULT_CATEGORIES)
        categories = self._category_grid(chosen)

        self.error_label = QLabel()
        self.error_label.setStyleSheet(ERROR_STYLE + " font-weight: bold;")
        self.error_label.setWordWrap(True)

        form = QFormLayout()
        form.addRow(TEXT["date"], self.date_edit)
        form.addRow("", self.date_warning)
        if activity is not None and activity.is_held:
            self.date_edit.setEnabled(False)
            form.addRow("", QLabel(TEXT["held_note"].format(date=activity.held_date.isoformat())))
        form.addRow(TEXT["reason"], self.reason_edit)
        form.addRow(TEXT["theme"], self.theme_combo)
        form.addRow(TEXT["categories"], categories)
        form.addRow(TEXT["content"], self.content_edit)
        form.addRow(TEXT["place"], self.place_edit)
        buttons, self.save_button = save_cancel(self)

        column(self, form, self.error_label, buttons)

        self._fill_themes(start.month)
        self.theme_combo.setCurrentText(activity.theme if activity else "")
        self.theme_combo.activated.connect(self._suggestion_chosen)
        self.date_edit.dateChanged.connect(self._date_changed)
        self._show_date_warning()

    def _category_grid(self, chosen: set[str]) -> QGridLayout:
        self.category_boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        row = 0
        for group, names in vocab.CONTENT_CATEGORIES.items():
            grid.addWidget(QLabel(f"{group}："), row, 0)
            for i, name in enumerate(names):
                box = QCheckBox(name)
                box.setChecked(name in chosen)
                self.category_boxes[name] = box
                grid.addWidget(box, row + i // CATEGORIES_PER_ROW, 1 + i % CATEGORIES_PER_ROW)
            row += (len(names) + CATEGORIES_PER_ROW - 1) // CATEGORIES_PER_ROW
        return grid

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
        self._fill_themes(pydate(value).month)
        self._show_date_warning()

    def _show_date_warning(self) -> None:
        warning = plans.date_warning(pydate(self.date_edit.date()))
        self.date_warning.setText(TEXT["date_warning"].format(warning=warning) if warning else "")
        self.date_warning.setVisible(bool(warning))

    def entry(self) -> plans.PlanEntry:
        return plans.PlanEntry(
            plan_date=pydate(self.date_edit.date()),
            theme=self.theme_combo.currentText(),
            plan_reason=self.reason_edit.text(),
            categories=[n for n, box in self.category_boxes.items() if box.isChecked()],
            planned_content=self.content_edit.toPlainText(),
            place=self.place_edit.text(),
        )

    def accept(self) -> None:
        """保存: store the entry; a mistake keeps the dialog open with the message."""
        try:
            if self.activity is not None:
                self.warnings = plans.update_plan_entry(self.activity.activity_id, self.entry())
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
        super().accept()
