"""照片和资料 of one record (rule 7, 有资料): thumbnails of the files kept with the activity,
adding photos, scans and other material, opening one in the system viewer, removing one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from app.errors import UserError
from app.filenames import documents_folder
from app.models import vocab
from app.services import records
from app.ui.dialog_kit import ask_yes_no, error_label, hide_message
from app.ui.icons import icon

if TYPE_CHECKING:
    from app.models import Attachment

TEXT = {
    "attachments": "照片和资料（有资料）",
    "add_photo": "添加照片…",
    "add_scan": "添加签名表扫描件…",
    "add_other": "添加其他材料…",
    "open": "打开",
    "remove": "删除",
    "pick_files": "选择文件",
    "image_filter": "图片 (*.jpg *.jpeg *.png *.bmp *.gif *.webp);;所有文件 (*)",
    "scan_filter": "扫描件 (*.pdf *.jpg *.jpeg *.png *.tif *.tiff);;所有文件 (*)",
    "any_filter": "所有文件 (*)",
    "remove_title": "删除材料",
    "remove_question": "从这次活动的资料中删除“{name}”（{kind}）？\n删除后本程序里的这份文件不能恢复"
    "（您原来选的文件不受影响）。",
    "tooltip": "{name}\n{bytes:,} 字节\nsha256 {sha256}",
}

PHOTO, SCAN, OTHER = vocab.ATTACHMENT_KINDS  # 照片, 签名表扫描件, 其他材料
# (button, attachment kind, file filter)
ADD_BUTTONS = (
    ("add_photo", PHOTO, "image_filter"),
    ("add_scan", SCAN, "scan_filter"),
    ("add_other", OTHER, "any_filter"),
)
THUMB = QSize(96, 96)
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp"}


def thumbnail(path: Path) -> QIcon:
    """A photo shrunk to the thumbnail size; a PDF or other file as its icon."""
    if path.suffix.lower() in IMAGE_SUFFIXES:
        pixmap = QPixmap(str(path))
        if not pixmap.isNull():
            return QIcon(
                pixmap.scaled(
                    THUMB,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
    if path.suffix.lower() == ".pdf":
        return icon("fa5s.file-pdf", color="#b00000")
    return icon("fa5s.file-alt", color="#555555")


class AttachmentsBox(QGroupBox):
    """The files of the activity `activity_id`; `changed` after one was added or removed."""

    changed = Signal()

    def __init__(self, data_dir: Path, open_file: Callable[[Path], None], parent=None):
        super().__init__(TEXT["attachments"], parent)
        self.data_dir = data_dir
        self.open_file = open_file
        self.activity_id: int | None = None
        self.shown: dict[int, Attachment] = {}  # what the list shows, by id

        self.list = QListWidget()
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(THUMB)
        self.list.setGridSize(QSize(THUMB.width() + 64, THUMB.height() + 44))
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.setWordWrap(True)
        self.list.setMinimumHeight(THUMB.height() + 56)
        self.list.itemDoubleClicked.connect(lambda _: self.open_selected())
        row = QHBoxLayout()
        for key, kind, file_filter in ADD_BUTTONS:
            button = QPushButton(TEXT[key])
            button.clicked.connect(lambda _=False, k=kind, f=file_filter: self.pick(k, f))
            row.addWidget(button)
        self.open_button = QPushButton(icon("fa5s.external-link-alt"), TEXT["open"])
        self.open_button.clicked.connect(self.open_selected)
        self.remove_button = QPushButton(icon("fa5s.trash-alt"), TEXT["remove"])
        self.remove_button.clicked.connect(self.remove_selected)
        row.addStretch(1)
        row.addWidget(self.open_button)
        row.addWidget(self.remove_button)
        self.error = error_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(row)
        layout.addWidget(self.error)

    def show_activity(self, activity_id: int | None) -> None:
        self.activity_id = activity_id
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        self.shown = {}
        if self.activity_id is None:
            return
        for att in records.attachments_of(self.activity_id):
            path = records.attachment_file(self.data_dir, att)
            item = QListWidgetItem(thumbnail(path), f"{att.kind}\n{att.original_name}")
            item.setData(Qt.ItemDataRole.UserRole, att.id)
            item.setToolTip(
                TEXT["tooltip"].format(name=att.original_name, bytes=att.bytes, sha256=att.sha256)
            )
            self.list.addItem(item)
            self.shown[att.id] = att

    def pick(self, kind: str, filter_key: str) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, TEXT["pick_files"], str(documents_folder()), TEXT[filter_key]
        )
        if files:
            self.add_files([Path(f) for f in files], kind)

    def add_files(self, files: list[Path], kind: str) -> int:
        """Copy files into the ledger; returns how many were added (a refused one is named)."""
        hide_message(self.error)
        added = 0
        problems = []
        for path in files:
            try:
                records.add_attachment(self.data_dir, self.activity_id, path, kind)
                added += 1
            except UserError as err:
                problems.append(err.message)
        self.refresh()
        if added:
            self.changed.emit()
        if problems:
            self.show_error("\n".join(problems))
        return added

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def selected(self) -> Attachment | None:
        item = self.list.currentItem()
        return self.shown.get(item.data(Qt.ItemDataRole.UserRole)) if item else None

    def open_selected(self) -> None:
        att = self.selected()
        if att is not None:
            self.open_file(records.attachment_file(self.data_dir, att))

    def remove_selected(self) -> None:
        att = self.selected()
        if att is None:
            return
        question = TEXT["remove_question"].format(name=att.original_name, kind=att.kind)
        if not ask_yes_no(self, TEXT["remove_title"], question):
            return
        try:
            records.remove_attachment(self.data_dir, att.id)
        except UserError as err:  # e.g. the file is open in a viewer (Windows)
            self.show_error(err.message)
        self.refresh()
        self.changed.emit()
