"""文件 → 导入上级下发包…: the township's 下发包 chosen (or dropped), checked and shown line by line
(`app.services.downlink.read_package`), and on 导入 taken in; a package signed by another key than
the one remembered needs the secretary's tick that the township confirmed the change by phone."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QCheckBox, QPlainTextEdit, QPushButton

from app.errors import UserError
from app.services.downlink import KEY_CHANGED, PackagePreview, read_package, take_package
from app.ui.chosen_file_dialog import ChosenFileDialog
from app.ui.dialog_kit import Item, button, hide_message, show_message

TEXT = {
    "title": "导入上级下发包",
    "intro": "乡镇党委的下发包（文件名“…-下发包.zip”）带来当年的节假日安排、年度计划报送截止日期、"
    "年度主题/要求和各月建议主题。选择U盘上的下发包，核对下面的内容和签名指纹，无误后点“导入”。",
    "choose": "选择下发包…",
    "filter": "下发包 (*下发包*.zip *.zip);;所有文件 (*)",
    "placeholder": "还没有选择下发包（也可以把文件拖到这里）",
    "accept_key": "我已打电话向乡镇党委核实了新的密钥指纹，确认乡镇党委更换了密钥",
    "need_key": "签名密钥变了：请先打电话向乡镇党委核实新的密钥指纹，再勾选上面的确认。",
    "import": "导入",
}


class ImportPackageDialog(ChosenFileDialog):
    """Choose, check, show, take in."""

    text = TEXT
    size_at_start = (760, 560)

    def body(self) -> list[Item]:
        self.preview: PackagePreview | None = None
        self.contents = QPlainTextEdit()
        self.contents.setReadOnly(True)
        self.contents.setMinimumHeight(200)
        self.key_check = QCheckBox(TEXT["accept_key"])
        self.key_check.hide()
        self.key_check.toggled.connect(self._update_import)
        return [(self.contents, 1), self.key_check, self.error, self.result]

    def actions(self) -> list[QPushButton]:
        self.import_button = button(TEXT["import"], self.take_in, "fa5s.file-import")
        self.import_button.setEnabled(False)
        return [self.import_button]

    def read(self, path: Path) -> None:
        """Check the file and show what it brings; nothing is stored yet."""
        self.key_check.setChecked(False)
        try:
            self.preview = read_package(path)
        except UserError as err:
            self.preview = None
            self.contents.clear()
            self.key_check.hide()
            show_message(self.error, err.message, ok=False)
        else:
            self.contents.setPlainText("\n".join(self.preview.lines()))
            self.key_check.setVisible(self.preview.key_state == KEY_CHANGED)
        self._update_import()

    def _update_import(self) -> None:
        changed = self.preview is not None and self.preview.key_state == KEY_CHANGED
        self.import_button.setEnabled(
            self.preview is not None and (not changed or self.key_check.isChecked())
        )
        if changed and not self.key_check.isChecked():
            show_message(self.error, TEXT["need_key"], ok=False, fit=False)
        elif changed:
            hide_message(self.error)

    def take_in(self) -> None:
        if self.preview is None:
            return
        try:
            done = take_package(self.preview, accept_new_key=self.key_check.isChecked())
        except UserError as err:
            show_message(self.error, err.message, ok=False)
            return
        hide_message(self.error)
        self.preview = None
        self.import_button.setEnabled(False)
        self.key_check.hide()
        show_message(self.result, "\n".join(done.lines()), ok=True)
        if self.state is not None:
            self.state.changed.emit("*")  # plan dates, deadline, holidays: every screen
