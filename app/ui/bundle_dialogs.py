"""Upward submission as the secretary and the township see it: 导出报送包 (to a USB stick, listed
first), 校验报送包, and 汇总下级报送包. Slow work runs in the background with a progress bar; the
outcome stays in the dialog, next to what it is about."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QStandardPaths, QStorageInfo, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.bundle.write import ExportResult, export_bundle_detailed
from app.township.aggregate import AggregateResult, aggregate_bundles, expand_bundle_paths
from app.township.verify import VerifyReport, verify_bundle
from app.ui.icons import icon
from app.ui.table_model import RowsTableModel
from app.ui.workers import run_in_background

TEXT = {
    # menu
    # 导出报送包
    "export_title": "导出报送包",
    "export_intro": "把本年度的计划、每次活动的记录表、统计表、照片和扫描件打包成一个文件，"
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
    "close": "关闭",
    "pick_destination": "请先选择存到哪里（U盘或文件夹）。",
    "exporting": "正在导出…",
    "export_done": "已导出并校验通过：\n{path}\n（{files} 个文件，{size}）\n\n"
    "请先点击屏幕右下角的“安全删除硬件并弹出媒体”（安全弹出U盘），等提示可以拔出后再拔U盘，"
    "否则文件可能没有写完。",
    "open_folder": "打开所在文件夹",
    # 校验报送包
    "verify_title": "校验报送包",
    "verify_intro": "检查报送包是否完整、未被改动：清单中的每个文件都在、大小和校验值相符，"
    "没有多余或危险的文件，台账数据前后一致。",
    "choose_bundle": "选择报送包…",
    "bundle_filter": "党日活动报送包 (*.zip);;所有文件 (*)",
    "verifying": "正在校验 {name}…",
    "verify_ok": "校验通过：{name}\n{about}",
    "verify_bad": "校验未通过：{name}（{n} 个问题，见下表）{about}\n怎么办：{advice}。",
    "verify_drop": "也可以把报送包文件直接拖到这个窗口里。",
    "file_ok": "完好（大小、sha256 校验值相符）",
    "col_bundle": "报送包",
    "col_file": "包内文件",
    "col_reason": "原因",
    "whole_file": "（整个文件）",
    # 汇总下级报送包
    "aggregate_title": "汇总下级报送包",
    "aggregate_intro": "选择各党支部报送的 .zip 文件（可以一次选多个，或选整个文件夹、整个U盘），"
    "程序逐个校验，把通过的汇总成一张 Excel 表；未通过的列出原因和处理办法，不影响其他支部。",
    "drop_hint": "把U盘上的报送包、或装着报送包的文件夹拖到这里\n\n"
    "或者点下面的“添加文件夹…”（文件夹及其下一层子文件夹里的 .zip 都会加进来）",
    "add_files": "添加报送包…",
    "add_folder": "添加文件夹…",
    "add_usb": "添加U盘 {label}",
    "added_none": "“{name}”里没有找到 .zip 报送包。",
    "year_label": "汇总年度：",
    "year_auto": "自动（按多数报送包的年度）",
    "year_item": "{year} 年",
    "col_branch": "党组织",
    "col_state": "情况",
    "col_advice": "处理办法",
    "open_out_folder": "打开所在文件夹",
    "list_count": "共 {n} 个报送包",
    "remove": "移除所选",
    "clear": "清空",
    "col_size": "大小",
    "col_folder": "所在文件夹",
    "out": "汇总表保存为：",
    "save_as": "另存为…",
    "xlsx_filter": "Excel 工作簿 (*.xlsx)",
    "default_out": "下级报送包汇总-{date}.xlsx",
    "start": "开始汇总",
    "no_bundles": "请先添加要汇总的报送包。",
    "no_out": "请选择汇总表保存的位置（.xlsx 文件）。",
    "aggregating": "正在汇总…",
    "aggregate_done": "已汇总 {rows} 个党支部{year}的报送包，写入：\n{path}",
    "aggregate_failed": "\n{n} 个报送包未通过校验，原因和处理办法见下表。",
    "aggregate_set_aside": "\n{n} 个报送包未采用（重复或其他年度，无需处理），见下表。",
    "open_xlsx": "打开汇总表",
}


def _size(n: int) -> str:
    if n < 1024 * 1024:
        return f"{max(n, 0) / 1024:.0f} KB"
    if n < 1024**3:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024**3:.1f} GB"


def _error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet("color: #b00020;")
    label.setWordWrap(True)
    label.hide()
    return label


def _result_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def _show(label: QLabel, text: str, *, ok: bool) -> None:
    label.setStyleSheet("color: #1b5e20;" if ok else "color: #b00020;")
    label.setText(text)
    label.show()
    _fit(label.window())


def _fit(window: QWidget) -> None:
    """Grow the dialog when a message appears, so nothing is squeezed or clipped."""
    layout = window.layout()
    if layout is not None:
        layout.activate()
    hint = window.sizeHint()
    width, height = max(window.width(), hint.width()), max(window.height(), hint.height())
    screen = window.screen()
    if screen is not None:  # a 1366x768 laptop with a taskbar: keep the buttons on screen
        room = screen.availableGeometry()
        width = min(width, room.width() - 20)
        height = min(height, room.height() - 60)
    window.resize(width, height)


def _table(model: RowsTableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(True)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def _progress_bar() -> QProgressBar:
    bar = QProgressBar()
    bar.setTextVisible(True)
    bar.hide()
    return bar


def _set_progress(bar: QProgressBar, status: QLabel, done: int, total: int, text: str) -> None:
    bar.setMaximum(max(total, 1))
    bar.setValue(min(done, max(total, 1)))
    if text:
        status.setText(text)


def dropped_paths(mime) -> list[Path]:
    """Local files and folders dragged from Explorer onto a dialog."""
    if mime is None or not mime.hasUrls():
        return []
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]


# --- where a USB stick is ---------------------------------------------------------------------
DRIVE_REMOVABLE = 2  # GetDriveTypeW


@dataclass(frozen=True)
class Drive:
    root: Path
    label: str
    free: int


def is_removable_mount(root: str, system: str, drive_type: int | None = None) -> bool:
    """A mounted volume the user plugged in: on Windows the drive type says so; on Linux the
    desktop mounts USB sticks under /media/<user> or /run/media/<user>; on macOS under /Volumes."""
    if system == "win32":
        return drive_type == DRIVE_REMOVABLE
    root = root.rstrip("/") + "/"
    if system == "darwin":
        return root.startswith("/Volumes/") and root != "/Volumes/"
    return root.startswith(("/media/", "/run/media/")) and root.count("/") >= 3


def _windows_drive_type(root: str) -> int | None:
    try:
        import ctypes

        return ctypes.windll.kernel32.GetDriveTypeW(root.replace("/", "\\"))
    except Exception:
        return None


def removable_drives() -> list[Drive]:
    """The USB sticks (and card readers) mounted now, where the OS lets us tell."""
    drives = []
    for volume in QStorageInfo.mountedVolumes():
        if not (volume.isValid() and volume.isReady()) or volume.isReadOnly():
            continue
        root = volume.rootPath()
        drive_type = _windows_drive_type(root) if sys.platform == "win32" else None
        if is_removable_mount(root, sys.platform, drive_type):
            label = volume.displayName() or volume.name() or root
            drives.append(Drive(Path(root), label, volume.bytesAvailable()))
    return drives


def _standard_folder(kind: QStandardPaths.StandardLocation) -> Path | None:
    path = QStandardPaths.writableLocation(kind)
    return Path(path) if path and Path(path).is_dir() else None


# --- 导出报送包 -----------------------------------------------------------------------------------
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
        self.setWindowTitle(TEXT["export_title"])
        self.resize(640, 480)

        intro = QLabel(TEXT["export_intro"])
        intro.setWordWrap(True)
        self.year_box = QSpinBox()
        self.year_box.setRange(2000, 2100)
        self.year_box.setValue(year)
        self.year_box.setSuffix(" 年")
        self.destinations = QListWidget()
        self.destinations.setMinimumHeight(110)
        self.no_usb_label = QLabel(TEXT["no_usb"])
        self.no_usb_label.setWordWrap(True)
        self.refresh_button = QPushButton(icon("fa5s.sync"), TEXT["refresh"])
        self.other_button = QPushButton(icon("fa5s.folder-open"), TEXT["other_folder"])
        self.refresh_button.clicked.connect(self.refresh_destinations)
        self.other_button.clicked.connect(self.choose_folder)
        self.error_label = _error_label()
        dest_buttons = QHBoxLayout()
        dest_buttons.addWidget(self.refresh_button)
        dest_buttons.addWidget(self.other_button)
        dest_buttons.addStretch(1)
        dest = QVBoxLayout()
        dest.addWidget(self.destinations)
        dest.addWidget(self.no_usb_label)
        dest.addLayout(dest_buttons)
        dest.addWidget(self.error_label)
        form = QFormLayout()
        form.addRow(TEXT["year"], self.year_box)
        form.addRow(TEXT["destination"], dest)

        self.progress = _progress_bar()
        self.status_label = QLabel()
        self.result_label = _result_label()
        buttons = QDialogButtonBox()
        self.export_button = QPushButton(icon("fa5s.file-export"), TEXT["export"])
        self.export_button.setDefault(True)
        self.open_button = QPushButton(TEXT["open_folder"])
        self.close_button = QPushButton(TEXT["close"])
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.open_button.hide()  # after addButton, which shows it
        self.export_button.clicked.connect(self.start_export)
        self.open_button.clicked.connect(self.open_folder)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.result_label)
        layout.addWidget(buttons)
        self.refresh_destinations()

    # destinations: USB sticks first, then the desktop and documents, then what the user picked
    def refresh_destinations(self) -> None:
        chosen = self.destination()
        self.destinations.clear()
        drives = self.find_drives()
        for d in drives:
            text = TEXT["usb"].format(label=d.label, root=d.root, free=_size(d.free))
            self._add_destination(icon("fa5b.usb"), text, d.root)
        self.no_usb_label.setVisible(not drives)
        for kind, key in (
            (QStandardPaths.StandardLocation.DesktopLocation, "desktop"),
            (QStandardPaths.StandardLocation.DocumentsLocation, "documents"),
        ):
            folder = _standard_folder(kind)
            if folder is not None:
                self._add_destination(icon("fa5s.folder"), TEXT[key].format(path=folder), folder)
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
            _show(self.error_label, TEXT["pick_destination"], ok=False)
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
            lambda d, t, s: _set_progress(self.progress, self.status_label, d, t, s),
        )

    def _busy(self, busy: bool) -> None:
        self.export_button.setEnabled(not busy)
        self.close_button.setEnabled(not busy)
        self.year_box.setEnabled(not busy)
        self.destinations.setEnabled(not busy)
        self.other_button.setEnabled(not busy)
        self.refresh_button.setEnabled(not busy)
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
        text = TEXT["export_done"].format(
            path=result.path, files=result.files, size=_size(result.bytes)
        )
        _show(self.result_label, text, ok=True)
        self.open_button.show()
        self.export_button.setText(TEXT["export"] + "（再次）")

    def _failed(self, message: str) -> None:
        self._busy(False)
        self.progress.hide()
        self.status_label.clear()
        _show(self.error_label, message, ok=False)

    def open_folder(self) -> None:
        if self.result is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.result.path.parent)))

    def reject(self) -> None:
        if self.close_button.isEnabled():  # never close while writing to the stick
            super().reject()


# --- 校验报送包 -----------------------------------------------------------------------------------
class VerifyDialog(QDialog):
    """Pick a bundle, check it off the UI thread, show every (file, reason)."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        find_drives: Callable[[], list[Drive]] = removable_drives,
    ):
        super().__init__(parent)
        self.drives = find_drives()
        self.report: VerifyReport | None = None
        self.worker = None
        self.setWindowTitle(TEXT["verify_title"])
        self.resize(720, 420)
        intro = QLabel(TEXT["verify_intro"] + TEXT["verify_drop"])
        intro.setWordWrap(True)
        self.setAcceptDrops(True)
        self.choose_button = QPushButton(icon("fa5s.search"), TEXT["choose_bundle"])
        self.choose_button.clicked.connect(self.choose_bundle)
        self.progress = _progress_bar()
        self.status_label = QLabel()
        self.result_label = _result_label()
        self.model = RowsTableModel([TEXT["col_file"], TEXT["col_state"]], self)
        self.view = _table(self.model)
        self.view.hide()
        buttons = QDialogButtonBox()
        self.close_button = QPushButton(TEXT["close"])
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.choose_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.result_label)
        layout.addWidget(self.view, 1)
        # Holds the space while the table is hidden, so nothing floats to the middle.
        self.filler = QWidget()
        self.filler.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        layout.addWidget(self.filler, 1)
        layout.addWidget(buttons)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self.choose_button.isEnabled() and any(
            p.suffix.lower() == ".zip" for p in dropped_paths(event.mimeData())
        ):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        zips = [p for p in dropped_paths(event.mimeData()) if p.suffix.lower() == ".zip"]
        if zips and self.choose_button.isEnabled():
            event.acceptProposedAction()
            self.check(zips[0])

    def choose_bundle(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, TEXT["choose_bundle"], str(self.start_folder()), TEXT["bundle_filter"]
        )
        if name:
            self.check(Path(name))

    def _show_table(self, show: bool) -> None:
        self.view.setVisible(show)
        self.filler.setVisible(not show)

    def start_folder(self) -> Path:
        """Beside the bundle checked last, else the first USB stick, else the documents."""
        if self.report is not None:
            return self.report.path.parent
        if self.drives:
            return self.drives[0].root
        return _standard_folder(QStandardPaths.StandardLocation.DocumentsLocation) or Path.home()

    def check(self, path: Path) -> None:
        self.result_label.hide()
        self._show_table(False)
        self.choose_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status_label.setText(TEXT["verifying"].format(name=path.name))
        self.worker = run_in_background(
            lambda _progress: verify_bundle(path), self._done, self._failed
        )

    def _done(self, report: VerifyReport) -> None:
        self.report = report
        self.choose_button.setEnabled(True)
        self.progress.hide()
        self.status_label.clear()
        about = report.about()
        if report.ok:
            _show(
                self.result_label,
                TEXT["verify_ok"].format(name=report.path.name, about=about),
                ok=True,
            )
            files = (report.manifest or {}).get("files") or []
            self.model.set_rows([(f["path"], TEXT["file_ok"]) for f in files])
        else:
            text = TEXT["verify_bad"].format(
                name=report.path.name,
                n=len(report.problems),
                about="\n" + about if about else "",
                advice=report.advice(),
            )
            _show(self.result_label, text, ok=False)
            whole = report.path.name
            self.model.set_rows(
                [(TEXT["whole_file"] if f == whole else f, r) for f, r in report.problems]
            )
        self._show_table(True)
        self.view.resizeRowsToContents()

    def _failed(self, message: str) -> None:
        self.choose_button.setEnabled(True)
        self.progress.hide()
        self.status_label.clear()
        _show(self.result_label, message, ok=False)


# --- 汇总下级报送包 -------------------------------------------------------------------------------
class AggregateDialog(QDialog):
    """The township: many bundles in (files, folders, a whole USB stick, or dragged in), each
    verified, one workbook out, with a way to open it or its folder."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        today: dt.date | None = None,
        find_drives: Callable[[], list[Drive]] = removable_drives,
    ):
        super().__init__(parent)
        self.today = today
        self.paths: list[Path] = []
        self.result: AggregateResult | None = None
        self.worker = None
        self.setWindowTitle(TEXT["aggregate_title"])
        self.resize(900, 640)
        self.setAcceptDrops(True)

        intro = QLabel(TEXT["aggregate_intro"])
        intro.setWordWrap(True)
        self.bundles_model = RowsTableModel(
            [TEXT["col_bundle"], TEXT["col_size"], TEXT["col_folder"]], self
        )
        self.bundles_view = _table(self.bundles_model)
        self.bundles_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.drop_hint = QLabel(TEXT["drop_hint"])
        self.drop_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_hint.setWordWrap(True)
        self.drop_hint.setStyleSheet(
            "QLabel { border: 2px dashed #999; border-radius: 6px; color: #555; padding: 16px; }"
        )
        self.bundles_stack = QStackedWidget()
        self.bundles_stack.addWidget(self.drop_hint)
        self.bundles_stack.addWidget(self.bundles_view)
        self.count_label = QLabel()

        self.add_folder_button = QPushButton(icon("fa5s.folder-plus"), TEXT["add_folder"])
        self.add_files_button = QPushButton(icon("fa5s.plus"), TEXT["add_files"])
        self.remove_button = QPushButton(TEXT["remove"])
        self.clear_button = QPushButton(TEXT["clear"])
        self.add_files_button.clicked.connect(self.choose_files)
        self.add_folder_button.clicked.connect(self.choose_folder)
        self.remove_button.clicked.connect(self.remove_selected)
        self.clear_button.clicked.connect(lambda: self.set_paths([]))
        # One button per USB stick plugged in now: a stick full of bundles is one click.
        self.usb_buttons: list[QPushButton] = []
        self.drives = find_drives()
        for drive in self.drives:
            b = QPushButton(icon("fa5b.usb"), TEXT["add_usb"].format(label=drive.label))
            b.setToolTip(str(drive.root))
            b.clicked.connect(lambda _=False, root=drive.root: self.add_paths([root]))
            self.usb_buttons.append(b)
        list_buttons = QHBoxLayout()
        for b in (
            *self.usb_buttons,
            self.add_folder_button,
            self.add_files_button,
            self.remove_button,
            self.clear_button,
        ):
            list_buttons.addWidget(b)
        list_buttons.addStretch(1)
        list_buttons.addWidget(self.count_label)
        self.bundles_error = _error_label()

        self.year_box = QComboBox()
        self.year_box.addItem(TEXT["year_auto"], None)
        this_year = (today or dt.date.today()).year
        for y in range(this_year, this_year - 6, -1):
            self.year_box.addItem(TEXT["year_item"].format(year=y), y)
        year_row = QHBoxLayout()
        year_row.addWidget(QLabel(TEXT["year_label"]))
        year_row.addWidget(self.year_box)
        year_row.addStretch(1)

        self.out_edit = QLineEdit(str(self._default_out()))
        self.save_as_button = QPushButton(TEXT["save_as"])
        self.save_as_button.clicked.connect(self.choose_out)
        out_row = QHBoxLayout()
        out_row.addWidget(QLabel(TEXT["out"]))
        out_row.addWidget(self.out_edit, 1)
        out_row.addWidget(self.save_as_button)
        self.out_error = _error_label()

        self.progress = _progress_bar()
        self.status_label = QLabel()
        self.result_label = _result_label()
        self.rejected_model = RowsTableModel(
            [
                TEXT["col_bundle"],
                TEXT["col_branch"],
                TEXT["col_state"],
                TEXT["col_reason"],
                TEXT["col_advice"],
            ],
            self,
        )
        self.rejected_view = _table(self.rejected_model)
        self.rejected_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Interactive
        )
        self.rejected_view.hide()

        buttons = QDialogButtonBox()
        self.start_button = QPushButton(icon("fa5s.table"), TEXT["start"])
        self.start_button.setDefault(True)
        self.open_button = QPushButton(icon("fa5s.file-excel"), TEXT["open_xlsx"])
        self.open_folder_button = QPushButton(icon("fa5s.folder-open"), TEXT["open_out_folder"])
        self.close_button = QPushButton(TEXT["close"])
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.open_folder_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.start_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.open_button.hide()  # after addButton, which shows it
        self.open_folder_button.hide()
        self.start_button.clicked.connect(self.start)
        self.open_button.clicked.connect(self.open_workbook)
        self.open_folder_button.clicked.connect(self.open_out_folder)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.bundles_stack, 2)
        layout.addLayout(list_buttons)
        layout.addWidget(self.bundles_error)
        layout.addLayout(year_row)
        layout.addLayout(out_row)
        layout.addWidget(self.out_error)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.result_label)
        layout.addWidget(self.rejected_view, 2)
        layout.addWidget(buttons)
        self.set_paths([])

    @staticmethod
    def _default_out() -> Path:
        folder = _standard_folder(QStandardPaths.StandardLocation.DocumentsLocation) or Path.home()
        return folder / TEXT["default_out"].format(date=dt.date.today().strftime("%Y%m%d"))

    # the list of bundles
    def set_paths(self, paths: list[Path]) -> None:
        self.paths = list(paths)
        rows = []
        for p in self.paths:
            try:
                size = _size(p.stat().st_size)
            except OSError:
                size = "—"
            rows.append((p.name, size, str(p.parent)))
        self.bundles_model.set_rows(rows, self.paths)
        self.bundles_stack.setCurrentIndex(1 if self.paths else 0)
        self.count_label.setText(TEXT["list_count"].format(n=len(self.paths)) if self.paths else "")
        self.remove_button.setEnabled(bool(self.paths))
        self.clear_button.setEnabled(bool(self.paths))
        if self.paths:
            self.bundles_error.hide()

    def add_paths(self, items: list[Path]) -> None:
        """Files as they are, folders (a whole USB stick) as the .zip files in them and in their
        direct subfolders; each bundle once. Says so when a folder held none."""
        before = len(self.paths)
        self.set_paths(expand_bundle_paths([*self.paths, *items]))
        if len(self.paths) == before and items:
            _show(self.bundles_error, TEXT["added_none"].format(name=items[0]), ok=False)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self.start_button.isEnabled() and dropped_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = dropped_paths(event.mimeData())
        if paths and self.start_button.isEnabled():
            event.acceptProposedAction()
            self.add_paths(paths)

    def choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self, TEXT["add_files"], str(self.start_folder()), TEXT["bundle_filter"]
        )
        if names:
            self.add_paths([Path(n) for n in names])

    def choose_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(self, TEXT["add_folder"], str(self.start_folder()))
        if name:
            self.add_paths([Path(name)])

    def start_folder(self) -> Path:
        """Where the file pickers open: beside the last bundle added, else the first USB stick,
        else the documents folder — never the program's own folder."""
        if self.paths:
            return self.paths[-1].parent
        if self.drives:
            return self.drives[0].root
        return _standard_folder(QStandardPaths.StandardLocation.DocumentsLocation) or Path.home()

    def remove_selected(self) -> None:
        rows = {i.row() for i in self.bundles_view.selectionModel().selectedRows()}
        self.set_paths([p for i, p in enumerate(self.paths) if i not in rows])

    def choose_out(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, TEXT["save_as"], self.out_edit.text(), TEXT["xlsx_filter"]
        )
        if name:
            if not name.lower().endswith(".xlsx"):
                name += ".xlsx"
            self.out_edit.setText(name)

    # the run
    def start(self) -> None:
        self.bundles_error.hide()
        self.out_error.hide()
        self.result_label.hide()
        self.rejected_view.hide()
        self.open_button.hide()
        self.open_folder_button.hide()
        if not self.paths:
            _show(self.bundles_error, TEXT["no_bundles"], ok=False)
            return
        out_text = self.out_edit.text().strip()
        if not out_text:
            _show(self.out_error, TEXT["no_out"], ok=False)
            return
        out = Path(os.path.expanduser(out_text))
        if out.suffix.lower() != ".xlsx":
            out = out.with_name(out.name + ".xlsx")
            self.out_edit.setText(str(out))
        paths, today, year = list(self.paths), self.today, self.year_box.currentData()
        self._busy(True)
        self.worker = run_in_background(
            lambda progress: aggregate_bundles(paths, out, progress, today, year=year),
            self._done,
            self._failed,
            lambda d, t, s: _set_progress(self.progress, self.status_label, d, t, s),
        )

    def _busy(self, busy: bool) -> None:
        for w in (
            self.start_button,
            self.close_button,
            self.add_files_button,
            self.add_folder_button,
            *self.usb_buttons,
            self.year_box,
            self.out_edit,
            self.save_as_button,
        ):
            w.setEnabled(not busy)
        self.remove_button.setEnabled(not busy and bool(self.paths))
        self.clear_button.setEnabled(not busy and bool(self.paths))
        if busy:
            self.progress.setRange(0, max(len(self.paths), 1))
            self.progress.setValue(0)
            self.progress.show()
            self.status_label.setText(TEXT["aggregating"])

    def _done(self, result: AggregateResult) -> None:
        self._busy(False)
        self.result = result
        self.progress.setValue(self.progress.maximum())
        self.status_label.clear()
        year = f"{result.year}年度" if result.year else ""
        text = TEXT["aggregate_done"].format(rows=len(result.rows), year=year, path=result.out_path)
        failed = len(result.failed)
        if failed:
            text += TEXT["aggregate_failed"].format(n=failed)
        if len(result.rejected) > failed:
            text += TEXT["aggregate_set_aside"].format(n=len(result.rejected) - failed)
        if result.rejected:
            rows = [
                (
                    r.path.name,
                    r.branch or "—",
                    r.state,
                    reason if f == r.path.name else f"{f}：{reason}",
                    r.advice,
                )
                for r in result.rejected
                for f, reason in r.problems
            ]
            self.rejected_model.set_rows(rows)
            self.rejected_view.show()
        _show(self.result_label, text, ok=result.ok)  # sizes the dialog, then the columns fit it
        if result.rejected:
            self.fit_rejected_columns()
        self.open_button.show()
        self.open_folder_button.show()
        self.open_button.setFocus()

    def fit_rejected_columns(self) -> None:
        """Share the table's width so 原因 and 处理办法 get the most, then grow the rows to
        show every wrapped line (rows sized before the dialog settled showed "…")."""
        view = self.rejected_view
        view.updateGeometries()
        width = max(view.viewport().width(), 400)
        header = view.horizontalHeader()
        for col, share in enumerate((0.22, 0.15, 0.11, 0.26)):
            header.resizeSection(col, int(width * share))
        view.resizeRowsToContents()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self.rejected_view.isVisible() and self.rejected_model.rowCount():
            self.fit_rejected_columns()

    def _failed(self, message: str) -> None:
        self._busy(False)
        self.progress.hide()
        self.status_label.clear()
        # the service's messages are about the bundles or the output file
        target = self.bundles_error if "报送包" in message else self.out_error
        _show(target, message, ok=False)

    def open_workbook(self) -> None:
        if self.result is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.result.out_path)))

    def open_out_folder(self) -> None:
        if self.result is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.result.out_path.parent)))

    def reject(self) -> None:
        if self.close_button.isEnabled():
            super().reject()


# --- the 文件 menu ------------------------------------------------------------------------------
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
        ExportDialog(self.state.data_dir, self.state.year, self.window).exec()

    def verify(self) -> None:
        VerifyDialog(self.window).exec()

    def aggregate(self) -> None:
        AggregateDialog(self.window).exec()


def install_bundle_actions(window, actions: dict[str, QAction]) -> BundleActions:
    return BundleActions(window, actions)
