"""The branch's settings as a form, shared by the first-run dialog and 文件 → 党支部设置."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.services import record_rules as rules
from app.services.branch import BranchSettings, save_branch
from app.services.ledger import require_branch
from app.ui.dialog_kit import edit_signals
from app.ui.text_limits import limit_line

TEXT = {
    "name": "党组织名称：",
    "name_hint": "例如：中共某某村支部委员会",
    "superior": "上级党组织：",
    "secretary": "党支部书记：",
    "day": "党员活动日：",
    "days": ["每月5日", "每月10日", "自定义日期"],
    "custom_day": "每月固定日：",
    "prefix": "记录表标题前缀：",
    "prefix_hint": "如 池州市（记录表标题为“池州市党日活动记录表”）",
    "leave": "请假计入“未参加活动”次数（实施意见未将请假排除在外）",
    "deadline": "年度计划报送截止：",
    "settings_title": "党支部设置",
}
DAY_MODES = ("5", "10", "custom")


class BranchForm(QWidget):
    """All branch settings; `settings()` reads them, `load()` fills them, `show_error()` explains."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(TEXT["name_hint"])
        self.superior_edit = QLineEdit()
        self.secretary_edit = QLineEdit()
        self.day_combo = QComboBox()
        self.day_combo.addItems(TEXT["days"])
        self.custom_day = QSpinBox()
        self.custom_day.setRange(1, 31)
        self.custom_day.setValue(15)
        self.custom_day.setSuffix(" 日")
        self.custom_day.setEnabled(False)
        self.day_combo.currentIndexChanged.connect(lambda i: self.custom_day.setEnabled(i == 2))
        self.prefix_edit = QLineEdit()
        self.prefix_edit.setPlaceholderText(TEXT["prefix_hint"])
        self.leave_check = QCheckBox(TEXT["leave"])
        self.leave_check.setChecked(True)
        self.deadline_edit = QDateEdit()
        self.deadline_edit.setDisplayFormat("M月d日")
        self.deadline_edit.setDate(QDate(2000, 3, 25))
        # What validate_branch accepts (record_rules.BRANCH_TEXTS), shown as it is typed.
        for edit, most in (
            (self.name_edit, rules.BRANCH_NAME_MAX),
            (self.superior_edit, rules.BRANCH_NAME_MAX),
            (self.secretary_edit, rules.NAME_MAX),
            (self.prefix_edit, rules.PREFIX_MAX),
        ):
            limit_line(edit, most)
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(TEXT["name"], self.name_edit)
        form.addRow(TEXT["superior"], self.superior_edit)
        form.addRow(TEXT["secretary"], self.secretary_edit)
        form.addRow(TEXT["day"], self.day_combo)
        form.addRow(TEXT["custom_day"], self.custom_day)
        form.addRow(TEXT["prefix"], self.prefix_edit)
        form.addRow(TEXT["deadline"], self.deadline_edit)
        form.addRow("", self.leave_check)
        form.addRow(self.error_label)
        # The message was about what was typed before: any edit clears it (the first run's
        # "请填写党组织名称" stayed red while the name was being typed).
        for signal in edit_signals(self):
            signal.connect(lambda *_: self.error_label.clear())

    def load(self, branch) -> None:  # a Branch
        self.name_edit.setText(branch.name)
        self.superior_edit.setText(branch.superior_org)
        self.secretary_edit.setText(branch.secretary)
        self.day_combo.setCurrentIndex(DAY_MODES.index(branch.activity_day_mode))
        if branch.custom_day:
            self.custom_day.setValue(branch.custom_day)
        self.prefix_edit.setText(branch.form_title_prefix)
        self.leave_check.setChecked(bool(branch.leave_counts_as_absent))
        month, day = (int(x) for x in branch.plan_deadline.split("-"))
        self.deadline_edit.setDate(QDate(2000, month, day))

    def settings(self) -> BranchSettings:
        mode = DAY_MODES[self.day_combo.currentIndex()]
        deadline = self.deadline_edit.date()
        return BranchSettings(
            name=self.name_edit.text().strip(),
            superior_org=self.superior_edit.text().strip(),
            secretary=self.secretary_edit.text().strip(),
            activity_day_mode=mode,
            custom_day=self.custom_day.value() if mode == "custom" else None,
            leave_counts_as_absent=self.leave_check.isChecked(),
            form_title_prefix=self.prefix_edit.text().strip(),
            plan_deadline=f"{deadline.month():02d}-{deadline.day():02d}",
        )

    def save(self) -> bool:
        """Save; on a mistake keep everything typed, show why beside the form, return False."""
        try:
            save_branch(self.settings())
        except UserError as err:
            self.error_label.setText(err.message)
            if err.field == "name":
                self.name_edit.setFocus()
            return False
        self.error_label.clear()
        return True


class BranchSettingsDialog(QDialog):
    """文件 → 党支部设置…"""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(TEXT["settings_title"])
        self.setMinimumWidth(560)
        self.form = BranchForm()
        self.form.load(require_branch())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(buttons)

    def _save(self) -> None:
        if self.form.save():
            self.accept()
