"""导出报送包, the branch's side of upward submission: the year and a destination (USB sticks
listed first), the export off the UI thread with a progress bar, and the verified outcome with
the reminder to eject the stick safely."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.bundle.write import ExportResult, export_bundle_detailed
from app.filenames import documents_folder
from app.ui.desktop import open_in_viewer
from app.ui.dialog_kit import (
    STRETCH,
    button,
    column,
    error_label,
    progress_bar,
    result_label,
    row,
    set_progress,
    show_message,
    size_text,
    text_label,
)
from app.ui.drives import Drive, removable_drives
from app.ui.icons import icon
from app.ui.workers import run_in_background

TEXT = {
    "title": "导出报送包",
    "intro": "把本年度的计划、每次活动的记录表、统计表、照片和扫描件打包成一个文件，"
    "存到U盘上报送上级党组织。导出后程序会重新读取一遍，确认完好。",
    "year": "年度：",
    "destination": "存到：",
    "usb": "U盘 {label}（{root}）　剩余 {free}",
    "desktop": "桌面（{path}）",
    "documents": "我的文档（{path}）",
    "chosen": "{path}",
    "no_usb": "没有找到U盘。请插入U盘后点“刷新”，或点“选择其他文件夹…”。",
    "refresh": "刷新",
    "other_folder": "选择其他文件夹…",
    "choose_folder": "选择报送包存放的文件夹（例如U盘）",
    "export": "导出",
    "again": "导出（再次）",
    "close": "关闭",
    "pick_destination": "请先选择存到哪里（U盘或文件夹）。",
    "exporting": "正在导出…",
    "done": "已导出并校验通过：\n{path}\n（{files} 个文件，{size}）\n\n"
    "请先点击屏幕右下角的“安全删除硬件并弹出媒体”（安全弹出U盘），等提示可以拔出后再拔U盘，"
    "否则文件可能没有写完。",
    "open_folder": "打开所在文件夹",
}


def _desktop_folder() -> Path | None:
    path = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DesktopLocation)
    return Path(path) if path and Path(path).is_dir() else None


class ExportDialog(QDialog):
    """Year and destination (USB sticks first), a progress bar, and the verified outcome."""

    def __init__(
        self,
        data_dir: Path,
        year: int,
        parent: QWidget | None = None,
        *,
        find_drives: Callable[[], list[Drive]] = removable_drives,
        today: dt.date | None = None,
    ):
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.find_drives = find_drives
        self.today = today
        self.result: ExportResult | None = None
        self.worker = None
        self.setWindowTitle(TEXT["title"])
        self.resize(640, 480)

        self.year_box = QSpinBox()
        self.year_box.setRange(2000, 2100)
        self.year_box.setValue(year)
        self.year_box.setSuffix(" 年")
        form = QFormLayout()
        form.addRow(TEXT["year"], self.year_box)
        form.addRow(TEXT["destination"], self._destination_box())

        self.progress = progress_bar()
        self.status_label = QLabel()
        self.result_label = result_label()
        buttons = QDialogButtonBox()
        self.export_button = button(TEXT["export"], self.start_export, "fa5s.file-export")
        self.export_button.setDefault(True)
        self.open_button = button(TEXT["open_folder"], self.open_folder)
        self.close_button = button(TEXT["close"], self.reject)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.open_button.hide()  # after addButton, which shows it
        column(
            self,
            text_label(TEXT["intro"]),
            form,
            self.progress,
            self.status_label,
            self.result_label,
            buttons,
        )
        self.refresh_destinations()

    def _destination_box(self) -> QVBoxLayout:
        self.destinations = QListWidget()
        self.destinations.setMinimumHeight(110)
        self.no_usb_label = text_label(TEXT["no_usb"])
        self.refresh_button = button(TEXT["refresh"], self.refresh_destinations, "fa5s.sync")
        self.other_button = button(TEXT["other_folder"], self.choose_folder, "fa5s.folder-open")
        self.error_label = error_label()
        return column(
            None,
            self.destinations,
            self.no_usb_label,
            row(self.refresh_button, self.other_button, STRETCH),
            self.error_label,
        )

    # destinations: USB sticks first, then the desktop and documents, then what the user picked
    def refresh_destinations(self) -> None:
        chosen = self.destination()
        self.destinations.clear()
        drives = self.find_drives()
        for d in drives:
            text = TEXT["usb"].format(label=d.label, root=d.root, free=size_text(d.free))
            self._add_destination(icon("fa5b.usb"), text, d.root)
        self.no_usb_label.setVisible(not drives)
        desktop, documents = _desktop_folder(), documents_folder()
        if desktop is not None:
            self._add_destination(
                icon("fa5s.folder"), TEXT["desktop"].format(path=desktop), desktop
            )
        if documents != desktop:
            text = TEXT["documents"].format(path=documents)
            self._add_destination(icon("fa5s.folder"), text, documents)
        if chosen is not None:
            self.set_destination(chosen)
        elif self.destinations.count():
            self.destinations.setCurrentRow(0)

    def _add_destination(self, icon, text: str, path: Path) -> QListWidgetItem:
        item = QListWidgetItem(icon, text)
        item.setData(Qt.ItemDataRole.UserRole, str(path))
        self.destinations.addItem(item)
        return item

    def set_destination(self, path: Path) -> None:
        """Select `path` in the list, adding it (a folder the user picked) if it is not there."""
        for i in range(self.destinations.count()):
            if self.destinations.item(i).data(Qt.ItemDataRole.UserRole) == str(path):
                self.destinations.setCurrentRow(i)
                return
        item = self._add_destination(
            icon("fa5s.folder-open"), TEXT["chosen"].format(path=path), path
        )
        self.destinations.setCurrentItem(item)

    def destination(self) -> Path | None:
        item = self.destinations.currentItem()
        return Path(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def choose_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(self, TEXT["choose_folder"])
        if name:
            self.set_destination(Path(name))

    # the export itself
    def start_export(self) -> None:
        self.error_label.hide()
        self.result_label.hide()
        target = self.destination()
        if target is None:
            show_message(self.error_label, TEXT["pick_destination"], ok=False)
            return
        year = self.year_box.value()
        data_dir, today = self.data_dir, self.today
        self._busy(True)
        self.worker = run_in_background(
            lambda progress: export_bundle_detailed(
                year, target, progress, today, data_dir=data_dir
            ),
            self._done,
            self._failed,
            lambda d, t, s: set_progress(self.progress, self.status_label, d, t, s),
        )

    def _busy(self, busy: bool) -> None:
        for w in (
            self.export_button,
            self.close_button,
            self.year_box,
            self.destinations,
            self.other_button,
            self.refresh_button,
        ):
            w.setEnabled(not busy)
        if busy:
            self.progress.setRange(0, 0)
            self.progress.show()
            self.status_label.setText(TEXT["exporting"])

    def _done(self, result: ExportResult) -> None:
        self._busy(False)
        self.result = result
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.status_label.clear()
        text = TEXT["done"].format(
            path=result.path, files=result.files, size=size_text(result.bytes)
        )
        show_message(self.result_label, text, ok=True)
        self.open_button.show()
        self.export_button.setText(TEXT["again"])

    def _failed(self, message: str) -> None:
        self._busy(False)
        self.progress.hide()
        self.status_label.clear()
        show_message(self.error_label, message, ok=False)

    def open_folder(self) -> None:
        if self.result is not None:
            open_in_viewer(self.result.path.parent)

    def reject(self) -> None:
        if self.close_button.isEnabled():  # never close while writing to the stick
            super().reject()
