"""Where a USB stick is: the removable volumes mounted now, for the export destination list, the
file pickers' first folder and the township's "add a whole stick" buttons; files dropped on a
dialog."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QStorageInfo

from app.filenames import documents_folder

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


def start_folder(drives: list[Drive] | None = None) -> Path:
    """Where a file picker opens: the first USB stick (of `drives`, else of those in now), else
    the documents folder — never the program's own folder."""
    drives = removable_drives() if drives is None else drives
    return drives[0].root if drives else documents_folder()


def dropped_paths(mime) -> list[Path]:
    """Local files and folders dragged from Explorer (a stick's bundles) onto a dialog."""
    if mime is None or not mime.hasUrls():
        return []
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]


class DropTarget:
    """Mixin for a dialog that takes files dragged from Explorer: what `dropped` finds in a drop
    goes to `take_drop` while `accepts_drop` says the dialog is ready (not busy)."""

    def accepts_drop(self) -> bool:
        return True

    def dropped(self, mime) -> list[Path]:
        return dropped_paths(mime)

    def take_drop(self, paths: list[Path]) -> None:
        raise NotImplementedError

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self.accepts_drop() and self.dropped(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = self.dropped(event.mimeData())
        if paths and self.accepts_drop():
            event.acceptProposedAction()
            self.take_drop(paths)
