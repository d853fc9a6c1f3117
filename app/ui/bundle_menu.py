"""The 文件 menu's three bundle entries: 导出报送包 (the branch, `export_dialog`), 校验报送包 and
汇总下级报送包 (the township, `app.ui.township`). The dialogs load when first opened."""

from __future__ import annotations

from PySide6.QtGui import QAction


class BundleActions:
    """What the three 文件 entries do, for a main window (its `state`); the entries themselves
    are the window's (`actions` by method name)."""

    def __init__(self, window, actions: dict[str, QAction]):
        self.window = window
        self.state = window.state
        self.export_action = actions["export"]
        self.verify_action = actions["verify"]
        self.aggregate_action = actions["aggregate"]

    def export(self) -> None:
        from app.ui.export_dialog import ExportDialog

        ExportDialog(self.state.data_dir, self.state.year, self.window).exec()

    def verify(self) -> None:
        from app.ui.township.verify_dialog import VerifyDialog

        VerifyDialog(self.window).exec()

    def aggregate(self) -> None:
        from app.ui.township.aggregate_dialog import AggregateDialog

        AggregateDialog(self.window).exec()


def install_bundle_actions(window, actions: dict[str, QAction]) -> BundleActions:
    return BundleActions(window, actions)
