"""Where things live: the data dir (database, backups, attachments) and the read-only resources.

The data dir is never inside the program folder: by default it is the OS per-user app-data folder;
`--data-dir DIR` or the environment variable DANGRI_DATA_DIR overrides it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_data_dir

from app import APP_ID, __version__

ENV_DATA_DIR = "DANGRI_DATA_DIR"
DB_FILENAME = "dangri.sqlite3"


def resolve_data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The data dir: explicit argument, then $DANGRI_DATA_DIR, then the per-user app-data folder."""
    chosen = explicit or os.environ.get(ENV_DATA_DIR) or user_data_dir(APP_ID, appauthor=False)
    return Path(chosen).expanduser().resolve()


def database_path(data_dir: Path) -> Path:
    return data_dir / DB_FILENAME


def backups_dir(data_dir: Path) -> Path:
    return data_dir / "backups"


def attachments_dir(data_dir: Path) -> Path:
    return data_dir / "attachments"


def temp_dir(data_dir: Path) -> Path:
    """Intermediate files (a snapshot before it is zipped, a database taken out of a zip): on the
    data dir's own disk, not the system temp folder, and swept at start-up (app/files.py)."""
    return data_dir / "tmp"


def keys_dir(data_dir: Path) -> Path:
    """The ledger's signing key (docs/signing.md); kept in every backup."""
    return data_dir / "keys"


def icon_cache_dir(data_dir: Path) -> Path:
    """The window's icons drawn once by qtawesome, as PNG files (app/ui/icons.py); one folder
    per program version, so an update draws its own. Not in backups: drawn again when missing."""
    return data_dir / "cache" / f"icons-{__version__}"


def resources_root() -> Path:
    """`resources/` from a source checkout and from a PyInstaller bundle alike."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    return resources_root().joinpath(*parts)


FONT_FILE = ("fonts", "NotoSansSC-Regular.ttf")


def font_path() -> Path:
    """The one CJK font used on screen and embedded in every PDF."""
    return resource_path(*FONT_FILE)
