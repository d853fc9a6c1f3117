"""文件 → 导入回执…: the township's 回执 about one of this ledger's bundles, checked and stored at
once (`app.services.export_receipts.import_receipt`: the township's remembered key, this branch,
one of its exports); the 记录 and 统计 tabs then say 已接收 with the date, or why it came back."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog, QLineEdit, QWidget

from app.errors import UserError
from app.services.export_receipts import import_receipt
from app.ui.dialog_kit import (
    actions_and_close,
    button,
    column,
    error_label,
    hide_message,
    hint_label,
    result_label,
    row,
    show_message,
    start_size,
)
from app.ui.drives import dropped_paths
from app.ui.package_dialog import start_folder
from app.ui.state import AppState

TEXT = {
    "title": "导入回执",
    "intro": "乡镇党委汇总报送包后，给每个报送包写一份回执（文件名“…-回执.zip”），说明已接收，"
    "或退回的原因和处理办法。选择U盘上本支部的回执，程序核对签名和报送包后记下，"
    "“记录”和“统计”页上会显示结果。",
    "choose": "选择回执…",
    "filter": "回执 (*回执*.zip *.zip);;所有文件 (*)",
    "placeholder": "还没有选择回执（也可以把文件拖到这里）",
}


class ImportReceiptDialog(QDialog):
    def __init__(
        self, state: AppState | None, parent: QWidget | None = None, *, path: Path | None = None
    ):
        super().__init__(parent)
        self.state = state
        self.setWindowTitle(TEXT["title"])
        self.setAcceptDrops(True)
        self.path_edit = QLineEdit()
        self.path_edit.setReadOnly(True)
        self.path_edit.setPlaceholderText(TEXT["placeholder"])
        self.error = error_label(selectable=True)
        self.result = result_label()
        column(
            self,
            hint_label(TEXT["intro"]),
            row((self.path_edit, 1), button(TEXT["choose"], self.choose, "fa5s.folder-open")),
            self.error,
            self.result,
            None,
            actions_and_close(self, []),
        )
        start_size(self, 680, 300)
        if path is not None:
            self.open_file(path)

    def choose(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, TEXT["choose"], str(start_folder()), TEXT["filter"]
        )
        if name:
            self.open_file(Path(name))

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if dropped_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = dropped_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.open_file(paths[0])

    def open_file(self, path: Path) -> None:
        """Check and store the receipt; say what it says, or why it is refused."""
        self.path_edit.setText(str(path))
        hide_message(self.error)
        hide_message(self.result)
        try:
            done = import_receipt(path)
        except UserError as err:
            show_message(self.error, err.message, ok=False)
            return
        # 退回 is said in red: the bundle has to be redone.
        show_message(self.result, "\n".join(done.lines()), ok=done.accepted)
        if self.state is not None:
            self.state.changed.emit("receipts")
