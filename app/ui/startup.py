"""The start-up check of the database: integrity first, then the sweep of leftovers, then the
start-up backup.

Kept apart from `backup_dialogs` so that a normal start imports only the service it needs; the
dialog that explains a damaged file is imported only when there is damage to explain.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from app.services import backup as backups
from app.services import leftovers

TEXT = {
    "backup_on_start_failed": "启动时自动备份失败：{error}",
    "backup_problem": "这次启动没能自动备份（磁盘可能已满或只读）。台账照常可以使用，"
    "但请尽快腾出磁盘空间，并用“文件 → 备份到…”备份到U盘。",
}

# What went wrong with this start's automatic backup, in words for the secretary (None: nothing).
# The window may show it in its status bar; stderr is not seen on a Windows desktop.
backup_problem: str | None = None


def check_database_on_start(data_dir: Path) -> bool:
    """Integrity check, then the start-up backup; on damage the user decides (True: go on)."""
    try:
        problems = backups.database_problems(data_dir)
    except backups.DatabaseUnavailable as err:
        # A full or read-only disk is not damage: say what it is, offer nothing that would
        # treat the file as broken, and let the secretary free the disk and start again.
        from PySide6.QtWidgets import QMessageBox

        from app import APP_NAME

        QMessageBox.critical(None, APP_NAME, err.message)
        return False
    if problems:
        from PySide6.QtWidgets import QDialog

        from app.ui.backup_dialogs import DamagedDatabaseDialog

        return DamagedDatabaseDialog(data_dir, problems).exec() == QDialog.DialogCode.Accepted
    global backup_problem
    backup_problem = None
    # What interrupted writers left, and files that were held open when they were to go
    # (Windows): swept before the backup, which may need the room.
    leftovers.sweep(data_dir)
    try:
        made = backups.backup_on_start(data_dir)
    except Exception as err:  # a full disk must not keep the secretary from their ledger
        print(TEXT["backup_on_start_failed"].format(error=err), file=sys.stderr)
        backup_problem = TEXT["backup_problem"]
        return True
    if made is None:  # no backup, so no rotation: old backups held open last time go now
        with contextlib.suppress(OSError):
            backups.rotate_backups(data_dir)
    return True
