"""First start with an empty database: set up the branch, or load the demo branch to look around."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from app.errors import UserError
from app.ui.branch_form import BranchForm

TEXT = {
    "title": "欢迎使用党日记实",
    "intro": "这是第一次打开。请填写本党支部的基本信息（以后可在“文件 → 党支部设置”中修改）；"
    "也可以先载入演示数据看看程序怎么用（正式使用时请换一个空的数据目录）。",
    "demo": "载入演示数据",
    "save": "保存并开始",
    "demo_done": "已载入演示数据：{summary}",
    "restore": "从备份恢复…",
    "restore_pick": "选择备份文件（换新电脑时，选从旧电脑“备份到…”得到的文件）",
    "restore_filter": "党日记实备份 (*.zip *.sqlite3);;所有文件 (*)",
    "restore_empty": "这个备份里没有党支部信息，请选择另一个备份。",
    "township": "乡镇党委校验、汇总下级报送包，生成下发包（无需设置党支部）：",
    "verify": "校验报送包…",
    "aggregate": "汇总下级报送包…",
    "register": "下级党组织…",
    "issue_package": "生成下发包…",
    "demo_confirm": "演示数据是一个虚构的“青山村”党支部，会写进本机的数据目录，"
    "以后不能在这里再建自己的党支部（要正式使用，得另换一个空的数据目录）。\n\n"
    "只是想先看看程序怎么用，才选“载入演示数据”。确定载入吗？",
}


class FirstRunDialog(QDialog):
    def __init__(self, data_dir: Path, parent=None):
        super().__init__(parent)
        self.data_dir = data_dir
        self.setWindowTitle(TEXT["title"])
        self.setMinimumWidth(580)
        intro = QLabel(TEXT["intro"])
        intro.setWordWrap(True)
        self.form = BranchForm()

        buttons = QDialogButtonBox()
        self.demo_button = QPushButton(TEXT["demo"])
        self.save_button = QPushButton(TEXT["save"])
        buttons.addButton(self.demo_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = QPushButton(TEXT["restore"])
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        # Enter after typing the name must save the branch, never fill the ledger with the demo
        # (the first button in the row would otherwise become the default).
        for button in buttons.buttons():
            button.setAutoDefault(False)
        self.save_button.setAutoDefault(True)
        self.save_button.setDefault(True)
        self.restore_button.clicked.connect(self.pick_backup)
        self.demo_button.clicked.connect(self.load_demo)
        self.save_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)

        # The township committee's clerk has no branch of their own: checking and summing the
        # bundles needs none, so it is offered here instead of a made-up branch.
        self.verify_button = QPushButton(TEXT["verify"])
        self.aggregate_button = QPushButton(TEXT["aggregate"])
        self.issue_button = QPushButton(TEXT["issue_package"])  # the township's 下发包
        for button in (self.verify_button, self.aggregate_button, self.issue_button):
            button.setAutoDefault(False)
        self.verify_button.clicked.connect(self.open_verify)
        self.aggregate_button.clicked.connect(self.open_aggregate)
        self.register_button = QPushButton(TEXT["register"])  # the township's register
        self.register_button.setAutoDefault(False)
        self.register_button.clicked.connect(self.open_register)
        self.issue_button.clicked.connect(self.open_issue_package)
        township = QHBoxLayout()
        township_label = QLabel(TEXT["township"])
        township_label.setWordWrap(True)
        township.addWidget(township_label, 1)
        township.addWidget(self.verify_button)
        township.addWidget(self.aggregate_button)
        township.addWidget(self.register_button)
        township.addWidget(self.issue_button)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.form)
        layout.addWidget(buttons)
        layout.addWidget(line)
        layout.addLayout(township)

    def open_verify(self) -> None:
        from app.ui.township.verify_dialog import VerifyDialog

        VerifyDialog(self).exec()

    def open_aggregate(self) -> None:
        from app.ui.township.aggregate_dialog import AggregateDialog

        AggregateDialog(self).exec()

    def open_register(self) -> None:
        from app.ui.township.register_dialog import RegisterDialog

        RegisterDialog(self).exec()

    def open_issue_package(self) -> None:
        from app.ui.township.issue_dialog import IssuePackageDialog

        IssuePackageDialog(self).exec()

    def save(self) -> None:
        if self.form.save():
            self.accept()

    def pick_backup(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, TEXT["restore_pick"], "", TEXT["restore_filter"]
        )
        if path:
            self.restore_from(Path(path))

    def restore_from(self, backup: Path) -> None:
        """Moving to a new PC: start from the old PC's backup instead of an empty ledger."""
        from app.services.backup import restore
        from app.services.ledger import has_branch

        try:
            restore(self.data_dir, backup)
        except UserError as err:
            self.form.error_label.setText(err.message)
            return
        if not has_branch():
            self.form.error_label.setText(TEXT["restore_empty"])
            return
        self.accept()

    def load_demo(self) -> None:
        from app.services.demo import create_demo

        answer = QMessageBox.question(
            self,
            TEXT["title"],
            TEXT["demo_confirm"],
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return

        try:
            summary = create_demo(self.data_dir)
        except UserError as err:
            self.form.error_label.setText(err.message)
            return
        QMessageBox.information(self, TEXT["title"], TEXT["demo_done"].format(summary=summary))
        self.accept()
