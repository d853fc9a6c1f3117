"""The 汇总下级报送包 dialog's last step, on the township's desk only: one signed 回执 per bundle
summed (已接收) or left out (退回, with the reasons and what to do) into a folder, for each branch
to take home on its USB stick (`app.township.receipts.write_receipts`)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QLineEdit, QWidget

from app.errors import UserError
from app.filenames import documents_folder
from app.township.aggregate import AggregateResult
from app.township.identity import is_township_desk, open_township, township_name
from app.township.receipts import ReceiptsWritten, write_receipts
from app.ui import dialog_kit as kit
from app.ui.desktop import open_in_viewer

TEXT = {
    "hint": "回执：给每个报送包写一份带签名的回执（已接收，或退回的原因和处理办法），"
    "复制到各支部的U盘上，支部用“文件 → 导入回执…”导入。",
    "name": "乡镇党委名称：",
    "name_placeholder": "如：中共青山镇委员会（只需填一次）",
    "write": "写回执到文件夹…",
    "open_folder": "打开回执文件夹",
    "choose": "选择保存回执的文件夹",
}


class ReceiptStep(QWidget):
    """Hidden until the bundles are summed; never shown in a branch's window."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.result: AggregateResult | None = None
        self.written: ReceiptsWritten | None = None
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(TEXT["name_placeholder"])
        self.name_label = kit.hint_label(TEXT["name"])
        self.write_button = kit.button(TEXT["write"], self.choose_folder, "fa5s.file-signature")
        self.open_button = kit.button(TEXT["open_folder"], self.open_folder, "fa5s.folder-open")
        self.open_button.hide()
        self.error = kit.error_label(selectable=True)
        self.done = kit.result_label()
        kit.column(
            self,
            kit.hint_label(TEXT["hint"]),
            kit.row(
                self.name_label, (self.name_edit, 1), self.write_button, self.open_button, None
            ),
            self.error,
            self.done,
            margins=0,
        )
        self.hide()

    def set_result(self, result: AggregateResult) -> None:
        """The bundles are summed: offer the receipts (the township's desk only)."""
        self.result = result
        if not is_township_desk():
            return
        named = township_name()
        self.name_edit.setText(named or "")
        self.name_edit.setVisible(not named)
        self.name_label.setVisible(not named)
        kit.hide_message(self.error)
        kit.hide_message(self.done)
        self.open_button.hide()
        self.show()

    def choose_folder(self) -> None:
        start = self.result.out_path.parent if self.result else documents_folder()
        name = QFileDialog.getExistingDirectory(self, TEXT["choose"], str(start))
        if name:
            self.write_to(Path(name))

    def write_to(self, folder: Path) -> None:
        if self.result is None:
            return
        kit.hide_message(self.error)
        try:
            township = open_township(self.name_edit.text().strip() or None)
            self.written = write_receipts(self.result, folder, township)
        except UserError as err:
            kit.show_message(self.error, err.message, ok=False)
            return
        self.name_edit.hide()
        self.name_label.hide()
        kit.show_message(self.done, "\n".join(self.written.lines()), ok=not self.written.skipped)
        self.open_button.show()

    def open_folder(self) -> None:
        if self.written is not None:
            open_in_viewer(self.written.out_dir)
