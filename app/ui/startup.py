"""The start-up check of the database: integrity first, then the start-up backup.

Kept apart from `backup_dialogs` so that a normal start imports only the service it needs; the
dialog that explains a damaged file is imported only when there is damage to explain.
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.services import backup as backups

TEXT = {
    "backup_on_start_failed": "启动时自动备份失败：{error}",
}


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
    try:
        backups.backup_on_start(data_dir)
    except Exception as err:  # a full disk must not keep the secretary from their ledger
        print(TEXT["backup_on_start_failed"].format(error=err), file=sys.stderr)
    return True
