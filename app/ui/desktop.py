"""The desktop around the window: opening a file or folder in the system's own program, and
asking where to save a file (starting in Documents, with the right suffix)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QWidget

from app.filenames import documents_folder


def open_in_viewer(path: Path) -> None:
    """Open a file in the system's viewer (the PDF reader, the photo viewer, Excel), or a
    folder in the file manager."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def choose_save_path(
    parent: QWidget | None, title: str, name: str, file_filter: str, suffix: str
) -> Path | None:
    """Ask where to save `name` (first offered in Documents); None when cancelled. The path
    ends in `suffix` even when the secretary typed a name without it."""
    chosen, _ = QFileDialog.getSaveFileName(
        parent, title, str(documents_folder() / name), file_filter
    )
    if not chosen:
        return None
    if not chosen.lower().endswith(suffix.lower()):
        chosen += suffix
    return Path(chosen)
