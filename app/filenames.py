"""File names the program proposes: a safe stem from a branch name or a theme, and the folder a
save dialog starts in. No Qt, so the CLI, the bundle writer and the window name files alike."""

from __future__ import annotations

import re
from pathlib import Path

import platformdirs

# Characters Windows refuses in a file name, and control characters (docs/formats.md).
_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_SPACES = re.compile(r"\s+")
# Names Windows keeps for devices, with or without an extension ("CON.pdf" cannot be created).
DEVICE_NAMES = {"CON", "PRN", "AUX", "NUL"} | {
    f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)
}


def safe_stem(text: str, fallback: str, *, max_chars: int = 60) -> str:
    """`text` as the stem of a file name every Windows folder accepts: forbidden characters
    become "_", runs of spaces (full-width ones too) one space, no dot or space at the ends,
    at most `max_chars` characters, never a device name; `fallback` when nothing is left."""
    stem = _FORBIDDEN.sub("_", text or "")
    stem = _SPACES.sub(" ", stem)
    stem = re.sub(r"_{2,}", "_", stem)
    stem = stem[:max_chars].strip(" ._")
    if not stem:
        return fallback
    if stem.split(".")[0].upper() in DEVICE_NAMES:
        stem += "_"
    return stem


def _known_folder(find) -> Path:
    try:
        folder = Path(find())
    except Exception:  # noqa: BLE001 - no known folder at all: the home folder will do
        return Path.home()
    return folder if folder.is_dir() else Path.home()


def documents_folder() -> Path:
    """Where a save dialog starts: the user's Documents (我的文档, redirected to OneDrive or
    another drive as Windows says), else the home folder."""
    return _known_folder(platformdirs.user_documents_dir)


def desktop_folder() -> Path:
    """Where a file received by WeChat or e-mail usually lands: the desktop, else home."""
    return _known_folder(platformdirs.user_desktop_dir)
