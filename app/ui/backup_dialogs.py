"""Keeping the ledger safe, as the secretary sees it: 备份到…, 从备份恢复…, 回收站, 检查数据库,
and the start-up check that explains a damaged file and offers the newest good backup."""

from __future__ import annotations

import datetime as dt
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.errors import UserError
from app.paths import backups_dir, database_path
from app.services import backup as backups
from app.services import trash
from app.ui.desktop import open_in_viewer
from app.ui.dialog_kit import (
    actions_and_close,
    button,
    column,
    error_label,
    read_only_table,
    selected_row,
    show_message,
    size_text,
)
from app.ui.table_model import RowsTableModel
from app.ui.workers import run_in_background

TEXT = {
    # (the 文件 entries' own words are the main window's)
    "restore": "从备份恢复…",
    # 备份到…
    "choose_folder": "选择备份到哪个文件夹（例如U盘）",
    "backing_up": "正在备份数据和附件…",
    "backup_done": "已备份到：\n{path}\n（全部台账和 {files} 个照片、扫描件，共 {size}，已读回核对无误）\n\n"
    "如在U盘上，请先“安全弹出”再拔出。\n换电脑时，在新电脑上第一次打开党日记实，"
    "点“从备份恢复…”选这个文件即可。",
    "backup_failed": "备份没有完成：\n{message}",
    # 从备份恢复…
    "restore_title": "从备份恢复",
    "restore_intro": "下面是本机自动保存的备份，最新的在最上面。恢复前，程序会先把当前数据再备份一份，"
    "所以恢复之后仍可以恢复回来。",
    "col_time": "备份时间",
    "col_kind": "类型",
    "col_size": "大小",
    "restore_selected": "恢复所选备份",
    "restore_file": "从其他文件恢复（如U盘）…",
    "choose_backup": "选择备份文件",
    "backup_filter": "党日记实备份 (*.zip *.sqlite3);;所有文件 (*)",
    "no_backups": "还没有自动备份。每次启动程序时，如数据有变化，会自动备份一次。",
    "pick_one": "请先在列表中选中一个备份。",
    "confirm_restore": "确定用 {when} 的备份替换当前的全部数据吗？\n\n"
    "花名册、计划、记录、考勤和回收站都会换成备份里的样子，做这个备份之后录入或修改的内容将不在台账里。"
    "照片和扫描件：备份里有的会放回来，本机现有的不会删除。\n\n"
    "替换前，程序会先自动备份当前数据（列表中的“恢复前自动备份”），如有需要，可以再恢复回来。",
    "confirm_yes": "恢复",
    "restored": "已从 {when} 的备份恢复数据。",
    "restored_box": "已从 {when} 的备份恢复数据{with_files}。",
    "restored_files": "（包括照片和扫描件）",
    "restored_kept": "\n\n恢复前的数据已自动备份（{stamp}，“恢复前自动备份”）。如需找回，"
    "可再用“文件 → 从备份恢复…”选它恢复。",
    # 回收站
    "trash_title": "回收站",
    "trash_intro": "删除的党员和活动先放在这里，清空前都可以恢复。",
    "col_deleted": "删除时间",
    "col_what": "内容",
    "col_with": "一起恢复的",
    "trash_restore": "恢复所选",
    "trash_empty": "清空回收站",
    "trash_nothing": "回收站是空的。",
    "confirm_empty": "清空后，回收站中的 {n} 项（连同活动的照片、扫描件）将永久删除，不能恢复：\n\n"
    "{items}\n\n确定清空吗？",
    "confirm_empty_more": "……另外还有 {n} 项",
    "empty_yes": "永久删除",
    "trash_restored": "已恢复：{label}",
    # 检查数据库
    "check_ok": "数据库检查完毕，没有发现问题。\n\n文件：{path}\n用时 {seconds:.2f} 秒。",
    "check_bad": "数据库检查发现问题：\n{problem}\n\n文件：{path}",
    "check_offer": "最新的完好备份：{when}（{label}）。建议点“从备份恢复…”恢复它；"
    "恢复前，当前的文件会保存到备份文件夹中，不会删除。",
    "check_no_backup": "没有找到完好的备份。如有U盘上的备份，可点“从备份恢复…”选它；"
    "请先不要再录入数据，并请懂电脑的同志帮忙查看。",
    "check_details": "以下是给技术人员看的检查明细：\n{details}",
    # start-up damage
    "damaged_title": "数据文件已损坏",
    "damaged_text": "数据文件已损坏，无法正常打开。\n\n文件：{path}\n问题：{problem}\n\n"
    "程序没有改动这个文件。",
    "damaged_offer": "最新的完好备份：{when}（{label}）。\n恢复后，损坏的文件会保存到备份文件夹中，不会删除。",
    "damaged_no_backup": "没有找到完好的备份。可以从U盘上的备份文件恢复，或请懂电脑的同志查看数据目录。",
    "use_newest": "恢复这个备份",
    "damaged_restored": "已用 {when} 的备份恢复了数据。做这个备份之后录入或修改的内容，请对照纸质材料重新录入。"
    "\n\n损坏的文件已另存为（不会删除）：\n{kept}",
    "use_file": "从其他备份文件恢复…",
    "open_dir": "打开数据目录",
    "start_empty": "保留损坏文件，新建空台账",
    "confirm_start_empty": "损坏的文件会移到备份文件夹中保存（不会删除），然后新建一个空的台账。确定吗？",
    "quit": "退出",
    "show_details": "显示技术细节",
    "hide_details": "隐藏技术细节",
    "cancel": "取消",
    "close": "关闭",
}


EMPTY_NAMES_SHOWN = 10  # the 清空 question names this many items, then says how many more


def ask(parent: QWidget | None, text: str, yes_text: str) -> bool:
    """A yes/no question whose default is No (restoring or emptying cannot be clicked by habit)."""
    box = QMessageBox(QMessageBox.Icon.Question, APP_NAME, text, parent=parent)
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton(TEXT["cancel"], QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no)
    box.exec()
    return box.clickedButton() is yes


@contextmanager
def busy_cursor() -> Iterator[None]:
    """The hourglass while a restore replaces the files (the window cannot be used meanwhile)."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


def details_box(lines: list[str]) -> QPlainTextEdit:
    """SQLite's own report, for whoever helps the secretary: hidden until asked for, and
    scrolling, so a long report never pushes a dialog's buttons off a 768-pixel screen."""
    box = QPlainTextEdit("\n".join(lines))
    box.setReadOnly(True)
    box.setMaximumHeight(120)
    box.hide()
    return box


# --- 从备份恢复… ---------------------------------------------------------------------------------
class RestoreDialog(QDialog):
    """The backups by date; restoring asks first and backs up the current state first."""

    def __init__(self, data_dir: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.restored_from: str | None = None
        self.restored_files = False  # the backup was a 备份到… zip (photos and scans came back)
        self.kept: backups.BackupInfo | None = None  # the 恢复前自动备份 of what was replaced
        self.setWindowTitle(TEXT["restore_title"])
        self.resize(640, 420)
        intro = QLabel(TEXT["restore_intro"])
        intro.setWordWrap(True)
        self.model = RowsTableModel([TEXT["col_time"], TEXT["col_kind"], TEXT["col_size"]], self)
        self.view = read_only_table(self.model)
        self.view.doubleClicked.connect(lambda _: self.restore_selected())
        self.empty_label = QLabel(TEXT["no_backups"])
        self.error_label = error_label()
        self.restore_button = button(TEXT["restore_selected"], self.restore_selected, "fa5s.undo")
        self.file_button = button(TEXT["restore_file"], self.restore_other_file, "fa5b.usb")
        buttons = actions_and_close(self, (self.restore_button, self.file_button))
        column(self, intro, self.view, self.empty_label, self.error_label, buttons)
        self.refresh()

    def refresh(self) -> None:
        self.backups = backups.list_backups(self.data_dir)
        self.model.set_rows(
            [(f"{b.created:%Y-%m-%d %H:%M:%S}", b.label, size_text(b.bytes)) for b in self.backups],
            [b.path for b in self.backups],
        )
        self.empty_label.setVisible(not self.backups)
        self.restore_button.setEnabled(bool(self.backups))
        if self.backups:
            self.view.selectRow(0)

    def show_error(self, message: str) -> None:
        show_message(self.error_label, message, ok=False, fit=False)

    def restore_selected(self) -> None:
        row = selected_row(self.view)
        if row is None:
            self.show_error(TEXT["pick_one"])
            return
        chosen = self.backups[row]
        self.restore_from(chosen.path, f"{chosen.created:%Y-%m-%d %H:%M}")

    def restore_other_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, TEXT["choose_backup"], "", TEXT["backup_filter"]
        )
        if name:
            self.restore_from(Path(name), Path(name).name)

    def restore_from(self, path: Path, when: str) -> None:
        if not ask(self, TEXT["confirm_restore"].format(when=when), TEXT["confirm_yes"]):
            return
        started = dt.datetime.now().replace(microsecond=0)
        try:
            with busy_cursor():
                backups.restore(self.data_dir, path)
        except UserError as err:
            self.show_error(err.message)  # stays open; nothing was replaced
            self.refresh()
            return
        self.restored_from = when
        self.restored_files = zipfile.is_zipfile(path)
        self.kept = next(
            (
                b
                for b in backups.list_backups(self.data_dir)
                if b.reason == backups.REASON_RESTORE and b.created >= started
            ),
            None,
        )
        self.accept()

    def summary(self) -> str:
        """What the secretary is told after a restore: from when, and where the old data went."""
        text = TEXT["restored_box"].format(
            when=self.restored_from,
            with_files=TEXT["restored_files"] if self.restored_files else "",
        )
        if self.kept is not None:
            text += TEXT["restored_kept"].format(stamp=f"{self.kept.created:%Y-%m-%d %H:%M:%S}")
        return text


# --- 回收站 -------------------------------------------------------------------------------------
class TrashDialog(QDialog):
    changed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(TEXT["trash_title"])
        self.resize(760, 400)
        intro = QLabel(TEXT["trash_intro"])
        self.model = RowsTableModel([TEXT["col_deleted"], TEXT["col_what"], TEXT["col_with"]], self)
        self.view = read_only_table(self.model)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.error_label = error_label()
        self.restore_button = button(
            TEXT["trash_restore"], self.restore_selected, "fa5s.trash-restore"
        )
        self.empty_button = button(TEXT["trash_empty"], self.empty, "fa5s.trash")
        buttons = actions_and_close(self, (self.restore_button, self.empty_button))
        layout = column(self, intro, self.view, self.message, self.error_label)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        items = trash.list_trash()
        self.model.set_rows(
            [(f"{i.deleted_at:%Y-%m-%d %H:%M}", i.label, trash.what_comes_with(i)) for i in items],
            [i.id for i in items],
        )
        self.restore_button.setEnabled(bool(items))
        self.empty_button.setEnabled(bool(items))
        if not items:
            self.message.setText(TEXT["trash_nothing"])
        else:
            self.view.selectRow(0)

    def restore_selected(self) -> None:
        row = selected_row(self.view)
        if row is None:
            return
        with_it = self.model.rows[row][2]
        try:
            label = trash.restore_item(self.model.key_at(row))
        except UserError as err:
            show_message(self.error_label, err.message, ok=False, fit=False)
            return
        self.error_label.hide()
        self.refresh()
        self.message.setText(
            TEXT["trash_restored"].format(label=label) + (f"（{with_it}）" if with_it else "")
        )
        self.changed.emit("*")

    def empty(self) -> None:
        labels = [row[1] for row in self.model.rows]
        shown = [f"· {label}" for label in labels[:EMPTY_NAMES_SHOWN]]
        if len(labels) > EMPTY_NAMES_SHOWN:
            shown.append(TEXT["confirm_empty_more"].format(n=len(labels) - EMPTY_NAMES_SHOWN))
        question = TEXT["confirm_empty"].format(n=len(labels), items="\n".join(shown))
        if not ask(self, question, TEXT["empty_yes"]):
            return
        trash.empty_trash()
        self.refresh()
        self.changed.emit("*")


# --- start-up -----------------------------------------------------------------------------------
class DamagedDatabaseDialog(QDialog):
    """Shown instead of the window when the database fails its check. Accepted means a usable
    database is in place (restored, or a new empty ledger on explicit request)."""

    def __init__(self, data_dir: Path, problems: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.setWindowTitle(TEXT["damaged_title"])
        self.setMinimumWidth(560)
        self.newest = backups.newest_good_backup(self.data_dir)
        # Only the plain first sentence here; SQLite's page-by-page report can run to hundreds of
        # lines and pushed every button below the bottom of the screen.
        text = TEXT["damaged_text"].format(path=database_path(self.data_dir), problem=problems[0])
        offer = (
            TEXT["damaged_offer"].format(
                when=f"{self.newest.created:%Y-%m-%d %H:%M}", label=self.newest.label
            )
            if self.newest
            else TEXT["damaged_no_backup"]
        )
        self.text_label = QLabel(text + "\n\n" + offer)
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label = error_label()
        self.details = details_box(problems[1:])
        self.details_button = QPushButton(TEXT["show_details"])
        self.details_button.setFlat(True)
        self.details_button.setAutoDefault(False)
        self.details_button.setVisible(len(problems) > 1)
        self.details_button.clicked.connect(self.toggle_details)

        self.newest_button = button(TEXT["use_newest"], self.restore_newest, "fa5s.undo")
        self.newest_button.setVisible(self.newest is not None)
        self.newest_button.setDefault(True)
        self.file_button = button(TEXT["use_file"], self.restore_file)
        self.dir_button = button(TEXT["open_dir"], lambda: open_in_viewer(self.data_dir))
        self.empty_button = button(TEXT["start_empty"], self.start_empty)
        self.quit_button = button(TEXT["quit"], self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.text_label)
        layout.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(
            column(
                None,
                self.details,
                self.error_label,
                self.newest_button,
                self.file_button,
                self.dir_button,
                self.empty_button,
                self.quit_button,
                margins=0,
            )
        )

    def toggle_details(self) -> None:
        shown = not self.details.isVisible()
        self.details.setVisible(shown)
        self.details_button.setText(TEXT["hide_details" if shown else "show_details"])
        self.adjustSize()

    def _restore(self, path: Path, when: str) -> None:
        try:
            with busy_cursor():
                backups.restore(self.data_dir, path)
        except UserError as err:
            show_message(self.error_label, err.message, ok=False, fit=False)
            return
        # Say what happened before the window opens: which backup, and where the damaged file is.
        kept = sorted(backups_dir(self.data_dir).glob("损坏-*.sqlite3"))
        QMessageBox.information(
            self,
            APP_NAME,
            TEXT["damaged_restored"].format(when=when, kept=kept[-1] if kept else "-"),
        )
        self.accept()

    def restore_newest(self) -> None:
        if self.newest is not None:
            self._restore(self.newest.path, f"{self.newest.created:%Y-%m-%d %H:%M}")

    def restore_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, TEXT["choose_backup"], "", TEXT["backup_filter"]
        )
        if name:
            self._restore(Path(name), Path(name).name)

    def start_empty(self) -> None:
        if ask(self, TEXT["confirm_start_empty"], TEXT["start_empty"]):
            backups.set_aside_damaged(self.data_dir)
            self.accept()


# --- the 文件 menu ------------------------------------------------------------------------------
class BackupActions:
    """What the four 文件 entries do, for a main window (its `state`); the entries themselves
    are the window's (`actions` by method name)."""

    def __init__(self, window, actions: dict[str, QAction]):
        self.window, self.state, self.actions = window, window.state, actions
        self.progress: QProgressDialog | None = None

    @property
    def restore_action(self) -> QAction:
        return self.actions["restore"]

    @property
    def check_action(self) -> QAction:
        return self.actions["check"]

    def backup_to(self, folder: Path | None = None) -> None:
        if not folder:
            name = QFileDialog.getExistingDirectory(self.window, TEXT["choose_folder"])
            if not name:
                return
            folder = Path(name)
        self.progress = QProgressDialog(TEXT["backing_up"], "", 0, 0, self.window)
        self.progress.setCancelButton(None)
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.show()
        data_dir = self.state.data_dir
        self.worker = run_in_background(
            lambda _progress: backups.backup_to(data_dir, Path(folder)),
            self._backup_done,
            self._backup_failed,
        )

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.close()
            self.progress = None

    def _backup_done(self, path: Path) -> None:
        self._close_progress()
        self.last_backup = path
        self.window.statusBar().showMessage(str(path), 10000)
        with zipfile.ZipFile(path) as zf:
            files = sum(1 for n in zf.namelist() if n.startswith("attachments/"))
        text = TEXT["backup_done"].format(
            path=path, files=files, size=size_text(path.stat().st_size)
        )
        QMessageBox.information(self.window, APP_NAME, text)

    def _backup_failed(self, message: str) -> None:
        self._close_progress()
        QMessageBox.critical(self.window, APP_NAME, TEXT["backup_failed"].format(message=message))

    def restore(self) -> None:
        if not self.window.settle_unsaved_record():  # the 记录 tab asks about its edits
            return
        dialog = RestoreDialog(self.state.data_dir, self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.state.changed.emit("*")
            self.window.statusBar().showMessage(
                TEXT["restored"].format(when=dialog.restored_from), 10000
            )
            QMessageBox.information(self.window, APP_NAME, dialog.summary())

    def show_trash(self) -> None:
        dialog = TrashDialog(self.window)
        dialog.changed.connect(self.state.changed.emit)
        dialog.exec()

    def check(self) -> None:
        path = database_path(self.state.data_dir)
        started = time.perf_counter()
        try:
            with busy_cursor():
                problems = backups.check_integrity(path, full=True)
        except UserError as err:  # a full or read-only disk: not damage, said as it is
            QMessageBox.warning(self.window, APP_NAME, err.message)
            self.last_check = [err.message]
            return
        seconds = time.perf_counter() - started
        if problems:
            self._report_damage(path, problems)
        else:
            QMessageBox.information(
                self.window, APP_NAME, TEXT["check_ok"].format(path=path, seconds=seconds)
            )
        self.last_check = problems

    def _report_damage(self, path: Path, problems: list[str]) -> None:
        """A plain sentence, the newest good backup and a way to it; SQLite's report tucked
        into 显示详细信息 for whoever helps."""
        with busy_cursor():
            newest = backups.newest_good_backup(self.state.data_dir)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            APP_NAME,
            TEXT["check_bad"].format(problem=problems[0], path=path),
            parent=self.window,
        )
        box.setInformativeText(
            TEXT["check_offer"].format(when=f"{newest.created:%Y-%m-%d %H:%M}", label=newest.label)
            if newest
            else TEXT["check_no_backup"]
        )
        if len(problems) > 1:
            box.setDetailedText(TEXT["check_details"].format(details="\n".join(problems[1:])))
        restore = box.addButton(TEXT["restore"], QMessageBox.ButtonRole.AcceptRole)
        close = box.addButton(TEXT["close"], QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(restore)
        box.setEscapeButton(close)
        box.exec()
        if box.clickedButton() is restore:
            self.restore()


def install_backup_actions(window, actions: dict[str, QAction]) -> BackupActions:
    return BackupActions(window, actions)
