"""文件 → 导入回执…: the township's 回执 about one of this ledger's bundles, checked and stored at
once (`app.services.export_receipts.import_receipt`: the township's remembered key, this branch,
one of its exports); the 记录 and 统计 tabs then say 已接收 with the date, or why it came back."""

from __future__ import annotations

from pathlib import Path

from app.errors import UserError
from app.services.export_receipts import import_receipt
from app.ui.chosen_file_dialog import ChosenFileDialog
from app.ui.dialog_kit import show_message

TEXT = {
    "title": "导入回执",
    "intro": "乡镇党委汇总报送包后，给每个报送包写一份回执（文件名“…-回执.zip”），说明已接收，"
    "或退回的原因和处理办法。选择U盘上本支部的回执，程序核对签名和报送包后记下，"
    "“记录”和“统计”页上会显示结果。",
    "choose": "选择回执…",
    "filter": "回执 (*回执*.zip *.zip);;所有文件 (*)",
    "placeholder": "还没有选择回执（也可以把文件拖到这里）",
}


class ImportReceiptDialog(ChosenFileDialog):
    text = TEXT

    def read(self, path: Path) -> None:
        """Check and store the receipt; say what it says, or why it is refused."""
        try:
            done = import_receipt(path)
        except UserError as err:
            show_message(self.error, err.message, ok=False)
            return
        # 退回 is said in red: the bundle has to be redone.
        show_message(self.result, "\n".join(done.lines()), ok=done.accepted)
        if self.state is not None:
            self.state.changed.emit("receipts")
