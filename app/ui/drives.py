"""Where a USB stick is: the removable volumes mounted now, for the export destination list and
the township's "add a whole stick" buttons."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QStorageInfo

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


def dropped_paths(mime) -> list[Path]:
    """Local files and folders dragged from Explorer (a stick's bundles) onto a dialog."""
    if mime is None or not mime.hasUrls():
        return []
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
