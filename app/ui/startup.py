"""The start-up check of the database: integrity, the sweep of leftovers, the start-up backup.

Split around the window, so that a ten-year ledger does not hold it back (the page check grows
with every year kept):
- before the window (`check_before_window`): that the file opens as a 党日记实 ledger — its
  schema read, no page scanned — and the sweep of what interrupted writers left;
- once the window is up (`check_after_window`), on a worker thread: SQLite's quick_check, the
  full integrity_check when the last one is a week old, and then the start-up backup (of a file
  found whole). Damage found there takes the same path as damage found before the window: the
  window goes, the damaged-file dialog explains and offers the newest good backup.
`check_database_on_start` runs all of it at once (the tests; a start without a window).

Kept apart from `backup_dialogs` so that a normal start imports only the service it needs; the
dialog that explains a damaged file is imported only when there is damage to explain.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.services import backup as backups
from app.services import leftovers

TEXT = {
    "backup_on_start_failed": "启动时自动备份失败：{error}",
    "backup_problem": "这次启动没能自动备份（磁盘可能已满或只读）。台账照常可以使用，"
    "但请尽快腾出磁盘空间，并用“文件 → 备份到…”备份到U盘。",
    "startup_backup": "启动时的自动备份",
}

# What went wrong with this start's automatic backup, in words for the secretary (None: nothing).
# The window shows it; stderr is not seen on a Windows desktop.
backup_problem: str | None = None

FULL_CHECK_EVERY = dt.timedelta(days=7)
FULL_CHECK_KEY = "integrity/full_check"  # the window's settings: the day of the last full check


@dataclass
class StartCheck:
    """What the check after the window found: `problems` ([]: whole), whether the full check
    ran, and what went wrong with the backup (None: nothing)."""

    problems: list[str]
    full: bool
    backup_problem: str | None = None


def _say_unavailable(err: backups.DatabaseUnavailable, parent=None) -> None:
    # A full or read-only disk is not damage: say what it is, offer nothing that would treat the
    # file as broken, and let the secretary free the disk and start again.
    from PySide6.QtWidgets import QMessageBox

    from app import APP_NAME

    QMessageBox.critical(parent, APP_NAME, err.message)


def damaged_dialog_accepted(data_dir: Path, problems: list[str]) -> bool:
    from PySide6.QtWidgets import QDialog

    from app.ui.backup_dialogs import DamagedDatabaseDialog

    return DamagedDatabaseDialog(data_dir, problems).exec() == QDialog.DialogCode.Accepted


def check_before_window(data_dir: Path) -> bool:
    """The file opens as a ledger (no page scanned); on damage the user decides (True: go on).
    Then the leftovers of interrupted writers are swept."""
    try:
        problems = backups.database_problems(data_dir, scan=False)
    except backups.DatabaseUnavailable as err:
        _say_unavailable(err)
        return False
    if problems and not damaged_dialog_accepted(data_dir, problems):
        return False
    # What interrupted writers left, and files that were held open when they were to go
    # (Windows): swept before the backup, which may need the room.
    leftovers.sweep(data_dir)
    return True


def check_and_back_up(data_dir: Path, *, full: bool) -> StartCheck:
    """quick_check (and integrity_check with `full`), then the start-up backup of a whole file.
    No Qt: runs on a worker thread with its own SQLite connections. Raises DatabaseUnavailable
    when the file cannot be read at all."""
    problems = backups.database_problems(data_dir, full=False)
    if not problems and full:
        problems = backups.database_problems(data_dir, full=True)
    if problems:
        return StartCheck(problems, full)
    try:
        made = backups.backup_on_start(data_dir)
    except Exception as err:  # a full disk must not keep the secretary from their ledger
        print(TEXT["backup_on_start_failed"].format(error=err), file=sys.stderr)
        return StartCheck([], full, TEXT["backup_problem"])
    if made is None:  # no backup, so no rotation: old backups held open last time go now
        with contextlib.suppress(OSError):
            backups.rotate_backups(data_dir)
    return StartCheck([], full)


def check_database_on_start(data_dir: Path) -> bool:
    """All of the start-up check at once, before anything else: the tests' and a start without
    a window's. True: go on."""
    global backup_problem
    if not check_before_window(data_dir):
        return False
    try:
        found = check_and_back_up(data_dir, full=True)
    except backups.DatabaseUnavailable as err:
        _say_unavailable(err)
        return False
    if found.problems:
        return damaged_dialog_accepted(data_dir, found.problems)
    backup_problem = found.backup_problem
    return True


def full_check_due(last: object, today: dt.date) -> bool:
    """The full integrity_check runs when the last one (an ISO date, or nothing) is a week old."""
    try:
        return today - dt.date.fromisoformat(str(last)) >= FULL_CHECK_EVERY
    except ValueError:
        return True


def check_after_window(window, data_dir: Path, on_damage: Callable[[list[str]], None]):
    """Start the check on a worker thread; its result comes back to the UI thread: damage goes
    to `on_damage(problems)`, a failed backup is said over the window. Returns the worker."""
    from app.ui.workers import run_in_background

    today = dt.date.today()
    full = full_check_due(window.settings.value(FULL_CHECK_KEY), today)

    def checked(found: StartCheck) -> None:
        global backup_problem
        if found.problems:
            on_damage(found.problems)
            return
        if found.full:
            window.settings.setValue(FULL_CHECK_KEY, today.isoformat())
        backup_problem = found.backup_problem
        if backup_problem:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(window, TEXT["startup_backup"], backup_problem)

    def failed(message: str) -> None:  # the disk went away: said as it is, not as damage
        from PySide6.QtWidgets import QMessageBox

        from app import APP_NAME

        QMessageBox.warning(window, APP_NAME, message)

    worker = run_in_background(
        lambda _progress: check_and_back_up(data_dir, full=full), checked, failed
    )
    window.start_check = worker  # kept with the window: its signals must outlive the thread
    return worker
