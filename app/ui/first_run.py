"""First start with an empty database: set up the branch, or load the demo branch to look around."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from app.errors import UserError
from app.services.branch import BranchSettings, save_branch

TEXT = {
    "title": "欢迎使用党日记实",
    "intro": "这是第一次打开。请填写本党支部的基本信息；也可以先载入演示数据看看程序怎么用"
    "（演示数据放在当前数据目录里，正式使用时请换一个空的数据目录）。",
    "name": "党组织名称：",
    "name_hint": "例如：中共某某村支部委员会",
    "superior": "上级党组织：",
    "secretary": "党支部书记：",
    "day": "党员活动日：",
    "custom_day": "每月固定日：",
    "prefix": "记录表标题前缀：",
    "prefix_hint": "如 池州市（记录表标题为“池州市党日活动记录表”）",
    "demo": "载入演示数据",
    "save": "保存并开始",
    "days": ["每月5日", "每月10日", "自定义日期"],
    "demo_done": "已载入演示数据：{summary}",
}


class FirstRunDialog(QDialog):
    def __init__(self, data_dir: Path, parent=None):
        super().__init__(parent)
        self.data_dir = data_dir
        self.setWindowTitle(TEXT["title"])
        self.setMinimumWidth(560)

        intro = QLabel(TEXT["intro"])
        intro.setWordWrap(True)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(TEXT["name_hint"])
        self.superior_edit = QLineEdit()
        self.secretary_edit = QLineEdit()
        self.day_combo = QComboBox()
        self.day_combo.addItems(TEXT["days"])
        self.custom_day = QSpinBox()
        self.custom_day.setRange(1, 31)
        self.custom_day.setValue(15)
        self.custom_day.setEnabled(False)
        self.day_combo.currentIndexChanged.connect(lambda i: self.custom_day.setEnabled(i == 2))
        self.prefix_edit = QLineEdit()
        self.prefix_edit.setPlaceholderText(TEXT["prefix_hint"])
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)

        form = QFormLayout()
        form.addRow(TEXT["name"], self.name_edit)
        form.addRow(TEXT["superior"], self.superior_edit)
        form.addRow(TEXT["secretary"], self.secretary_edit)
        form.addRow(TEXT["day"], self.day_combo)
        form.addRow(TEXT["custom_day"], self.custom_day)
        form.addRow(TEXT["prefix"], self.prefix_edit)

        buttons = QDialogButtonBox()
        self.demo_button = QPushButton(TEXT["demo"])
        self.save_button = QPushButton(TEXT["save"])
        self.save_button.setDefault(True)
        buttons.addButton(self.demo_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.demo_button.clicked.connect(self.load_demo)
        self.save_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def settings(self) -> BranchSettings:
        mode = ("5", "10", "custom")[self.day_combo.currentIndex()]
        return BranchSettings(
            name=self.name_edit.text().strip(),
            superior_org=self.superior_edit.text().strip(),
            secretary=self.secretary_edit.text().strip(),
            activity_day_mode=mode,
            custom_day=self.custom_day.value() if mode == "custom" else None,
            form_title_prefix=self.prefix_edit.text().strip(),
        )

    def save(self) -> None:
        try:
            save_branch(self.settings())
        except UserError as err:
            # Keep the dialog open with everything typed; say what to fix next to the form.
            self.error_label.setText(err.message)
            self.name_edit.setFocus()
            return
        self.accept()

    def load_demo(self) -> None:
        from app.services.demo import create_demo

        try:
            summary = create_demo(self.data_dir)
        except UserError as err:
            self.error_label.setText(err.message)
            return
        QMessageBox.information(self, TEXT["title"], TEXT["demo_done"].format(summary=summary))
        self.accept()
