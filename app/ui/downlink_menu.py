"""The 文件 entries of the way back down, on the branch's side: 导入上级下发包… (`package_dialog`)
and 导入回执… (`receipt_dialog`). The dialogs load when first opened."""

from __future__ import annotations

from PySide6.QtGui import QAction


class DownlinkActions:
    """What the two 文件 entries do, for a main window (its `state`)."""

    def __init__(self, window, actions: dict[str, QAction]):
        self.window = window
        self.state = window.state
        self.actions = actions

    def import_package(self) -> None:
        from app.ui.package_dialog import ImportPackageDialog

        ImportPackageDialog(self.state, self.window).exec()

    def import_receipt(self) -> None:
        from app.ui.receipt_dialog import ImportReceiptDialog

        ImportReceiptDialog(self.state, self.window).exec()


def install_downlink_actions(window, actions: dict[str, QAction]) -> DownlinkActions:
    return DownlinkActions(window, actions)
